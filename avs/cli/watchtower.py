"""``avs watchtower run``: re-execute certified exact tasks and overturn wrong certificates."""

from __future__ import annotations

from pathlib import Path

import click

from avs.cli.targets import aggregator_option, chain_options
from avs.errors import InputError


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
@click.option("--from-block", type=int, help="First block to follow [default: deployment block].")
@click.option("--poll-interval", type=float, default=1.0, show_default=True, help="Seconds.")
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
) -> None:
    """Follow certifications, re-execute each exact task, and on a mismatch submit the
    challenge (after an eth_call shows it succeeds). Runs until Ctrl-C; each check and
    challenge is logged (events certificate_checked, certificate_overturned)."""
    from avs.cli.targets import ChainTarget, aggregator_tls, default_aggregator, default_rpc_url
    from avs.models.store import DEFAULT_MAX_BLOB_SIZE, BlobStore
    from avs.watchtower.build import watchtower_over
    from avs.watchtower.follow import follow_certificates
    from avs.watchtower.source import peer_blob_source

    if not 0 < sample <= 1:
        raise InputError(f"--sample must be in (0, 1], got {sample}")
    for peer in peer_aggregators:
        if not peer.rpartition(":")[2].isdigit():
            raise InputError(f"--peer-aggregator {peer!r} must be HOST:PORT")
    target = ChainTarget(rpc_url or default_rpc_url(), deployment, challenger_key, password_file)
    reader = target.reader()
    writer = target.writer() if challenger_key is not None else None
    sources = dict.fromkeys((aggregator or default_aggregator(), *peer_aggregators))
    source = peer_blob_source(
        list(sources), tls=aggregator_tls, timeout_s=120.0, max_blob_bytes=DEFAULT_MAX_BLOB_SIZE
    )
    blobs = BlobStore(cache_dir, source=source)
    tower = watchtower_over(reader, writer, blobs, sample=sample)
    mode = f"challenging as {writer.address}" if writer else "check-only (no --challenger-key)"
    click.echo(f"watchtower following {target.rpc_url}, {mode}; Ctrl-C stops it", err=True)
    try:
        seen = follow_certificates(reader, tower, from_block, poll_interval=poll_interval)
    except KeyboardInterrupt:
        return
    click.echo(", ".join(f"{check.value} {n}" for check, n in seen.items()), err=True)
