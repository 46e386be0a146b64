"""Registering the Aggregator servicer so undecodable requests get INVALID_ARGUMENT.

The generated ``add_AggregatorServicer_to_server`` deserializes with ``FromString``; bytes
that do not parse then fail inside gRPC and the peer sees UNKNOWN. Here every request is
parsed leniently: a parse failure becomes an :class:`Undecodable` value that the wrapped
handler answers with INVALID_ARGUMENT before the servicer ever runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from avs.errors import InputError
from avs.rpc.v1 import aggregator_pb2, task_pb2

SERVICE_NAME = "avs.v1.Aggregator"
DRAIN_MESSAGES = 64
"""Most request messages read and discarded after a client-stream call has failed."""
DRAIN_SECONDS = 2.0
"""Longest such a drain may take."""


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A request whose bytes are not a valid message of the method's type."""

    message_type: str
    """The expected message type."""
    reason: str
    """The parser's complaint."""

    def error(self) -> InputError:
        """The InputError (INVALID_ARGUMENT) answered to the peer."""
        return InputError(f"request is not a valid {self.message_type}: {self.reason}")


def _lenient(message: Any) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return message.FromString(data)
        except (DecodeError, ValueError) as exc:
            return Undecodable(message.DESCRIPTOR.name, str(exc)[:200] or "malformed bytes")

    return deserialize


async def _reject(request: Undecodable, context: Any) -> None:
    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(request.error()))


def _unary_unary(method: Any) -> Any:
    async def handle(request: Any, context: Any) -> Any:
        if isinstance(request, Undecodable):
            await _reject(request, context)
        return await method(request, context)

    return handle


def _unary_stream(method: Any) -> Any:
    async def handle(request: Any, context: Any) -> AsyncIterator[Any]:
        if isinstance(request, Undecodable):
            await _reject(request, context)
        async for reply in method(request, context):
            yield reply

    return handle


class CheckedRequests:
    """A client stream whose undecodable messages raise InputError, and that can be drained."""

    def __init__(self, requests: AsyncIterator[Any]) -> None:
        self._requests = requests

    def __aiter__(self) -> CheckedRequests:
        return self

    async def __anext__(self) -> Any:
        request = await anext(self._requests)
        if isinstance(request, Undecodable):
            raise request.error()  # the servicer maps AvsErrors to their status
        return request

    async def drain(self) -> None:
        """Read, bounded, what the peer still streams; call before failing the call.

        Answering a client stream before the client has finished sending races the
        client's next write: when that write fails first, grpc-python's client records a
        local INTERNAL ("Internal error from Core") in place of our status, so a refused
        upload looked like a server crash (the chaos suite's grpc-fuzz INTERNAL). Draining
        first lets the peer half-close and then read the real status. Bounded in messages
        and time so a peer that never stops cannot hold the call (past the bound it may
        still see INTERNAL).
        """
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DRAIN_SECONDS):
                drained = 0
                async for _request in self._requests:
                    drained += 1
                    if drained >= DRAIN_MESSAGES:
                        return


async def drain_requests(requests: AsyncIterator[Any]) -> None:
    """Drain ``requests`` (see :meth:`CheckedRequests.drain`) if it is a checked stream."""
    if isinstance(requests, CheckedRequests):
        await requests.drain()


def _stream_unary(method: Any) -> Any:
    async def handle(requests: AsyncIterator[Any], context: Any) -> Any:
        return await method(CheckedRequests(requests), context)

    return handle


def add_aggregator_servicer(servicer: Any, server: Any) -> None:
    """Register ``servicer``'s four methods on ``server`` with lenient request parsing."""
    pb = aggregator_pb2
    handlers = {
        "SubmitResponse": grpc.unary_unary_rpc_method_handler(
            _unary_unary(servicer.SubmitResponse),
            request_deserializer=_lenient(pb.SubmitResponseRequest),
            response_serializer=pb.SubmitResponseReply.SerializeToString,
        ),
        "SubscribeTasks": grpc.unary_stream_rpc_method_handler(
            _unary_stream(servicer.SubscribeTasks),
            request_deserializer=_lenient(pb.SubscribeTasksRequest),
            response_serializer=task_pb2.Task.SerializeToString,
        ),
        "GetBlob": grpc.unary_stream_rpc_method_handler(
            _unary_stream(servicer.GetBlob),
            request_deserializer=_lenient(pb.GetBlobRequest),
            response_serializer=pb.BlobChunk.SerializeToString,
        ),
        "PutBlob": grpc.stream_unary_rpc_method_handler(
            _stream_unary(servicer.PutBlob),
            request_deserializer=_lenient(pb.PutBlobChunk),
            response_serializer=pb.PutBlobReply.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)
