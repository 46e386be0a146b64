"""A throwaway certificate authority for the devnet, so its gRPC runs over real TLS.

The devnet's aggregator serves TLS with a certificate for ``localhost`` / ``127.0.0.1``
signed by a CA made for this devnet alone; operators verify it with that CA's file and
present client certificates of their own, exactly as in production with real PKI. Keys
are EC P-256, written owner-readable only, and never leave the devnet directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class IssuedCert:
    """A PEM certificate and key on disk."""

    cert_file: Path
    """PEM certificate."""
    key_file: Path
    """PEM private key (mode 0600)."""


@dataclass(frozen=True, slots=True)
class ThrowawayCa:
    """A CA whose key lives in ``directory``; it issues server and client certificates."""

    directory: Path
    """Where the CA and every certificate it issues are written."""

    @property
    def ca_file(self) -> Path:
        """The CA certificate (what clients and servers verify against)."""
        return self.directory / "ca.pem"

    @classmethod
    def create(cls, directory: Path) -> ThrowawayCa:
        """A new CA in ``directory`` (an existing one there is replaced)."""
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edge-avs devnet CA")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        ca = cls(directory)
        _write(ca.ca_file, cert.public_bytes(serialization.Encoding.PEM), private=False)
        _write(directory / "ca.key", _key_pem(key), private=True)
        return ca

    def issue(self, name: str, *, server: bool, hosts: tuple[str, ...] = ()) -> IssuedCert:
        """A certificate ``name`` for a server (``hosts``: DNS names / IPs) or a client."""
        ca_key = serialization.load_pem_private_key(
            (self.directory / "ca.key").read_bytes(), password=None
        )
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        ca_cert = x509.load_pem_x509_certificate(self.ca_file.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if hosts:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_general_name(h) for h in hosts]), critical=False
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        issued = IssuedCert(self.directory / f"{name}.pem", self.directory / f"{name}.key")
        _write(issued.cert_file, cert.public_bytes(serialization.Encoding.PEM), private=False)
        _write(issued.key_file, _key_pem(key), private=True)
        return issued


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def devnet_server_cert(tls_dir: Path) -> tuple[Path, IssuedCert]:
    """The devnet CA (made once per devnet directory) and a certificate for its loopback
    aggregators: (CA file, certificate)."""
    ca = ThrowawayCa(tls_dir)
    if not ca.ca_file.is_file() or not (tls_dir / "ca.key").is_file():
        ca = ThrowawayCa.create(tls_dir)
    issued = IssuedCert(tls_dir / "aggregator.pem", tls_dir / "aggregator.key")
    if not (issued.cert_file.is_file() and issued.key_file.is_file()):
        issued = ca.issue("aggregator", server=True, hosts=("127.0.0.1", "localhost"))
    return ca.ca_file, issued
