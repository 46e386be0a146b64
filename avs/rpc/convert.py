"""proto <-> dataclasses (:mod:`avs.protocol`, :mod:`avs.rpc.messages`), validating peers' input.

The API (one pair per message; the server and the client both use these):

- ``task_to_proto(Task, TaskHints | None)`` / ``task_from_proto(msg) -> Task`` and
  ``task_hints_from_proto(msg) -> TaskHints``;
- ``submission_to_proto(ResponseSubmission | TaskResponse)`` /
  ``submission_from_proto(msg) -> ResponseSubmission``;
- ``result_to_proto(SubmitResult)`` / ``result_from_proto(msg) -> SubmitResult``;
- ``subscribe_to_proto(SubscribeRequest)`` / ``subscribe_from_proto(msg) -> SubscribeRequest``.

``*_from_proto`` functions raise :class:`InputError` (missing version, wrong sizes, values out
of range) or :class:`CryptoError` (a signature that is not a point of G1); :mod:`avs.rpc.status`
maps both to INVALID_ARGUMENT. ``*_to_proto`` functions always set the wire version.
"""

from __future__ import annotations

from eth_utils.address import to_canonical_address, to_checksum_address

from avs.crypto.points import G1Point
from avs.errors import CryptoError, InputError
from avs.protocol import Task, TaskResponse
from avs.rpc.messages import (
    ResponseSubmission,
    SubmitResult,
    SubmitStatus,
    SubscribeRequest,
    TaskHints,
)
from avs.rpc.v1 import aggregator_pb2, task_pb2
from avs.rpc.version import WIRE_VERSION, check_version

FEE_BYTES = 12  # uint96
WORD = 32
ADDRESS_BYTES = 20
_REPLY = aggregator_pb2.SubmitResponseReply


def _exact(value: bytes, size: int, what: str) -> bytes:
    if len(value) != size:
        raise InputError(f"{what} must be {size} bytes, got {len(value)}")
    return bytes(value)


# --- Task -----------------------------------------------------------------------------------


def task_to_proto(task: Task, hints: TaskHints | None = None) -> task_pb2.Task:
    """The stream message for ``task``, with optional ModelRegistry hints."""
    if not 0 <= task.fee < 1 << (8 * FEE_BYTES):
        raise InputError(f"task fee {task.fee} does not fit uint96")
    return task_pb2.Task(
        version=WIRE_VERSION,
        task_index=task.task_index,
        model_id=task.model_id,
        inputs_root=task.inputs_root,
        input_count=task.input_count,
        inputs_uri=task.inputs_uri,
        quorum_numbers=task.quorum_numbers,
        threshold_bps=task.threshold_bps,
        created_block=task.created_block,
        deadline_block=task.deadline_block,
        fee=task.fee.to_bytes(FEE_BYTES, "big"),
        client=to_canonical_address(task.client),
        task_type=hints.task_type if hints else "",
        model_uri=hints.model_uri if hints else "",
    )


def task_from_proto(msg: task_pb2.Task) -> Task:
    """Validate a streamed task. The client address comes back EIP-55 checksummed."""
    check_version(msg.version, "Task")
    if not msg.quorum_numbers:
        raise InputError("task has no quorum numbers")
    return Task(
        task_index=msg.task_index,
        model_id=_exact(msg.model_id, WORD, "task model_id"),
        inputs_root=_exact(msg.inputs_root, WORD, "task inputs_root"),
        input_count=msg.input_count,
        inputs_uri=msg.inputs_uri,
        quorum_numbers=bytes(msg.quorum_numbers),
        threshold_bps=msg.threshold_bps,
        created_block=msg.created_block,
        deadline_block=msg.deadline_block,
        fee=int.from_bytes(_exact(msg.fee, FEE_BYTES, "task fee (uint96)"), "big"),
        client=to_checksum_address(_exact(msg.client, ADDRESS_BYTES, "task client address")),
    )


def task_hints_from_proto(msg: task_pb2.Task) -> TaskHints:
    """The hints of a streamed task (never trusted for anything that is signed)."""
    return TaskHints(task_type=msg.task_type, model_uri=msg.model_uri)


# --- SubmitResponse ------------------------------------------------------------------------


def submission_to_proto(
    submission: ResponseSubmission | TaskResponse,
) -> aggregator_pb2.SubmitResponseRequest:
    """The SubmitResponse request (G1 coordinates as 32-byte big-endian words)."""
    return aggregator_pb2.SubmitResponseRequest(
        version=WIRE_VERSION,
        task_index=submission.task_index,
        result_bytes=submission.result_bytes,
        signature_x=submission.signature.x.to_bytes(WORD, "big"),
        signature_y=submission.signature.y.to_bytes(WORD, "big"),
        operator_id=submission.operator_id,
    )


def submission_from_proto(msg: aggregator_pb2.SubmitResponseRequest) -> ResponseSubmission:
    """Validate a SubmitResponse request: sizes, a non-empty result, a G1 point not at infinity."""
    check_version(msg.version, "SubmitResponseRequest")
    if not msg.result_bytes:
        raise InputError("result_bytes is empty; a result has one entry per input")
    x = int.from_bytes(_exact(msg.signature_x, WORD, "signature_x"), "big")
    y = int.from_bytes(_exact(msg.signature_y, WORD, "signature_y"), "big")
    signature = G1Point(x, y)  # CryptoError when off the curve or a coordinate >= p
    if signature.is_infinity():
        raise CryptoError("the signature is the point at infinity, which no key produces")
    return ResponseSubmission(
        task_index=msg.task_index,
        operator_id=_exact(msg.operator_id, WORD, "operator_id"),
        result_bytes=bytes(msg.result_bytes),
        signature=signature,
    )


def result_to_proto(result: SubmitResult) -> aggregator_pb2.SubmitResponseReply:
    """The aggregator's SubmitResponse answer."""
    return aggregator_pb2.SubmitResponseReply(
        version=WIRE_VERSION,
        status=_REPLY.Status.Value(f"STATUS_{result.status.name}"),
        detail=result.detail,
        digest=result.message_hash,
    )


def result_from_proto(msg: aggregator_pb2.SubmitResponseReply) -> SubmitResult:
    """Validate the aggregator's answer; an unknown status is an error, never a guess."""
    check_version(msg.version, "SubmitResponseReply")
    try:
        name = _REPLY.Status.Name(msg.status).removeprefix("STATUS_")
    except ValueError:  # proto3 enums are open: a newer aggregator may send a new value
        name = str(msg.status)
    if name not in SubmitStatus.__members__:
        raise InputError(f"aggregator answered status {name}; upgrade this node to match it")
    if msg.digest and len(msg.digest) != WORD:
        raise InputError(f"reply digest must be {WORD} bytes, got {len(msg.digest)}")
    return SubmitResult(status=SubmitStatus[name], detail=msg.detail, message_hash=msg.digest)


# --- SubscribeTasks ------------------------------------------------------------------------


def subscribe_to_proto(request: SubscribeRequest) -> aggregator_pb2.SubscribeTasksRequest:
    """The SubscribeTasks request."""
    return aggregator_pb2.SubscribeTasksRequest(
        version=WIRE_VERSION,
        operator_id=request.operator_id,
        from_task_index=request.from_task_index,
        task_types=list(request.task_types),
    )


def subscribe_from_proto(msg: aggregator_pb2.SubscribeTasksRequest) -> SubscribeRequest:
    """Validate a SubscribeTasks request."""
    check_version(msg.version, "SubscribeTasksRequest")
    return SubscribeRequest(
        operator_id=_exact(msg.operator_id, WORD, "operator_id"),
        from_task_index=msg.from_task_index,
        task_types=tuple(msg.task_types),
    )
