"""Model + inputs fetched by hash over real gRPC (GetBlob on port 0), verified, run, canonical."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest

from avs.errors import AvsError
from avs.models import BlobStore, content_hash
from avs.models.errors import BlobNotFoundError, HashMismatchError
from avs.models.fetchers import aggregator_uri
from avs.rpc.blobs import GrpcBlobSource, blob_chunks, serve_blob
from avs.rpc.status import abort
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.tasks import get_task_type
from avs.tasks.demo import golden_vectors

pytestmark = pytest.mark.integration


class BlobServicer(aggregator_pb2_grpc.AggregatorServicer):
    """GetBlob only, from a BlobStore; `lie` serves other bytes than asked for."""

    def __init__(self, store: BlobStore, lie: bool = False) -> None:
        self.store = store
        self.lie = lie

    def SubmitResponse(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubmitResponseRequest, context: Any
    ) -> aggregator_pb2.SubmitResponseReply:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blob-only test server")
        raise AssertionError

    def SubscribeTasks(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubscribeTasksRequest, context: Any
    ) -> Iterator[Any]:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blob-only test server")
        raise AssertionError

    def GetBlob(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.GetBlobRequest, context: Any
    ) -> Iterator[aggregator_pb2.BlobChunk]:
        try:
            if self.lie:
                yield from blob_chunks(b"not the model you asked for")
                return
            yield from serve_blob(self.store, request)
        except AvsError as exc:
            abort(context, exc)

    def PutBlob(  # noqa: N802 - gRPC method name
        self, request_iterator: Iterator[aggregator_pb2.PutBlobChunk], context: Any
    ) -> aggregator_pb2.PutBlobReply:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "blob-only test server")
        raise AssertionError


def start(servicer: BlobServicer) -> tuple[Any, str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    aggregator_pb2_grpc.add_AggregatorServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


@pytest.fixture
def aggregator_store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "aggregator")


@pytest.mark.parametrize("type_id", ["int-mlp", "onnx-classify"])
def test_operator_fetches_by_hash_and_reproduces_golden_result(
    tmp_path: Path, aggregator_store: BlobStore, type_id: str
) -> None:
    (vector,) = golden_vectors(type_id)
    model_id = aggregator_store.put(vector.model)
    inputs_id = aggregator_store.put(vector.inputs)
    server, address = start(BlobServicer(aggregator_store))
    try:
        with grpc.insecure_channel(address) as channel:
            operator_store = BlobStore(tmp_path / "operator", source=GrpcBlobSource(channel, 10))
            model_blob = operator_store.get(model_id, aggregator_uri(model_id))
            inputs_blob = operator_store.get(inputs_id)
    finally:
        server.stop(None)
    task = get_task_type(type_id)
    assert task.execute(task.load_model(model_blob), inputs_blob) == vector.result
    assert operator_store.contains(model_id)


def test_unknown_blob_is_not_found(tmp_path: Path, aggregator_store: BlobStore) -> None:
    server, address = start(BlobServicer(aggregator_store))
    try:
        with grpc.insecure_channel(address) as channel:
            store = BlobStore(tmp_path / "operator", source=GrpcBlobSource(channel, 10))
            with pytest.raises(
                BlobNotFoundError, match=r"NOT_FOUND: blob 0x[0-9a-f]{64} is not held"
            ):
                store.get(content_hash(b"never uploaded"))
    finally:
        server.stop(None)


def test_lying_aggregator_is_caught_by_the_hash(
    tmp_path: Path, aggregator_store: BlobStore
) -> None:
    server, address = start(BlobServicer(aggregator_store, lie=True))
    wanted = content_hash(b"the real model")
    try:
        with grpc.insecure_channel(address) as channel:
            store = BlobStore(tmp_path / "operator", source=GrpcBlobSource(channel, 10))
            with pytest.raises(HashMismatchError):
                store.get(wanted)
    finally:
        server.stop(None)
    assert not store.contains(wanted)
