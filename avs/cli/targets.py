"""Options shared by the developer commands: which chain, deployment, aggregator and key.

Every default points at a local devnet (``avs devnet up`` writes ``.devnet/rpc_url``,
``.devnet/aggregator_url`` and ``.devnet/deployment.json``), so on a devnet the commands
need no flags; anywhere else the flags (or ``AVS_*`` environment variables) say where to go.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from avs.cli.account import account_options, signing_key
from avs.devnet.layout import DEFAULT_WORKDIR, DevnetLayout
from avs.rpc.tls import ClientTls

if TYPE_CHECKING:
    from avs.chain.reader import ChainReader
    from avs.chain.writer import ChainWriter
    from avs.rpc.blob_client import BlobClient

F = TypeVar("F", bound=Callable[..., Any])

DEVNET = DevnetLayout(DEFAULT_WORKDIR)
FALLBACK_RPC_URL = "http://127.0.0.1:8545"
FALLBACK_AGGREGATOR = "127.0.0.1:50051"


def _devnet_file(path: Path, fallback: str) -> str:
    try:
        text = path.read_text().strip()
    except OSError:
        return fallback
    return text or fallback


def default_rpc_url() -> str:
    """The running devnet's RPC URL, else the local default."""
    return _devnet_file(DEVNET.rpc_url_file, FALLBACK_RPC_URL)


def default_aggregator() -> str:
    """The running devnet's aggregator ``host:port``, else the local default."""
    return _devnet_file(DEVNET.aggregator_url_file, FALLBACK_AGGREGATOR)


def aggregator_tls(target: str | None = None) -> ClientTls | None:
    """How developer commands verify the aggregator at ``target``: ``$AVS_AGGREGATOR_CA_FILE``
    (a PEM CA) when set; the devnet's throwaway CA for the devnet's own aggregator; else None
    (the system's roots, or plaintext to a loopback aggregator)."""
    ca = os.environ.get("AVS_AGGREGATOR_CA_FILE", "")
    if ca:
        return ClientTls(Path(ca))
    devnet = _devnet_file(DEVNET.aggregator_url_file, "")
    if devnet and target in (None, devnet) and DEVNET.ca_file.is_file():
        return ClientTls(DEVNET.ca_file)
    return None


def aggregator_blobs(aggregator: str | None) -> BlobClient:
    """A blob client for ``aggregator`` (else the devnet's), per :func:`aggregator_tls`."""
    from avs.rpc.blob_client import BlobClient

    target = aggregator or default_aggregator()
    return BlobClient(target, tls=aggregator_tls(target))


def aggregator_option(fn: F) -> F:
    """``--aggregator HOST:PORT``."""
    return click.option(
        "--aggregator",
        envvar="AVS_AGGREGATOR",
        help="Aggregator gRPC address HOST:PORT [default: the devnet's .devnet/aggregator_url, "
        f"else {FALLBACK_AGGREGATOR}; env AVS_AGGREGATOR]. TLS unless on loopback; env "
        "AVS_AGGREGATOR_CA_FILE names the CA that signed its certificate (the devnet's own "
        "aggregator is verified with its throwaway CA, .devnet/tls/ca.pem).",
    )(fn)


def chain_options(fn: F) -> F:
    """``--rpc-url`` and ``--deployment``."""
    fn = click.option(
        "--deployment",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEVNET.deployment,
        show_default=True,
        envvar="AVS_DEPLOYMENT",
        help="Deployment JSON written by 'avs deploy' or the devnet (env AVS_DEPLOYMENT).",
    )(fn)
    return click.option(
        "--rpc-url",
        envvar="AVS_RPC_URL",
        help="JSON-RPC URL [default: the devnet's .devnet/rpc_url, else "
        f"{FALLBACK_RPC_URL}; env AVS_RPC_URL].",
    )(fn)


key_options = account_options("Sender key", envvar="AVS_PRIVATE_KEY_FILE")
"""``--private-key-file`` and ``--password-file`` (who pays and signs)."""


@dataclass(frozen=True, slots=True)
class ChainTarget:
    """Where a command reads and writes the chain."""

    rpc_url: str
    deployment: Path
    private_key_file: Path | None = None
    password_file: Path | None = None

    def reader(self) -> ChainReader:
        """A :class:`avs.chain.reader.ChainReader` (no key needed)."""
        from avs.chain.client import ChainClient
        from avs.chain.deployment import Deployment
        from avs.chain.reader import ChainReader

        deployment = Deployment.load(self.deployment)
        return ChainReader(ChainClient.connect(self.rpc_url), deployment)

    def writer(self) -> ChainWriter:
        """A :class:`avs.chain.writer.ChainWriter` signing with the chosen key."""
        from avs.chain.client import ChainClient
        from avs.chain.deployment import Deployment
        from avs.chain.writer import ChainWriter

        deployment = Deployment.load(self.deployment)
        client = ChainClient.connect(self.rpc_url)
        key = signing_key(client.chain_id, self.private_key_file, self.password_file, "sender")
        return ChainWriter(client.with_account(key), deployment)


def chain_target(
    rpc_url: str | None,
    deployment: Path,
    private_key_file: Path | None = None,
    password_file: Path | None = None,
) -> ChainTarget:
    """The target from the shared options (defaults filled in)."""
    return ChainTarget(rpc_url or default_rpc_url(), deployment, private_key_file, password_file)
