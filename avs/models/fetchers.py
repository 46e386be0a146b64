"""Where blob bytes come from: ``file://`` paths, ``http(s)://`` URLs and the aggregator.

A fetcher only moves bytes; it never decides whether they are right. :class:`BlobStore`
checks every fetched byte string against the requested content hash before use.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Protocol

from avs.models.errors import BlobNotFoundError, BlobTooLargeError
from avs.models.hashing import ContentHash, hash_hex, parse_content_hash

AGGREGATOR_SCHEME = "avs-blob"
"""``avs-blob://0x<keccak256>``: a blob served by the aggregator's ``GetBlob`` stream."""


class BlobSource(Protocol):
    """Something that can hand over a blob by content hash (the aggregator's gRPC client).

    Defined here so avs.models never imports grpc; avs.rpc implements it.
    """

    def fetch_blob(self, content_hash: ContentHash, max_size: int) -> bytes:
        """Return the blob's bytes (unverified); raise ModelError if it is unavailable."""
        ...


class Fetcher(Protocol):
    """Fetch the bytes a URI points at, refusing more than ``max_size`` bytes."""

    def __call__(self, uri: str, max_size: int) -> bytes:
        """Return the bytes at ``uri``; raise ModelError when they cannot be had."""
        ...


def fetch_file(uri: str, max_size: int) -> bytes:
    """Read a ``file://`` URI (absolute path; host empty or ``localhost``)."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.netloc not in ("", "localhost"):
        raise BlobNotFoundError(
            f"file URI {uri!r} names host {parsed.netloc!r}; use file:///absolute/path"
        )
    path = Path(urllib.parse.unquote(parsed.path))
    try:
        size = path.stat().st_size
        if size > max_size:
            raise BlobTooLargeError(
                f"{uri} holds {size} bytes, over the {max_size}-byte limit; raise the limit"
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BlobNotFoundError(f"{uri}: no such file; check the path") from exc
    except OSError as exc:
        raise BlobNotFoundError(f"{uri}: cannot read ({exc.strerror})") from exc


class HttpFetcher:
    """Fetch ``http(s)://`` URLs with urllib, a timeout and a hard size limit."""

    def __init__(self, timeout_s: float = 30.0) -> None:
        """Use ``timeout_s`` for connecting and for each read."""
        self.timeout_s = timeout_s

    def __call__(self, uri: str, max_size: int) -> bytes:
        """Download ``uri``; a Content-Length or body over ``max_size`` is refused."""
        request = urllib.request.Request(uri, headers={"User-Agent": "edge-avs"})  # noqa: S310
        try:
            # The scheme was checked by the store's dispatch, so only http(s) reaches here.
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > max_size:
                    raise BlobTooLargeError(
                        f"{uri} declares {declared} bytes, over the {max_size}-byte limit"
                    )
                data: bytes = response.read(max_size + 1)
        except urllib.error.HTTPError as exc:
            raise BlobNotFoundError(f"{uri}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BlobNotFoundError(f"{uri}: cannot download ({reason}); check the URL") from exc
        if len(data) > max_size:
            raise BlobTooLargeError(f"{uri} sent more than the {max_size}-byte limit")
        return data


def aggregator_uri(content_hash: ContentHash) -> str:
    """The ``avs-blob://`` URI under which the aggregator serves ``content_hash``."""
    return f"{AGGREGATOR_SCHEME}://{hash_hex(content_hash)}"


def hash_from_aggregator_uri(uri: str) -> ContentHash:
    """Parse the hash out of an ``avs-blob://0x<hash>`` URI."""
    return parse_content_hash(uri.split("://", 1)[1].strip("/"))
