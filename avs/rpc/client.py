"""The operator's gRPC client of the Aggregator service (``grpc.aio``).

Every call has a deadline: unary calls their own ``timeout``; the task stream a maximum
lifetime after which it ends cleanly and the caller resubscribes (so a silently dead
connection is noticed). gRPC failures become AvsErrors through :mod:`avs.rpc.status`.
Blobs are not fetched here: an operator asks every aggregator it sends to, primary first
(:func:`avs.watchtower.source.peer_blob_source`), so one that lacks a blob or sends wrong
bytes does not stop the task.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import structlog

from avs.errors import AvsError, RpcError
from avs.protocol import Task, TaskResponse
from avs.rpc import convert
from avs.rpc.messages import SubmitResult, SubscribeRequest
from avs.rpc.status import error_from_rpc
from avs.rpc.tls import ClientTls, aio_channel, channel_credentials
from avs.rpc.v1 import aggregator_pb2_grpc

log = structlog.get_logger(__name__)


class AggregatorClient:
    """Subscribe to tasks and submit responses to one aggregator."""

    def __init__(
        self,
        target: str,
        *,
        stream_lifetime_s: float = 300.0,
        max_message_bytes: int = 4 * 1024 * 1024,
        tls: ClientTls | None = None,
        plaintext: bool = False,
    ) -> None:
        """Dial ``target`` (``host:port``) lazily; nothing connects until the first call.

        TLS unless ``plaintext`` or ``target`` is on loopback with no ``tls`` given
        (:func:`avs.rpc.tls.channel_credentials`).
        """
        self.target = target
        self.stream_lifetime_s = stream_lifetime_s
        options: list[tuple[str, Any]] = [("grpc.max_receive_message_length", max_message_bytes)]
        credentials = channel_credentials(target, tls, plaintext)
        self.secure = credentials is not None
        self._channel: Any = aio_channel(target, credentials, options)
        self._stub = aggregator_pb2_grpc.AggregatorStub(self._channel)

    async def wait_connected(self, timeout: float) -> None:
        """Return once the channel is READY; RpcError after ``timeout`` seconds."""
        try:
            # asyncio.timeout, not wait_for: the latter can swallow a shutdown's cancel (3.11).
            async with asyncio.timeout(timeout):
                await self._channel.channel_ready()
        except TimeoutError:
            raise RpcError(
                f"aggregator {self.target} unreachable for {timeout:.0f} s; "
                "check aggregator_url and that the aggregator is running"
            ) from None

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        """Send one signed response with a ``timeout``-second deadline."""
        try:
            reply = await self._stub.SubmitResponse(
                convert.submission_to_proto(response), timeout=timeout
            )
        except grpc.RpcError as exc:
            raise error_from_rpc(exc, f"SubmitResponse for task {response.task_index}") from exc
        try:
            return convert.result_from_proto(reply)
        except AvsError as exc:
            raise RpcError(f"aggregator sent a malformed reply: {exc}") from exc

    async def subscribe_tasks(
        self, operator_id: bytes, from_task_index: int
    ) -> AsyncIterator[Task]:
        """Tasks with index >= ``from_task_index`` until the stream's lifetime ends.

        A malformed task is logged and skipped (the stream stays open); transport failures
        raise the mapped AvsError.
        """
        request = convert.subscribe_to_proto(SubscribeRequest(operator_id, from_task_index))
        call = self._stub.SubscribeTasks(request, timeout=self.stream_lifetime_s)
        try:
            async for message in call:
                try:
                    task = convert.task_from_proto(message)
                except AvsError as exc:
                    log.warning(
                        "stream_task_malformed", task_index=message.task_index, error=str(exc)
                    )
                    continue
                # The hints (task type, model URI) are ignored: only the chain is trusted.
                yield task
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                return  # the stream's planned lifetime: the caller resubscribes
            raise error_from_rpc(exc, "SubscribeTasks") from exc
        finally:
            call.cancel()

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close()
