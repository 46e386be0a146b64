"""``avs blobs``: put files into the aggregator's content-addressed blob store, get them back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from avs.cli.targets import aggregator_blobs, aggregator_option
from avs.errors import InputError

MAX_GET_BYTES = 256 * 1024 * 1024


@click.group()
def blobs() -> None:
    """Models and input batches in the aggregator's blob store, named by Keccak-256.

    Operators fetch blobs by hash (``avs-blob://0x<hash>``) and check the hash before use.
    """


def read_file(path: Path, what: str = "file") -> bytes:
    """The bytes of ``path``, or a one-line InputError."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


@blobs.command("put")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@aggregator_option
@click.option("--json", "as_json", is_flag=True, help="Print hash, URI, size and created as JSON.")
def put(file: Path, aggregator: str | None, as_json: bool) -> None:
    """Upload FILE; print its content hash and the avs-blob:// URI operators fetch it by.

    Idempotent: putting the same bytes again stores nothing new (created: false).
    """
    from avs.models.fetchers import aggregator_uri
    from avs.models.hashing import hash_hex

    data = read_file(file)
    with aggregator_blobs(aggregator) as client:
        outcome = client.put(data)
    uri = aggregator_uri(outcome.content_hash)
    if as_json:
        body = {
            "content_hash": hash_hex(outcome.content_hash),
            "uri": uri,
            "size": outcome.size,
            "created": outcome.created,
        }
        click.echo(json.dumps(body))
    else:
        state = "stored" if outcome.created else "already stored"
        click.echo(f"{hash_hex(outcome.content_hash)}  {outcome.size} bytes  {state}")
        click.echo(uri)


@blobs.command("get")
@click.argument("content_hash", metavar="HASH")
@aggregator_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the blob here [default: stdout].",
)
@click.option(
    "--max-bytes",
    default=MAX_GET_BYTES,
    show_default=True,
    help="Refuse blobs larger than this.",
)
def get(content_hash: str, aggregator: str | None, output: Path | None, max_bytes: int) -> None:
    """Download blob HASH (0x + 64 hex digits, or its avs-blob:// URI) and check its hash."""
    from avs.models.fetchers import AGGREGATOR_SCHEME, hash_from_aggregator_uri
    from avs.models.hashing import parse_content_hash

    if content_hash.startswith(f"{AGGREGATOR_SCHEME}://"):
        digest = hash_from_aggregator_uri(content_hash)
    else:
        digest = parse_content_hash(content_hash)
    with aggregator_blobs(aggregator) as client:
        data = client.get(digest, max_bytes)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
