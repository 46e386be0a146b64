"""GetBlob, server side: offsets checked first, bytes read chunk by chunk in worker threads.

A blob is hashed once (in a thread) the first time it is served and again only when its
file changes, never per call on the event loop: a peer asking for a 64 MiB blob at its
end offset costs a ``stat``, not a re-hash. Memory per stream is one chunk.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from avs.errors import InputError
from avs.models.errors import BlobNotFoundError
from avs.models.hashing import ContentHash, hash_hex
from avs.models.store import BlobStore
from avs.rpc.blobs import CHUNK_SIZE, parse_blob_request
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION


@dataclass(frozen=True, slots=True)
class BlobSlice:
    """A verified blob file and the byte range a GetBlob call asked for."""

    path: Path
    """The blob's file in the store."""
    size: int
    """Its size in bytes."""
    offset: int
    """First byte to send (0 <= offset <= size)."""


class BlobServer:
    """Serves GetBlob from a :class:`BlobStore` without blocking the event loop."""

    def __init__(self, store: BlobStore, chunk_size: int = CHUNK_SIZE) -> None:
        """Serve blobs held in ``store``, ``chunk_size`` bytes per message."""
        self._store = store
        self._chunk = chunk_size
        # digest -> (size, mtime_ns) of the file last found to hash correctly
        self._verified: dict[ContentHash, tuple[int, int]] = {}

    async def open(self, request: aggregator_pb2.GetBlobRequest) -> BlobSlice:
        """Validate ``request`` against the blob (InputError, BlobNotFoundError) before any byte."""
        digest, offset = parse_blob_request(request)
        path, size = await asyncio.to_thread(self._verified_file, digest)
        if offset > size:
            raise InputError(f"offset {offset} is past the end of a {size}-byte blob")
        return BlobSlice(path, size, offset)

    async def chunks(self, blob: BlobSlice) -> AsyncIterator[aggregator_pb2.BlobChunk]:
        """The reply stream of ``blob`` (an empty remainder still yields one chunk, so the
        client learns ``total_size``)."""
        fd = await asyncio.to_thread(os.open, blob.path, os.O_RDONLY)
        try:
            start = blob.offset
            while True:
                data = await asyncio.to_thread(os.pread, fd, self._chunk, start)
                yield aggregator_pb2.BlobChunk(
                    version=WIRE_VERSION, offset=start, data=data, total_size=blob.size
                )
                start += len(data)
                if not data or start >= blob.size:
                    return
        finally:
            os.close(fd)

    def _verified_file(self, digest: ContentHash) -> tuple[Path, int]:
        path = self._store.path_of(digest)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise BlobNotFoundError(
                f"blob {hash_hex(digest)} is not held by this aggregator"
            ) from None
        stamp = (info.st_size, info.st_mtime_ns)
        if self._verified.get(digest) != stamp:
            # Only blobs already in the store are served (never fetched for a peer); a
            # corrupt file is dropped by the store and reported as missing.
            if not self._store.contains(digest):
                raise BlobNotFoundError(f"blob {hash_hex(digest)} is not held by this aggregator")
            self._store.get(digest)
            self._verified[digest] = stamp
        return path, info.st_size
