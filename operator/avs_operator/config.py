"""Operator node configuration (``operator.yaml`` + ``AVS_*`` overrides)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from avs.config import load_config
from avs.rpc.tls import ClientTls


@dataclass(frozen=True, slots=True)
class OperatorConfig:
    """Everything an operator node needs; secrets appear only as file paths."""

    rpc_url: str
    """JSON-RPC URL of the chain the AVS contracts live on."""
    deployment: Path
    """Deployment JSON written by ``avs deploy`` (contract addresses, chain id)."""
    bls_key_file: Path
    """BLS key file (eigenlayer-cli keystore layout)."""
    ecdsa_key_file: Path
    """ECDSA key file (geth keystore v3) of the operator's address."""
    data_dir: Path
    """Holds ``protection.sqlite`` (never delete it) and the ``models/`` cache."""
    aggregator_url: str = ""
    """``host:port`` of the aggregator's gRPC endpoint (one aggregator; see aggregator_urls)."""
    aggregator_tls_ca_file: Path | None = None
    """PEM CA that signed the aggregator's certificate (default: the system's roots)."""
    aggregator_tls_cert_file: Path | None = None
    """PEM client certificate, for aggregators that require one (with its key file)."""
    aggregator_tls_key_file: Path | None = None
    """PEM private key of aggregator_tls_cert_file."""
    aggregator_plaintext: bool = False
    """Talk plaintext gRPC to a non-loopback aggregator (only inside a trusted network)."""
    aggregator_urls: tuple[str, ...] = ()
    """``host:port`` of every aggregator to send responses to (the first one also serves the
    task stream); models and inputs are fetched from the first, then the others in order
    (hash-checked); aggregator_url alone is the same as a one-element list."""
    bls_password_file: Path | None = None
    """File holding the BLS key password (empty file: empty password)."""
    ecdsa_password_file: Path | None = None
    """File holding the ECDSA key password."""
    node_api_host: str = "0.0.0.0"  # noqa: S104 - the node API is meant to be scraped by probes
    """Interface of the node API."""
    node_api_port: int = 9010
    """Port of ``/eigen/node`` endpoints (0 picks a free port)."""
    metrics_port: int = 9090
    """Port of Prometheus ``/metrics`` (0 picks a free port, -1 disables)."""
    execution_providers: tuple[str, ...] = ("CPUExecutionProvider",)
    """onnxruntime execution providers in order of preference; CPU is always the fallback."""
    intra_op_threads: int = 1
    """onnxruntime threads per inference session."""
    poll_interval: float = 0.5
    """Seconds between chain polls for new tasks."""
    ws_url: str = ""
    """Websocket JSON-RPC endpoint of the same chain (``ws://``/``wss://``; anvil serves it
    on rpc_url's port): new blocks are pushed (``eth_subscribe newHeads``) and read at once
    instead of at the next poll. Empty: poll only. Polls go on as the fallback either way."""
    listen_chain: bool = True
    """Learn tasks from chain events."""
    listen_stream: bool = True
    """Learn tasks from the aggregator's SubscribeTasks stream."""
    max_concurrent_tasks: int = 2
    """Tasks processed at once (inference runs in a thread pool of this size)."""
    stream_lifetime: float = 300.0
    """Seconds before the task stream is renewed (its deadline; detects dead connections)."""
    submit_timeout: float = 10.0
    """Deadline of one SubmitResponse call, in seconds."""
    submit_retries: int = 5
    """Attempts per response within one try of a task (exponential backoff); a task whose
    submission still fails is tried again, with capped backoff, until its deadline block."""
    block_time: float = 12.0
    """Seconds between blocks: the chain counts as stalled after head_stall_blocks block
    times without a new block, and a deadline is estimated with it while the chain is down."""
    head_stall_blocks: int = 5
    """Block times without a new block before the node reports the chain head stalled."""
    shutdown_grace: float = 20.0
    """Seconds to finish in-flight tasks after SIGTERM."""
    allow_file_inputs: bool = False
    """Local development only: fetch task inputs from ``file://`` URIs (regular files)."""
    input_deadline: float = 120.0
    """Seconds one task-input download may take in total (a trickling source is cut off)."""
    devnet_fault: str = ""
    """Devnet only: ``wrong_label`` makes this node sign wrong labels on purpose."""
    watchtower: bool = True
    """Re-execute every certified task of an exact task type (int-mlp) in-process, fetching
    models, inputs and certified results from the aggregators (the primary first, then the
    others in aggregator_urls); a wrong certificate is logged and counted
    (``avs_watchtower_checks_total{outcome="wrong"}``), or overturned on chain when
    watchtower_key_file is set."""
    watchtower_key_file: Path | None = None
    """ECDSA key (geth keystore v3 or hex) that sends the watchtower's challenges and receives
    their rewards (needs ETH for gas). Unset: check-only."""
    watchtower_password_file: Path | None = None
    """File holding the password of an encrypted watchtower_key_file."""
    quorums: tuple[int, ...] = field(default=(0,))
    """Quorums (operator sets) to join when registering."""
    metadata_uri: str = ""
    """Operator metadata URI published when registering (EigenLayer's metadata document
    {name, website, logo, description} at an https:// URL, or a data: URI from `avs operator
    metadata`); stakers see the name. Empty: none."""

    def __post_init__(self) -> None:
        if self.ws_url and not self.ws_url.startswith(("ws://", "wss://")):
            raise ValueError("ws_url must be a ws:// or wss:// URL, or empty to poll only")
        if self.devnet_fault not in ("", "wrong_label"):
            raise ValueError("devnet_fault must be empty or 'wrong_label'")
        if (self.aggregator_tls_cert_file is None) != (self.aggregator_tls_key_file is None):
            raise ValueError("set aggregator_tls_cert_file and aggregator_tls_key_file together")
        if not self.aggregators:
            raise ValueError("set aggregator_url (or aggregator_urls): the aggregator's host:port")
        if self.block_time <= 0 or self.head_stall_blocks < 1:
            raise ValueError("block_time must be positive and head_stall_blocks at least 1")
        if self.submit_retries < 1:
            raise ValueError("submit_retries must be at least 1")
        if self.input_deadline <= 0:
            raise ValueError("input_deadline must be positive (seconds)")
        if self.max_concurrent_tasks < 1:
            raise ValueError("max_concurrent_tasks must be at least 1")
        if self.watchtower_key_file is not None and not self.watchtower:
            raise ValueError("watchtower_key_file is set but watchtower is off")
        if not (self.listen_chain or self.listen_stream):
            raise ValueError("listen_chain and listen_stream are both off; enable at least one")

    @property
    def aggregators(self) -> tuple[str, ...]:
        """Every aggregator endpoint, the primary (task stream, first asked for blobs) first,
        without repeats."""
        urls = (*self.aggregator_urls, *((self.aggregator_url,) if self.aggregator_url else ()))
        return tuple(dict.fromkeys(u for u in urls if u))

    @property
    def aggregator_tls(self) -> ClientTls | None:
        """How to verify the aggregator (None: no files set, so the system's roots, or
        plaintext to a loopback aggregator; see :func:`avs.rpc.tls.channel_credentials`)."""
        if self.aggregator_tls_ca_file is None and self.aggregator_tls_cert_file is None:
            return None
        return ClientTls(
            self.aggregator_tls_ca_file, self.aggregator_tls_cert_file, self.aggregator_tls_key_file
        )

    @property
    def protection_db(self) -> Path:
        """Path of the slashing-protection database."""
        return self.data_dir / "protection.sqlite"

    @property
    def model_cache(self) -> Path:
        """Directory of the node's content-addressed blob store (models, inputs, certified
        results), shared by its worker and its watchtower."""
        return self.data_dir / "models"


def load_operator_config(path: Path | None) -> OperatorConfig:
    """Read ``path`` (optional) and ``AVS_*`` overrides into an :class:`OperatorConfig`."""
    return load_config(OperatorConfig, path)
