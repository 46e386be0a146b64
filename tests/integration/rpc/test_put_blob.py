"""PutBlob over real gRPC (the aggregator's grpc.aio server on port 0) with a real BlobStore."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from avs.errors import AvsError, InputError
from avs.models import BlobStore, content_hash
from avs.models.errors import BlobTooLargeError, HashMismatchError
from avs.protocol import Task
from avs.rpc.blob_client import BlobClient
from avs.rpc.blob_upload import UploadLimits
from avs.rpc.messages import ResponseSubmission, SubmitResult, SubscribeRequest, TaskHints
from avs.rpc.server import create_server
from avs.rpc.status import error_from_rpc
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc

LIMITS = UploadLimits(max_blob_bytes=600_000, quota_bytes=1_000_000, timeout_s=30)


class NoTasks:
    """An aggregator backend with no tasks: these tests only exercise the blob service."""

    async def submit(self, submission: ResponseSubmission) -> SubmitResult:
        raise InputError("no tasks on this test server")

    async def subscribe(self, request: SubscribeRequest) -> AsyncIterator[tuple[Task, TaskHints]]:
        raise InputError("no tasks on this test server")
        yield  # pragma: no cover - makes this an async generator


class Served:
    """The real aggregator gRPC server, running its own event loop in a thread."""

    def __init__(self, store: BlobStore, limits: UploadLimits) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server, port = self._call(self._start(store, limits))
        self.target = f"127.0.0.1:{port}"

    async def _start(self, store: BlobStore, limits: UploadLimits) -> tuple[Any, int]:
        server, port = create_server("127.0.0.1:0", NoTasks(), store, 4 << 20, limits)
        await server.start()
        return server, port

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def stop(self) -> None:
        self._call(self.server.stop(0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture
def served(store: BlobStore) -> Iterator[Served]:
    server = Served(store, LIMITS)
    try:
        yield server
    finally:
        server.stop()


def test_put_is_content_addressed_idempotent_and_readable(served: Served, store: BlobStore) -> None:
    data = bytes(range(256)) * 1500  # 384 000 bytes: several chunks
    with BlobClient(served.target) as client:
        first = client.put(data)
        again = client.put(data)
        assert (first.content_hash, first.size, first.created) == (
            content_hash(data),
            len(data),
            True,
        )
        assert (again.content_hash, again.created) == (first.content_hash, False)
        assert client.get(first.content_hash, max_size=len(data)) == data
    assert store.path_of(content_hash(data)).read_bytes() == data


def raw_put(target: str, chunks: Iterable[aggregator_pb2.PutBlobChunk]) -> AvsError:
    """Send hand-built chunks (what a hostile client could send); return the mapped error."""
    with grpc.insecure_channel(target) as channel:
        stub = aggregator_pb2_grpc.AggregatorStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.PutBlob(iter(chunks), timeout=30)
    return error_from_rpc(info.value, "PutBlob")


def chunk(digest: bytes, total: int, offset: int, data: bytes) -> aggregator_pb2.PutBlobChunk:
    return aggregator_pb2.PutBlobChunk(
        version=1, content_hash=digest, total_size=total, offset=offset, data=data
    )


def test_bytes_that_do_not_match_the_declared_hash_are_not_stored(
    served: Served, store: BlobStore
) -> None:
    claimed = content_hash(b"the model everyone trusts")
    err = raw_put(served.target, [chunk(claimed, 9, 0, b"malicious")])
    assert isinstance(err, HashMismatchError)
    assert "nothing was stored" in str(err)
    assert not store.contains(claimed)
    assert store.total_bytes() == 0


@pytest.mark.parametrize(
    ("total", "data", "message"),
    [
        (LIMITS.max_blob_bytes + 1, b"x", "upload limit"),
        (3, b"four", "more than the declared 3 bytes"),
    ],
)
def test_oversized_uploads_are_refused_before_storing(
    served: Served, store: BlobStore, total: int, data: bytes, message: str
) -> None:
    err = raw_put(served.target, [chunk(content_hash(data), total, 0, data)])
    assert isinstance(err, BlobTooLargeError)
    assert message in str(err)
    assert store.total_bytes() == 0


def test_out_of_order_short_and_foreign_chunks_are_invalid(served: Served) -> None:
    digest = content_hash(b"abcdef")
    cases = {
        "expected 3": [chunk(digest, 6, 0, b"abc"), chunk(digest, 6, 4, b"def")],
        "after 3 of 6 bytes": [chunk(digest, 6, 0, b"abc")],
        "another blob": [chunk(digest, 6, 0, b"abc"), chunk(bytes(32), 6, 3, b"def")],
        "wire version 0": [aggregator_pb2.PutBlobChunk(content_hash=digest, total_size=1)],
    }
    for message, chunks in cases.items():
        err = raw_put(served.target, chunks)
        assert message in str(err), (message, err)


def test_quota_bounds_what_uploads_may_store(served: Served) -> None:
    with BlobClient(served.target) as client:
        client.put(b"a" * 500_000)
        client.put(b"b" * 400_000)
        with pytest.raises(BlobTooLargeError, match="quota"):
            client.put(b"c" * 200_000)


def test_disabled_uploads_are_refused(store: BlobStore) -> None:
    server = Served(store, UploadLimits(max_blob_bytes=0))
    try:
        with BlobClient(server.target) as client, pytest.raises(AvsError, match="disabled"):
            client.put(b"anything")
    finally:
        server.stop()
