"""Transport security of the Aggregator service: TLS on the server, verified by operators.

The BLS signature authenticates a response, but tasks, blobs and the reply statuses travel
on this connection too, so operator <-> aggregator traffic is TLS. Plaintext is allowed
only when both ends are on loopback (the same machine) or when a setting says so
explicitly. Certificates and keys are PEM files (a Kubernetes Secret mounted as files).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from avs.errors import ConfigError


def _read(path: Path, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} {path}: {exc.strerror}; check the path") from exc
    if b"-----BEGIN" not in data:
        raise ConfigError(f"the {what} {path} is not PEM; give the PEM file")
    return data


@dataclass(frozen=True, slots=True)
class ServerTls:
    """The aggregator's certificate chain and key, and optionally a CA for client certs."""

    cert_file: Path
    """PEM certificate chain the aggregator presents."""
    key_file: Path
    """PEM private key of that certificate."""
    client_ca_file: Path | None = None
    """When set, operators must present a certificate signed by this CA (mutual TLS)."""

    def credentials(self) -> Any:
        """``grpc.ServerCredentials`` from the files (ConfigError when unreadable)."""
        client_ca = None
        if self.client_ca_file is not None:
            client_ca = _read(self.client_ca_file, "client CA certificate")
        return grpc.ssl_server_credentials(
            [(_read(self.key_file, "TLS key"), _read(self.cert_file, "TLS certificate"))],
            root_certificates=client_ca,
            require_client_auth=client_ca is not None,
        )


@dataclass(frozen=True, slots=True)
class ClientTls:
    """How an operator verifies the aggregator, and optionally its own client certificate."""

    ca_file: Path | None = None
    """PEM CA certificate(s) that signed the aggregator's certificate (None: system roots)."""
    cert_file: Path | None = None
    """PEM client certificate, for aggregators that require one."""
    key_file: Path | None = None
    """PEM private key of the client certificate."""

    def credentials(self) -> Any:
        """``grpc.ChannelCredentials`` from the files (ConfigError when unreadable)."""
        if (self.cert_file is None) != (self.key_file is None):
            raise ConfigError("a client certificate needs both its cert file and its key file")
        ca = None if self.ca_file is None else _read(self.ca_file, "CA certificate")
        key = None if self.key_file is None else _read(self.key_file, "client TLS key")
        cert = None if self.cert_file is None else _read(self.cert_file, "client certificate")
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=key, certificate_chain=cert
        )


def host_of(address: str) -> str:
    """The host part of ``host:port`` (``[v6]:port`` included)."""
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host.strip("[]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_security(listen: str, tls: ServerTls | None, allow_plaintext: bool) -> None:
    """Refuse to serve plaintext on a non-loopback address unless explicitly allowed."""
    if tls is None and not allow_plaintext and not is_loopback(host_of(listen)):
        raise ConfigError(
            f"listen {listen} is reachable from other machines but no TLS certificate is set; "
            "set tls_cert_file and tls_key_file (Helm: tls.existingSecret), listen on "
            "127.0.0.1, or set allow_plaintext: true behind a TLS-terminating proxy"
        )


def channel_credentials(target: str, tls: ClientTls | None, plaintext: bool) -> Any | None:
    """Credentials for a channel to ``target``; None means plaintext.

    Plaintext when asked for, or when ``target`` is on loopback and no TLS is configured;
    otherwise TLS (with the system's roots unless ``tls`` names a CA).
    """
    if plaintext or (tls is None and is_loopback(host_of(target))):
        return None
    return (tls or ClientTls()).credentials()


def aio_channel(target: str, credentials: Any | None, options: list[tuple[str, Any]]) -> Any:
    """A ``grpc.aio`` channel, secure unless ``credentials`` is None."""
    if credentials is None:
        return grpc.aio.insecure_channel(target, options=options)
    return grpc.aio.secure_channel(target, credentials, options=options)


def sync_channel(target: str, credentials: Any | None, options: list[tuple[str, Any]]) -> Any:
    """A synchronous channel, secure unless ``credentials`` is None."""
    if credentials is None:
        return grpc.insecure_channel(target, options=options)
    return grpc.secure_channel(target, credentials, options=options)
