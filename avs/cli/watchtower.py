"""``avs watchtower run``: re-execute certified exact tasks and overturn wrong certificates."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from avs.cli.targets import aggregator_option, chain_options
from avs.errors import InputError

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from avs.watchtower.service import WatchtowerService


@click.group()
def watchtower() -> None:
    """Check certificates of exact task types by re-executing them; challenge wrong ones.

    Anyone can run one: a single honest watcher that can fetch a wrong certificate's result
    bytes (aggregators serve them by hash) is enough to overturn it on chain.
    """


@watchtower.command("run")
@chain_options
@aggregator_option
@click.option(
    "--peer-aggregator",
    "peer_aggregators",
    multiple=True,
    metavar="HOST:PORT",
    help="Another aggregator to fetch models, inputs and result bytes from when --aggregator "
    "lacks them or misbehaves (repeatable; asked in order; every download is hash-checked and "
    "capped in size and time; TLS as for --aggregator).",
)
@click.option(
    "--challenger-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Key that sends challenges and receives rewards: a geth keystore (with "
    "--password-file) or a hex key. Without it, wrong certificates are only reported.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Password of an encrypted --challenger-key.",
)
@click.option(
    "--sample",
    type=float,
    default=1.0,
    show_default=True,
    help="Fraction of certified exact tasks to re-execute (0 < SAMPLE <= 1).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".watchtower"),
    show_default=True,
    help="Where models, inputs and result bytes are cached (verified by hash).",
)
@click.option(
    "--from-block",
    type=int,
    help="First block to follow [default: the oldest block whose certificates can still be "
    "challenged].",
)
@click.option("--poll-interval", type=float, default=1.0, show_default=True, help="Seconds.")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Serve Prometheus /metrics on this port (0: off): checks by outcome, evidence sent, "
    "follower failures, blob requests per aggregator.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Interface of the metrics endpoint (0.0.0.0 to be scraped from other machines).",
)
def run(
    rpc_url: str | None,
    deployment: Path,
    aggregator: str | None,
    peer_aggregators: tuple[str, ...],
    challenger_key: Path | None,
    password_file: Path | None,
    sample: float,
    cache_dir: Path,
    from_block: int | None,
    poll_interval: float,
    metrics_port: int,
    metrics_host: str,
) -> None:
    """Follow certifications, re-execute each exact task, and on a mismatch submit the
    challenge (after an eth_call shows it succeeds). Runs until SIGTERM or Ctrl-C; each
    check and challenge is logged (events certificate_checked, certificate_overturned); a
    chain or aggregator outage is logged, counted and retried with backoff, never fatal."""
    from prometheus_client import CollectorRegistry

    from avs.cli.targets import ChainTarget, aggregator_tls, default_aggregator, default_rpc_url
    from avs.models.store import DEFAULT_MAX_BLOB_SIZE, BlobStore
    from avs.watchtower.build import watchtower_over
    from avs.watchtower.service import WatchtowerService
    from avs.watchtower.source import peer_blob_source

    if not 0 < sample <= 1:
        raise InputError(f"--sample must be in (0, 1], got {sample}")
    for peer in peer_aggregators:
        if not peer.rpartition(":")[2].isdigit():
            raise InputError(f"--peer-aggregator {peer!r} must be HOST:PORT")
    target = ChainTarget(rpc_url or default_rpc_url(), deployment, challenger_key, password_file)
    reader = target.reader()
    writer = target.writer() if challenger_key is not None else None
    registry = CollectorRegistry()
    sources = dict.fromkeys((aggregator or default_aggregator(), *peer_aggregators))
    source = peer_blob_source(
        list(sources),
        tls=aggregator_tls,
        timeout_s=120.0,
        max_blob_bytes=DEFAULT_MAX_BLOB_SIZE,
        registry=registry,
        hint="pass --aggregator or --peer-aggregator with an aggregator that holds it",
    )
    blobs = BlobStore(cache_dir, source=source)
    tower = watchtower_over(reader, writer, blobs, sample=sample, registry=registry)
    service = WatchtowerService(reader, tower, from_block, poll_interval=poll_interval)
    mode = f"challenging as {writer.address}" if writer else "check-only (no --challenger-key)"
    click.echo(f"watchtower following {target.rpc_url}, {mode}; Ctrl-C stops it", err=True)
    try:
        with _metrics_endpoint(registry, metrics_host, metrics_port):
            asyncio.run(_until_signalled(service))
    finally:
        source.close()
    click.echo(", ".join(f"{check.value} {n}" for check, n in service.seen.items()), err=True)


@contextlib.contextmanager
def _metrics_endpoint(registry: CollectorRegistry, host: str, port: int) -> Iterator[None]:
    """Serve ``registry`` on ``host:port`` while the block runs (port 0: not at all)."""
    from avs.metrics import serve_metrics

    if port == 0:
        yield
        return
    try:
        server = serve_metrics(registry, host, port)
    except OSError as exc:
        raise InputError(
            f"cannot serve metrics on {host}:{port} ({exc.strerror or exc}); choose a free "
            "--metrics-port"
        ) from exc
    click.echo(f"metrics on http://{host}:{server.server_port}/metrics", err=True)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


async def _until_signalled(service: WatchtowerService) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await service.run(stop)
