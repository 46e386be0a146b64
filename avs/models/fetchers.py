"""Where blob bytes come from: ``file://`` paths, ``http(s)://`` URLs and the aggregator.

A fetcher only moves bytes; it never decides whether they are right. :class:`BlobStore`
checks every fetched byte string against the requested content hash before use.
"""

from __future__ import annotations

import os
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Protocol

from avs.models.errors import BlobNotFoundError, BlobTooLargeError, DownloadDeadlineError
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


READ_CHUNK = 64 * 1024
"""Bytes asked for per read: a deadline or size cap is checked at least this often."""


def fetch_file(uri: str, max_size: int) -> bytes:
    """Read a ``file://`` URI (absolute path; host empty or ``localhost``).

    Only regular files: a device (``/dev/zero`` reports size 0 and never ends), a FIFO or a
    directory is refused, and never more than ``max_size`` bytes are read whatever the file
    claims its size is.
    """
    parsed = urllib.parse.urlparse(uri)
    if parsed.netloc not in ("", "localhost"):
        raise BlobNotFoundError(
            f"file URI {uri!r} names host {parsed.netloc!r}; use file:///absolute/path"
        )
    path = Path(urllib.parse.unquote(parsed.path))
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise BlobNotFoundError(f"{uri}: no such file; check the path") from exc
    except OSError as exc:
        raise BlobNotFoundError(f"{uri}: cannot read ({exc.strerror})") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BlobNotFoundError(f"{uri} is not a regular file; blobs are read from files only")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_size:
            raise BlobTooLargeError(
                f"{uri} holds {info.st_size} bytes, over the {max_size}-byte limit; raise the limit"
            )
        try:
            data = handle.read(max_size + 1)
        except OSError as exc:
            raise BlobNotFoundError(f"{uri}: cannot read ({exc.strerror})") from exc
    if len(data) > max_size:
        raise BlobTooLargeError(f"{uri} grew past the {max_size}-byte limit while being read")
    return data


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to ``http(s)`` only (urllib would also follow ``ftp://``)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urllib.parse.urlparse(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a non-http(s) URL refused: {msg}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


class HttpFetcher:
    """Fetch ``http(s)://`` URLs with a hard size limit and an overall deadline.

    ``timeout_s`` bounds connecting and each read; ``deadline_s`` bounds the whole download,
    so a server that trickles a byte at a time cannot hold a worker (it overruns the
    deadline by at most one read, itself bounded by ``timeout_s``).
    """

    def __init__(self, timeout_s: float = 30.0, deadline_s: float = 120.0) -> None:
        """Give up on a read after ``timeout_s`` and on the download after ``deadline_s``."""
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s

    def __call__(self, uri: str, max_size: int) -> bytes:
        """Download ``uri``; a Content-Length or body over ``max_size`` is refused."""
        request = urllib.request.Request(uri, headers={"User-Agent": "edge-avs"})  # noqa: S310
        give_up = time.monotonic() + self.deadline_s
        timeout = min(self.timeout_s, self.deadline_s)
        try:
            # The scheme was checked by the caller's dispatch, so only http(s) reaches here.
            with _OPENER.open(request, timeout=timeout) as response:
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > max_size:
                    raise BlobTooLargeError(
                        f"{uri} declares {declared} bytes, over the {max_size}-byte limit"
                    )
                data = _read_capped(response, uri, max_size, give_up, self.deadline_s)
        except urllib.error.HTTPError as exc:
            raise BlobNotFoundError(f"{uri}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BlobNotFoundError(f"{uri}: cannot download ({reason}); check the URL") from exc
        return data


def _read_capped(
    response: IO[bytes], uri: str, max_size: int, give_up: float, deadline_s: float
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > give_up:
            raise DownloadDeadlineError(
                f"{uri}: download took longer than {deadline_s:g} s; the source is too slow"
            )
        # read1: at most one read on the socket, so the deadline is checked between reads.
        chunk = response.read1(READ_CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_size:
            raise BlobTooLargeError(f"{uri} sent more than the {max_size}-byte limit")
        chunks.append(chunk)


def aggregator_uri(content_hash: ContentHash) -> str:
    """The ``avs-blob://`` URI under which the aggregator serves ``content_hash``."""
    return f"{AGGREGATOR_SCHEME}://{hash_hex(content_hash)}"


def hash_from_aggregator_uri(uri: str) -> ContentHash:
    """Parse the hash out of an ``avs-blob://0x<hash>`` URI."""
    return parse_content_hash(uri.split("://", 1)[1].strip("/"))
