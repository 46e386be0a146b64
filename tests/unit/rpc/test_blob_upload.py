"""BlobUploads driven directly on one event loop: limits that depend on uploads in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from avs.errors import InputError
from avs.models import BlobStore, content_hash
from avs.models.errors import StoreFullError
from avs.rpc.blob_upload import BlobUploads, UploadLimits
from avs.rpc.v1 import aggregator_pb2


def chunk(digest: bytes, total: int, offset: int, data: bytes) -> aggregator_pb2.PutBlobChunk:
    return aggregator_pb2.PutBlobChunk(
        version=1, content_hash=digest, total_size=total, offset=offset, data=data
    )


async def whole(data: bytes) -> AsyncIterator[aggregator_pb2.PutBlobChunk]:
    yield chunk(content_hash(data), len(data), 0, data)


class Stalled:
    """An upload that sends its first byte, then waits; ``accepted`` is set once the server
    asks for more (so it has taken the first chunk and counted the upload)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.accepted = asyncio.Event()
        self.release = asyncio.Event()

    async def chunks(self) -> AsyncIterator[aggregator_pb2.PutBlobChunk]:
        yield chunk(content_hash(b"s" * self.total), self.total, 0, b"s")
        self.accepted.set()
        await self.release.wait()


def test_uploads_in_flight_count_against_the_quota(tmp_path: Path) -> None:
    """Regression: concurrent uploads each passed the quota check and together overran it."""

    async def scenario() -> None:
        uploads = BlobUploads(BlobStore(tmp_path), UploadLimits(600_000, 1_000_000))
        stalled = Stalled(500_000)
        first = asyncio.create_task(uploads.receive(stalled.chunks()))
        await stalled.accepted.wait()
        with pytest.raises(StoreFullError, match="500000 in flight"):
            await uploads.receive(whole(b"p" * 600_000))  # fits alone, not beside the first
        stalled.release.set()
        with pytest.raises(InputError, match="upload ended after 1 of 500000 bytes"):
            await first
        reply = await uploads.receive(whole(b"q" * 600_000))  # the reservation was released
        assert reply.created

    asyncio.run(scenario())


def test_uploads_beyond_the_concurrency_limit_are_refused_not_queued(tmp_path: Path) -> None:
    async def scenario() -> None:
        uploads = BlobUploads(BlobStore(tmp_path), UploadLimits(max_concurrent=2))
        stalled = [Stalled(10), Stalled(20)]
        pending = [asyncio.create_task(uploads.receive(s.chunks())) for s in stalled]
        for s in stalled:
            await s.accepted.wait()
        with pytest.raises(StoreFullError, match="2 uploads already in progress"):
            await uploads.receive(whole(b"third"))
        for s in stalled:
            s.release.set()
        for task in pending:
            with pytest.raises(InputError):
                await task
        assert (await uploads.receive(whole(b"third"))).created

    asyncio.run(scenario())
