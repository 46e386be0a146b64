"""``avs aggregator health``: ask this machine's aggregator whether it is serving.

The probe dials the configured listen port on loopback with the configured TLS: the
endpoint's own certificate (or a CA the caller names) is the trust anchor and the name
checked is one the certificate carries, so the probe passes only when this very server
completes the handshake it would complete with an operator, and a TLS-only endpoint is never
probed in plaintext (which always fails: the old container health check's bug).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from avs.errors import ConfigError
from avs.rpc.health import serving_problem
from avs.rpc.tls import ClientTls, host_of
from avs_aggregator.config import AggregatorConfig

ANY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 - compared with, never bound


@dataclass(frozen=True, slots=True)
class HealthProbe:
    """Where and how the probe dials."""

    target: str
    """``host:port`` on this machine."""
    tls: ClientTls | None
    """None: plaintext (the aggregator serves no TLS)."""
    server_name: str | None
    """The name the server's certificate must carry (TLS only)."""

    def problem(self, timeout_s: float) -> str | None:
        """None when the aggregator answers SERVING within ``timeout_s``, else why not."""
        return serving_problem(
            self.target,
            timeout_s,
            tls=self.tls,
            plaintext=self.tls is None,
            server_name=self.server_name,
        )


def health_probe(
    cfg: AggregatorConfig,
    ca_file: Path | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
) -> HealthProbe:
    """The probe of ``cfg``'s endpoint: TLS exactly when the aggregator serves TLS, trusting
    ``ca_file`` or else the endpoint's own certificate; a client certificate when the
    aggregator requires one (ConfigError if none is given)."""
    host, port = host_of(cfg.listen), cfg.listen.rsplit(":", 1)[1]
    local = "127.0.0.1" if host in ANY_ADDRESS else host
    target = f"[{local}]:{port}" if ":" in local else f"{local}:{port}"
    if cfg.tls_cert_file is None:
        return HealthProbe(target, None, None)
    if cfg.tls_client_ca_file is not None and (client_cert is None or client_key is None):
        raise ConfigError(
            "the aggregator requires client certificates (tls_client_ca_file): pass "
            "--client-cert and --client-key signed by that CA"
        )
    anchor = ca_file or cfg.tls_cert_file
    tls = ClientTls(anchor, client_cert, client_key)
    return HealthProbe(target, tls, certificate_name(cfg.tls_cert_file))


def certificate_name(cert_file: Path) -> str:
    """A name the (first) certificate in ``cert_file`` is valid for: its first DNS name, else
    its first IP address, else its common name (ConfigError when unreadable or nameless)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the TLS certificate {cert_file}: {exc}") from exc
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = x509.SubjectAlternativeName([])
    dns = names.get_values_for_type(x509.DNSName)
    if dns:
        # A wildcard covers any one label: name one that it matches.
        return "probe." + dns[0][2:] if dns[0].startswith("*.") else dns[0]
    ips = names.get_values_for_type(x509.IPAddress)
    if ips:
        return str(ips[0])
    common = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if common:
        return str(common[0].value)
    raise ConfigError(f"the TLS certificate {cert_file} names no host (no SAN, no CN)")
