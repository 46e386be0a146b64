"""Aggregator configuration (``aggregator.yaml`` + ``AVS_*`` overrides)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from avs.config import load_config
from avs.rpc.tls import ClientTls, ServerTls


@dataclass(frozen=True, slots=True)
class AggregatorConfig:
    """Everything an aggregator needs; secrets appear only as file paths."""

    rpc_url: str
    """JSON-RPC URL of the chain the AVS contracts live on."""
    deployment: Path
    """Deployment JSON written by ``avs deploy``."""
    ecdsa_key_file: Path
    """ECDSA key file (geth keystore v3) that pays for certificate transactions."""
    data_dir: Path
    """Holds ``tasks.sqlite`` and ``blobs/`` (models and inputs served by GetBlob)."""
    ecdsa_password_file: Path | None = None
    """File holding the ECDSA key password."""
    listen: str = "0.0.0.0:50051"
    """gRPC listen address (port 0 picks a free port; the bound one is logged)."""
    metrics_host: str = "0.0.0.0"  # noqa: S104 - scraped by Prometheus from other hosts
    """Interface of the Prometheus endpoint."""
    metrics_port: int = 9091
    """Port of Prometheus ``/metrics`` (0 picks a free port, -1 disables)."""
    linger_seconds: float = 0.5
    """After a result reaches the threshold, wait this long for late signers (fairness)."""
    poll_interval: float = 0.5
    """Seconds between chain polls for new tasks and blocks."""
    ws_url: str = ""
    """Websocket JSON-RPC endpoint of the same chain (``ws://``/``wss://``; anvil serves it
    on rpc_url's port): new blocks are pushed (``eth_subscribe newHeads``) and read at once
    instead of at the next poll. Empty: poll only. Polls go on as the fallback either way."""
    max_message_bytes: int = 4 * 1024 * 1024
    """Largest gRPC message accepted; bigger ones are refused with RESOURCE_EXHAUSTED."""
    max_upload_bytes: int = 64 * 1024 * 1024
    """Largest blob PutBlob accepts (``avs blobs put``, ``avs models register``); 0 disables it."""
    blob_quota_bytes: int = 8 * 1024 * 1024 * 1024
    """Most bytes the blob directory may hold; uploads beyond it are refused."""
    challenge: bool = True
    """Submit slashing evidence for provable faults (for every certified task, whoever
    certified it): equivocations, and on exact task types an in-process watchtower that
    re-executes the task, overturns a wrong certificate and proves wrong results."""
    finalize_consumer_tasks: bool = True
    """Deliver the results of exact-type consumer tasks this aggregator certified
    (``TaskManager.finalize``) once their challenge window closed without an overturn, and
    collect their delivery bounties; off: someone else must run ``avs tasks finalize N``."""
    certify_jitter_seconds: float = 0.0
    """Random pause (0 to this) before each certificate transaction; set about one block
    time when several aggregators compete, so they rarely send for one task together."""
    port_file: Path | None = None
    """If set, the bound gRPC port is written here once serving (for supervisors)."""
    tls_cert_file: Path | None = None
    """PEM certificate chain of the gRPC endpoint (with tls_key_file: TLS only)."""
    tls_key_file: Path | None = None
    """PEM private key of tls_cert_file."""
    tls_client_ca_file: Path | None = None
    """PEM CA certificate; when set, operators must present a client certificate it signed."""
    allow_plaintext: bool = False
    """Serve plaintext gRPC on a non-loopback listen address (only behind a TLS proxy)."""
    peer_aggregators: tuple[str, ...] = ()
    """``host:port`` of other aggregators of this AVS to fetch a model, input or certified
    result from by content hash (GetBlob) when this one lacks it, so it can prove wrong
    results it holds responses for; asked in order, every byte checked against the hash."""
    peer_tls_ca_file: Path | None = None
    """PEM CA that signed the peers' certificates (default: the system's roots)."""
    peer_tls_cert_file: Path | None = None
    """PEM client certificate, for peers that require one (with its key file)."""
    peer_tls_key_file: Path | None = None
    """PEM private key of peer_tls_cert_file."""
    peer_plaintext: bool = False
    """Talk plaintext gRPC to non-loopback peers (only inside a trusted network)."""
    peer_fetch_timeout: float = 30.0
    """Seconds one blob download from one peer may take in all (a peer that trickles or
    stalls is cut off, skipped for a while, and the next peer asked)."""
    peer_max_blob_bytes: int = 64 * 1024 * 1024
    """Largest blob taken from a peer (never more than the blob store's quota has left)."""

    def __post_init__(self) -> None:
        if self.ws_url and not self.ws_url.startswith(("ws://", "wss://")):
            raise ValueError("ws_url must be a ws:// or wss:// URL, or empty to poll only")
        if ":" not in self.listen:
            raise ValueError("listen must be host:port, e.g. 0.0.0.0:50051")
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("set tls_cert_file and tls_key_file together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("tls_client_ca_file needs tls_cert_file and tls_key_file")
        if (self.peer_tls_cert_file is None) != (self.peer_tls_key_file is None):
            raise ValueError("set peer_tls_cert_file and peer_tls_key_file together")
        for peer in self.peer_aggregators:
            host, _, port = peer.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"peer_aggregators entry {peer!r} must be host:port")
        if self.peer_fetch_timeout <= 0 or self.peer_max_blob_bytes <= 0:
            raise ValueError("peer_fetch_timeout and peer_max_blob_bytes must be positive")

    @property
    def tls(self) -> ServerTls | None:
        """The endpoint's TLS settings (None: plaintext)."""
        if self.tls_cert_file is None or self.tls_key_file is None:
            return None
        return ServerTls(self.tls_cert_file, self.tls_key_file, self.tls_client_ca_file)

    @property
    def peer_tls(self) -> ClientTls | None:
        """How to verify peers (None: no files set, so the system's roots, or plaintext to a
        loopback peer; see :func:`avs.rpc.tls.channel_credentials`)."""
        if self.peer_tls_ca_file is None and self.peer_tls_cert_file is None:
            return None
        return ClientTls(self.peer_tls_ca_file, self.peer_tls_cert_file, self.peer_tls_key_file)

    @property
    def task_db(self) -> Path:
        """Path of the persistent task store."""
        return self.data_dir / "tasks.sqlite"

    @property
    def blob_dir(self) -> Path:
        """Directory of blobs served by GetBlob."""
        return self.data_dir / "blobs"


def load_aggregator_config(path: Path | None) -> AggregatorConfig:
    """Read ``path`` (optional) and ``AVS_*`` overrides into an :class:`AggregatorConfig`."""
    return load_config(AggregatorConfig, path)
