"""PutBlob, server side: bounded, hash-checked, content-addressed, idempotent uploads.

Anyone who can reach the aggregator can call PutBlob, so every resource an upload uses is
bounded before it is spent: the declared size against ``max_blob_bytes`` and the store's
quota, the bytes actually sent against the declared size, the number of uploads at once,
and the time one upload may take. Nothing is stored unless its Keccak-256 equals the
declared hash; hashing and disk writes run in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from avs.errors import InputError
from avs.models.errors import BlobTooLargeError, HashMismatchError, StoreFullError
from avs.models.hashing import ContentHash, content_hash, hash_hex, parse_content_hash
from avs.models.store import BlobStore
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION, check_version

MAX_CHUNK_BYTES = 1024 * 1024
"""Largest ``data`` in one PutBlobChunk (the proto's documented bound)."""


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """How much PutBlob may take from the aggregator."""

    max_blob_bytes: int = 64 * 1024 * 1024
    """Largest blob accepted (0 disables PutBlob)."""
    quota_bytes: int = 8 * 1024 * 1024 * 1024
    """Most bytes the blob directory may hold after an upload."""
    max_concurrent: int = 4
    """Uploads in progress at once; more are refused (RESOURCE_EXHAUSTED), not queued."""
    timeout_s: float = 120.0
    """Longest one upload may take (a slow sender cannot hold a slot forever)."""


@dataclass(frozen=True, slots=True)
class _Header:
    digest: ContentHash
    total_size: int


class BlobUploads:
    """Receives PutBlob streams into a :class:`BlobStore` under :class:`UploadLimits`."""

    def __init__(self, store: BlobStore, limits: UploadLimits | None = None) -> None:
        """Store uploads in ``store``; ``limits`` default to :class:`UploadLimits`()."""
        self._store = store
        self.limits = limits or UploadLimits()
        self._active = 0
        self._reserved = 0
        """Bytes that uploads in progress may still add (counted against the quota)."""

    async def receive(
        self, chunks: AsyncIterator[aggregator_pb2.PutBlobChunk]
    ) -> aggregator_pb2.PutBlobReply:
        """Consume one upload stream and answer it; AvsErrors say why it was refused."""
        if self.limits.max_blob_bytes <= 0:
            raise StoreFullError("this aggregator does not accept uploads (PutBlob is disabled)")
        if self._active >= self.limits.max_concurrent:
            raise StoreFullError(f"{self._active} uploads already in progress; retry in a moment")
        self._active += 1
        try:
            async with asyncio.timeout(self.limits.timeout_s):
                return await self._receive(chunks)
        except TimeoutError:
            raise InputError(
                f"upload took longer than {self.limits.timeout_s:.0f} s; send it faster"
            ) from None
        finally:
            self._active -= 1

    async def _receive(
        self, chunks: AsyncIterator[aggregator_pb2.PutBlobChunk]
    ) -> aggregator_pb2.PutBlobReply:
        first = await anext(chunks, None)
        if first is None:
            raise InputError("PutBlob stream ended before its first chunk")
        header = self._header(first)
        if await asyncio.to_thread(self._store.holds_verified, header.digest):
            return _reply(header, created=False)  # idempotent: the rest need not be read
        used = await asyncio.to_thread(self._store.total_bytes)
        # Uploads in flight count too, or concurrent ones could each pass and together overrun.
        if used + self._reserved + header.total_size > self.limits.quota_bytes:
            raise StoreFullError(
                f"a {header.total_size}-byte blob would exceed this aggregator's blob quota "
                f"({used} of {self.limits.quota_bytes} bytes used, {self._reserved} in flight)"
            )
        self._reserved += header.total_size
        try:
            return await self._store_upload(header, first, chunks)
        finally:
            self._reserved -= header.total_size

    async def _store_upload(
        self,
        header: _Header,
        first: aggregator_pb2.PutBlobChunk,
        chunks: AsyncIterator[aggregator_pb2.PutBlobChunk],
    ) -> aggregator_pb2.PutBlobReply:
        data = bytearray()
        _append(data, header, first)
        async for chunk in chunks:
            _append(data, header, chunk)
        if len(data) != header.total_size:
            raise InputError(f"upload ended after {len(data)} of {header.total_size} bytes")
        blob = bytes(data)
        actual = await asyncio.to_thread(content_hash, blob)
        if actual != header.digest:
            raise HashMismatchError(
                f"uploaded bytes hash to {hash_hex(actual)}, not the declared "
                f"{hash_hex(header.digest)}; nothing was stored"
            )
        await asyncio.to_thread(self._store.put, blob)
        return _reply(header, created=True)

    def _header(self, chunk: aggregator_pb2.PutBlobChunk) -> _Header:
        check_version(chunk.version, "PutBlobChunk")
        digest = parse_content_hash(bytes(chunk.content_hash))
        total = int(chunk.total_size)
        if total > self.limits.max_blob_bytes:
            raise BlobTooLargeError(
                f"blob of {total} bytes exceeds this aggregator's "
                f"{self.limits.max_blob_bytes}-byte upload limit"
            )
        return _Header(digest, total)


def _append(data: bytearray, header: _Header, chunk: aggregator_pb2.PutBlobChunk) -> None:
    """Add one chunk after checking it belongs to this upload and stays within its size."""
    check_version(chunk.version, "PutBlobChunk")
    if bytes(chunk.content_hash) != header.digest or chunk.total_size != header.total_size:
        raise InputError("a PutBlob chunk names another blob than the first chunk")
    if chunk.offset != len(data):
        raise InputError(f"PutBlob chunk at offset {chunk.offset}, expected {len(data)}")
    if len(chunk.data) > MAX_CHUNK_BYTES:
        raise InputError(f"PutBlob chunk of {len(chunk.data)} bytes; at most {MAX_CHUNK_BYTES}")
    if len(data) + len(chunk.data) > header.total_size:
        raise BlobTooLargeError(f"upload sends more than the declared {header.total_size} bytes")
    data += chunk.data


def _reply(header: _Header, *, created: bool) -> aggregator_pb2.PutBlobReply:
    return aggregator_pb2.PutBlobReply(
        version=WIRE_VERSION,
        content_hash=header.digest,
        size=header.total_size,
        created=created,
    )
