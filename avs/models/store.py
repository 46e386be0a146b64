"""BlobStore: fetch by URI or from the aggregator, verify the hash, cache on disk atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import structlog

from avs.models.errors import BlobNotFoundError, BlobTooLargeError, HashMismatchError
from avs.models.fetchers import (
    AGGREGATOR_SCHEME,
    BlobSource,
    Fetcher,
    HttpFetcher,
    fetch_file,
    hash_from_aggregator_uri,
)
from avs.models.hashing import ContentHash, content_hash, hash_hex

log = structlog.get_logger(__name__)

DEFAULT_MAX_BLOB_SIZE = 256 * 1024 * 1024
"""Largest blob accepted by default (256 MiB): an edge model, not a foundation model."""


class BlobStore:
    """A directory of blobs named by Keccak-256; nothing unverified is ever returned or cached.

    Layout: ``<cache_dir>/<0x-hash>``. Writes go to a temporary file in the same directory
    and are renamed into place, so a crash or a concurrent writer never leaves a partial
    blob under a valid name. Cached files are re-hashed on read, so disk corruption is
    detected (the bad file is dropped and fetched again), unless the caller verifies the
    bytes another way (``get(..., rehash_cached=False)``).
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        source: BlobSource | None = None,
        fetchers: Mapping[str, Fetcher] | None = None,
        http_timeout_s: float = 30.0,
        max_blob_size: int = DEFAULT_MAX_BLOB_SIZE,
    ) -> None:
        """Cache under ``cache_dir``; ``source`` serves ``avs-blob://`` URIs and hash-only gets."""
        self.cache_dir = Path(cache_dir)
        self.source = source
        self.max_blob_size = max_blob_size
        http = HttpFetcher(http_timeout_s)
        self._fetchers: dict[str, Fetcher] = {"file": fetch_file, "http": http, "https": http}
        if fetchers:
            self._fetchers.update(fetchers)

    def path_of(self, digest: ContentHash) -> Path:
        """Where the blob ``digest`` lives once cached (it may not exist yet)."""
        return self.cache_dir / hash_hex(digest)

    def contains(self, digest: ContentHash) -> bool:
        """Whether a cached copy exists (it is still verified when read)."""
        return self.path_of(digest).is_file()

    def holds_verified(self, digest: ContentHash) -> bool:
        """Whether a cached copy exists and hashes to ``digest`` (a corrupt one is dropped)."""
        return self._read_cached(digest) is not None

    def total_bytes(self) -> int:
        """Bytes the cached blobs take on disk (for quotas)."""
        if not self.cache_dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.cache_dir.iterdir() if p.is_file())

    def get(
        self, digest: ContentHash, uri: str | None = None, *, rehash_cached: bool = True
    ) -> bytes:
        """Return the verified bytes of ``digest``: from the cache, else from ``uri``/source.

        Without ``uri`` the aggregator source (if any) is asked. Raises
        :class:`HashMismatchError` when fetched bytes hash to something else.
        ``rehash_cached=False`` returns a cached copy without hashing it again: only for a
        caller that checks the bytes itself (a task's inputs against its Merkle root) and
        calls again with the default when that check fails, which drops a corrupt copy.
        Fetched bytes are always hashed before they are cached or returned.
        """
        cached = self._read_cached(digest) if rehash_cached else self._read_file(digest)
        if cached is not None:
            return cached
        data = self._fetch(digest, uri)
        actual = content_hash(data)
        if actual != digest:
            raise HashMismatchError(
                f"blob from {uri or 'the aggregator'} hashes to {hash_hex(actual)}, expected "
                f"{hash_hex(digest)}; the source serves different content, fix the URI or model id"
            )
        self._write(digest, data)
        log.info("blob_cached", content_hash=hash_hex(digest), size=len(data), uri=uri)
        return data

    def put(self, data: bytes) -> ContentHash:
        """Add local bytes to the store and return their content hash."""
        if len(data) > self.max_blob_size:
            raise BlobTooLargeError(
                f"blob of {len(data)} bytes exceeds the {self.max_blob_size}-byte limit"
            )
        digest = content_hash(data)
        if not self.contains(digest):
            self._write(digest, data)
        return digest

    def _read_file(self, digest: ContentHash) -> bytes | None:
        try:
            return self.path_of(digest).read_bytes()
        except FileNotFoundError:
            return None

    def _read_cached(self, digest: ContentHash) -> bytes | None:
        path = self.path_of(digest)
        data = self._read_file(digest)
        if data is None:
            return None
        if content_hash(data) == digest:
            return data
        # Disk corruption or tampering: never serve it; drop it so it is fetched again.
        log.warning("blob_cache_corrupt", content_hash=hash_hex(digest), path=str(path))
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None

    def _fetch(self, digest: ContentHash, uri: str | None) -> bytes:
        if uri is None or uri.startswith(f"{AGGREGATOR_SCHEME}://"):
            if uri is not None and hash_from_aggregator_uri(uri) != digest:
                raise HashMismatchError(
                    f"URI {uri} names a different blob than the requested {hash_hex(digest)}"
                )
            if self.source is None:
                raise BlobNotFoundError(
                    f"blob {hash_hex(digest)} is not cached and no URI or aggregator is configured"
                )
            data = self.source.fetch_blob(digest, self.max_blob_size)
        else:
            scheme = urllib.parse.urlparse(uri).scheme.lower()
            fetcher = self._fetchers.get(scheme)
            if fetcher is None:
                known = ", ".join(f"{s}://" for s in sorted([*self._fetchers, AGGREGATOR_SCHEME]))
                raise BlobNotFoundError(f"unsupported URI scheme in {uri!r}; use one of {known}")
            data = fetcher(uri, self.max_blob_size)
        if len(data) > self.max_blob_size:
            raise BlobTooLargeError(
                f"blob {hash_hex(digest)} has {len(data)} bytes, over the "
                f"{self.max_blob_size}-byte limit"
            )
        return data

    def _write(self, digest: ContentHash, data: bytes) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path_of(digest))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
