"""Wire-level values as plain dataclasses, shared by the gRPC client and server.

Code outside :mod:`avs.rpc` never sees protobuf messages: the operator's client and the
aggregator's servicer adapter convert to and from these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from avs.crypto.points import G1Point


class SubmitStatus(StrEnum):
    """In-band outcome of SubmitResponse (the proto's ``SubmitResponseReply.Status``)."""

    ACCEPTED = "accepted"
    """Signature verified and recorded."""
    DUPLICATE = "duplicate"
    """The operator's verified response with this result was already recorded: success."""
    UNKNOWN_TASK = "unknown_task"
    """The aggregator has not seen the task (yet): retry later."""
    TASK_CLOSED = "task_closed"
    """Deadline passed or certificate already submitted: do not retry."""
    NOT_REGISTERED = "not_registered"
    """Signer not in the task's quorums at its reference block: do not retry."""
    INVALID_SIGNATURE = "invalid_signature"
    """This signature does not verify for the operator and result (nothing recorded)."""
    CONFLICT = "conflict"
    """A verified signature of the operator on a different result is recorded (equivocation)."""


@dataclass(frozen=True, slots=True)
class ResponseSubmission:
    """One operator's signed result, as sent to the aggregator."""

    task_index: int
    """Index of the task in the task manager."""
    operator_id: bytes
    """32-byte operator id of the signer."""
    result_bytes: bytes
    """Canonical result bytes of the task type."""
    signature: G1Point
    """BLS signature on msgHash(taskHash, keccak256(result_bytes))."""


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """The aggregator's answer to a submission."""

    status: SubmitStatus
    """Outcome."""
    detail: str
    """Human-readable explanation."""
    message_hash: bytes = b""
    """The msgHash the response was grouped under (empty when not grouped)."""


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """An operator's SubscribeTasks request."""

    operator_id: bytes
    """32-byte id of the subscribing operator."""
    from_task_index: int = 0
    """Send tasks with index >= this (resume after a reconnect)."""
    task_types: tuple[str, ...] = ()
    """Only tasks of these task types; empty means all."""


@dataclass(frozen=True, slots=True)
class TaskHints:
    """The aggregator's ModelRegistry hints riding along a streamed task (never hashed)."""

    task_type: str = ""
    """Task type of the task's model ("" if the aggregator did not say); confirm on chain."""
    model_uri: str = ""
    """Where the model can be fetched ("" if unknown); the store's hash check makes it safe."""
