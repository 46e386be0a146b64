"""A hostile GetBlob server that streams without end (empty chunks, one-byte chunks, more
than it announced) is cut off by the shared client after a bounded number of chunks, long
before the call's deadline; the real server's stream still downloads."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest

from avs.errors import ModelError
from avs.models import BlobStore, content_hash
from avs.models.hashing import ContentHash
from avs.rpc.blobs import GrpcBlobSource, serve_blob
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.rpc.version import WIRE_VERSION

pytestmark = pytest.mark.integration

Script = Callable[[aggregator_pb2.GetBlobRequest], Iterator[aggregator_pb2.BlobChunk]]
DEADLINE_S = 120.0
"""Far longer than the test may take: only the client's own bounds can end these streams."""


class ScriptedBlobs(aggregator_pb2_grpc.AggregatorServicer):
    """GetBlob answers from ``script``; counts the chunks it got out."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.sent = 0

    def GetBlob(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.GetBlobRequest, context: Any
    ) -> Iterator[aggregator_pb2.BlobChunk]:
        for chunk in self.script(request):
            if not context.is_active():
                return
            self.sent += 1
            yield chunk

    def SubmitResponse(self, request: Any, context: Any) -> Any:  # noqa: N802
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")

    def SubscribeTasks(self, request: Any, context: Any) -> Any:  # noqa: N802
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")

    def PutBlob(self, request_iterator: Any, context: Any) -> Any:  # noqa: N802
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")


def chunk(offset: int, data: bytes, total: int) -> aggregator_pb2.BlobChunk:
    return aggregator_pb2.BlobChunk(
        version=WIRE_VERSION, offset=offset, data=data, total_size=total
    )


def endless_empty(_: aggregator_pb2.GetBlobRequest) -> Iterator[aggregator_pb2.BlobChunk]:
    return (chunk(0, b"", 1 << 20) for _ in itertools.count())


def endless_bytes(_: aggregator_pb2.GetBlobRequest) -> Iterator[aggregator_pb2.BlobChunk]:
    return (chunk(i, b"\x00", 1 << 20) for i in itertools.count())


def more_than_announced(_: aggregator_pb2.GetBlobRequest) -> Iterator[aggregator_pb2.BlobChunk]:
    return (chunk(i * 600, b"\x00" * 600, 1000) for i in itertools.count())


def download(script: Script, digest: ContentHash) -> tuple[bytes | ModelError, int]:
    """Fetch ``digest`` from a server running ``script``: (bytes or the error, chunks sent)."""
    servicer = ScriptedBlobs(script)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    aggregator_pb2_grpc.add_AggregatorServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            source = GrpcBlobSource(channel, timeout_s=DEADLINE_S)
            try:
                return source.fetch_blob(digest, 4 << 20), servicer.sent
            except ModelError as exc:
                return exc, servicer.sent
    finally:
        server.stop(grace=None)


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (endless_empty, "empty chunk"),
        (endless_bytes, "more than 64 chunks"),
        (more_than_announced, "more than the 1000 bytes"),
    ],
)
def test_an_endless_stream_is_cut_off_by_the_client(script: Script, error: str) -> None:
    outcome, sent = download(script, content_hash(b"wanted"))
    assert isinstance(outcome, ModelError)
    assert error in str(outcome)
    # The server may run ahead of the client by what the transport buffers, never endlessly.
    assert sent < 100_000


def test_the_real_servers_stream_still_downloads(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = bytes(range(256)) * 5000  # several chunks
    digest = store.put(data)
    empty = store.put(b"")
    for wanted, expected in ((digest, data), (empty, b"")):
        outcome, _ = download(lambda request: serve_blob(store, request), wanted)
        assert outcome == expected
