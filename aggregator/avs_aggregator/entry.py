"""An open task as the aggregator core holds it in memory, and its rebuild from the store."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from avs.backoff import RetryState
from avs.crypto.keccak import keccak256
from avs.protocol import Task
from avs.rpc.messages import SubmitResult, SubmitStatus, TaskHints
from avs_aggregator.aggregation import AddOutcome, SignedResponse, TaskAggregation
from avs_aggregator.codec import signature_from_bytes
from avs_aggregator.operators import OperatorSetState
from avs_aggregator.store import StoredResponse, TaskState

NO_HINTS = TaskHints()


@dataclass(slots=True)
class TaskEntry:
    """An open task held in memory."""

    task: Task
    task_hash: bytes
    snapshot: OperatorSetState
    aggregation: TaskAggregation
    hints: TaskHints = NO_HINTS
    state: TaskState = TaskState.OPEN
    ready_since: float | None = None
    verified: set[bytes] = field(default_factory=set)
    retries: RetryState = field(default_factory=RetryState)
    """Certificate attempts that failed in a row."""
    added_at: float = field(default_factory=time.monotonic)
    """Monotonic time the aggregator took the task up (start of the collect stage)."""


def rebuild_entry(
    task: Task,
    task_hash: bytes,
    snapshot: OperatorSetState,
    hints: TaskHints,
    rows: Iterable[StoredResponse],
) -> TaskEntry:
    """A task's entry with every stored response replayed into its aggregation."""
    entry = TaskEntry(
        task, task_hash, snapshot, TaskAggregation(snapshot, task.threshold_bps), hints
    )
    for row in rows:
        response = SignedResponse(
            row.operator_id,
            row.result_bytes,
            keccak256(row.result_bytes),
            signature_from_bytes(row.signature),
        )
        entry.aggregation.add(response)
    return entry


def submit_reply(entry: TaskEntry, outcome: AddOutcome, message: bytes) -> SubmitResult:
    """What a SubmitResponse on ``entry`` is answered after its response was ``outcome``."""
    if outcome is AddOutcome.UNKNOWN_OPERATOR:
        return SubmitResult(
            SubmitStatus.NOT_REGISTERED,
            f"operator is not in the task's quorums at block {entry.snapshot.reference_block}",
        )
    status, detail = {
        AddOutcome.ACCEPTED: (SubmitStatus.ACCEPTED, "recorded"),
        AddOutcome.DUPLICATE: (SubmitStatus.DUPLICATE, "already recorded"),
        AddOutcome.CONFLICT: (
            SubmitStatus.CONFLICT,
            "operator already signed a different result (kept as equivocation evidence)",
        ),
    }[outcome]
    return SubmitResult(status, detail, message)
