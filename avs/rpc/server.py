"""The Aggregator gRPC service: a servicer adapter over a protobuf-free backend.

``create_server(addr, backend)`` returns ``(server, port)``; the backend (the aggregator's
core) speaks :mod:`avs.rpc.messages` dataclasses and :class:`avs.protocol.Task`, so only
this package touches protobuf types. Malformed requests (wrong version, bad lengths, a
signature off the curve) are answered INVALID_ARGUMENT here, before the backend; oversized
messages are refused by gRPC itself with RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from avs.errors import AvsError
from avs.models.store import BlobStore
from avs.protocol import Task
from avs.rpc import convert
from avs.rpc.blob_serve import BlobServer
from avs.rpc.blob_upload import BlobUploads, UploadLimits
from avs.rpc.handlers import SERVICE_NAME, add_aggregator_servicer, drain_requests
from avs.rpc.messages import ResponseSubmission, SubmitResult, SubscribeRequest, TaskHints
from avs.rpc.status import abort_aio
from avs.rpc.tls import ServerTls
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc, task_pb2


class AggregatorBackend(Protocol):
    """What the servicer needs from the aggregator."""

    async def submit(self, submission: ResponseSubmission) -> SubmitResult:
        """Verify and record one signed response."""
        ...

    def subscribe(self, request: SubscribeRequest) -> AsyncIterator[tuple[Task, TaskHints]]:
        """Open tasks, then new ones as they arrive, with their ModelRegistry hints."""
        ...


class AggregatorServicer(aggregator_pb2_grpc.AggregatorServicer):
    """grpc.aio servicer delegating to an :class:`AggregatorBackend`."""

    def __init__(
        self, backend: AggregatorBackend, blobs: BlobStore, uploads: UploadLimits | None = None
    ) -> None:
        self._backend = backend
        self._blobs = blobs
        self._blob_server = BlobServer(blobs)
        self._uploads = BlobUploads(blobs, uploads)

    async def SubmitResponse(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubmitResponseRequest, context: Any
    ) -> aggregator_pb2.SubmitResponseReply:
        """Validate and record one response."""
        try:
            result = await self._backend.submit(convert.submission_from_proto(request))
        except AvsError as exc:
            await abort_aio(context, exc)
        return convert.result_to_proto(result)

    async def SubscribeTasks(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubscribeTasksRequest, context: Any
    ) -> AsyncIterator[task_pb2.Task]:
        """Stream open and new tasks to an operator."""
        try:
            subscription = convert.subscribe_from_proto(request)
        except AvsError as exc:
            await abort_aio(context, exc)
        try:
            async for task, hints in self._backend.subscribe(subscription):
                yield convert.task_to_proto(task, hints)
        except AvsError as exc:  # too many streams, or this one fell too far behind
            await abort_aio(context, exc)

    async def GetBlob(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.GetBlobRequest, context: Any
    ) -> AsyncIterator[aggregator_pb2.BlobChunk]:
        """Stream a model or input blob by content hash."""
        try:
            blob = await self._blob_server.open(request)
            async for chunk in self._blob_server.chunks(blob):
                yield chunk
        except AvsError as exc:
            await abort_aio(context, exc)

    async def PutBlob(  # noqa: N802 - gRPC method name
        self, request_iterator: AsyncIterator[aggregator_pb2.PutBlobChunk], context: Any
    ) -> aggregator_pb2.PutBlobReply:
        """Store an uploaded blob under its content hash (bounded, hash-checked, idempotent)."""
        try:
            return await self._uploads.receive(request_iterator)
        except AvsError as exc:
            await drain_requests(request_iterator)  # so the peer reads this status
            await abort_aio(context, exc)


class RpcServer:
    """A started-or-not ``grpc.aio`` server with its health service."""

    def __init__(self, server: Any, health_servicer: Any) -> None:
        self._server = server
        self._health = health_servicer

    async def start(self) -> None:
        """Start serving and report SERVING (overall and for the Aggregator service)."""
        await self._server.start()
        for name in ("", SERVICE_NAME):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, then stop, letting in-flight calls finish for ``grace`` s."""
        for name in ("", SERVICE_NAME):
            await self._health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self._server.stop(grace)

    async def wait(self) -> None:
        """Wait until the server stops."""
        await self._server.wait_for_termination()


def create_server(
    address: str,
    backend: AggregatorBackend,
    blobs: BlobStore,
    max_message_bytes: int,
    uploads: UploadLimits | None = None,
    tls: ServerTls | None = None,
) -> tuple[RpcServer, int]:
    """A ``grpc.aio`` server bound to ``address`` (port 0: a free port): ``(server, port)``.

    With ``tls`` the port speaks TLS only (see :mod:`avs.rpc.tls` for when plaintext is
    acceptable; the caller checks that policy).
    """
    options = [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max(max_message_bytes, 4 * 1024 * 1024)),
    ]
    server = grpc.aio.server(options=options)
    add_aggregator_servicer(AggregatorServicer(backend, blobs, uploads), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    try:
        if tls is None:
            port = server.add_insecure_port(address)
        else:
            port = server.add_secure_port(address, tls.credentials())
    except RuntimeError as exc:
        raise AvsError(f"cannot listen on {address}: {exc}") from exc
    if port == 0:
        raise AvsError(f"cannot listen on {address}: address in use or not available")
    return RpcServer(server, health_servicer), port
