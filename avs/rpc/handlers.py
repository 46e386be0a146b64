"""Registering the Aggregator servicer so undecodable requests get INVALID_ARGUMENT.

The generated ``add_AggregatorServicer_to_server`` deserializes with ``FromString``; bytes
that do not parse then fail inside gRPC and the peer sees UNKNOWN. Here every request is
parsed leniently: a parse failure becomes an :class:`Undecodable` value that the wrapped
handler answers with INVALID_ARGUMENT before the servicer ever runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from avs.errors import InputError
from avs.rpc.v1 import aggregator_pb2, task_pb2

SERVICE_NAME = "avs.v1.Aggregator"


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


def _stream_unary(method: Any) -> Any:
    async def handle(requests: AsyncIterator[Any], context: Any) -> Any:
        async def checked() -> AsyncIterator[Any]:
            async for request in requests:
                if isinstance(request, Undecodable):
                    raise request.error()  # the servicer maps AvsErrors to their status
                yield request

        return await method(checked(), context)

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
