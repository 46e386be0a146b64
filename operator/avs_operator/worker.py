"""One task, start to finish: deadline, model, inference, fault hook, sign, submit.

Every failure ends as one log line naming the task and the reason, plus a
``avs_tasks_failed{reason}`` count; the worker itself never dies of a bad task.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor
from enum import StrEnum
from typing import Any

from avs.errors import AvsError, ChainError, ModelError, ProtectionError, RpcError, TaskError
from avs.logging import get_logger
from avs.metrics import OperatorMetrics
from avs.models.errors import BlobNotFoundError
from avs.protocol import ABSTAIN, Task
from avs.rpc.status import RpcStatusError
from avs_operator.faults import inject_fault
from avs_operator.health import CHAIN
from avs_operator.inference import InferenceEngine
from avs_operator.intake import Arrival
from avs_operator.ports import BlockClock, Membership, ModelResolver, RecordCheck, TaskRecords
from avs_operator.signer import Signer
from avs_operator.submitter import SubmissionRejected, Submitter


class Outcome(StrEnum):
    """How handling one task ended."""

    SUBMITTED = "submitted"
    EXPIRED = "expired"
    NOT_MEMBER = "not_member"
    NOT_ON_CHAIN = "not_on_chain"
    """A streamed task the chain does not hold as pending (forged, settled or unknown)."""
    RETRY = "retry"
    """Failed for a reason that may pass (aggregator, chain or blob source unreachable)."""
    FAILED = "failed"


def failure_reason(exc: BaseException, submitting: bool = True) -> str:
    """The ``reason`` label of a failure (bounded set, for metrics); an aggregator error
    before ``submitting`` came from fetching a blob (GetBlob), not from submitting."""
    if isinstance(exc, SubmissionRejected):
        return f"rejected_{exc.status.value}"
    for cls, reason in (
        (ProtectionError, "protection_refused"),
        (TaskError, "invalid_task"),
        (ModelError, "model_unavailable"),
        (ChainError, "chain_unavailable"),
        (RpcError, "submit_failed" if submitting else "fetch_failed"),
    ):
        if isinstance(exc, cls):
            return reason
    return "internal"


def is_transient(exc: BaseException) -> bool:
    """Whether trying the same task again later may succeed."""
    if isinstance(exc, RpcStatusError):
        return exc.retryable
    return isinstance(exc, BlobNotFoundError | ChainError | RpcError) and not isinstance(
        exc, SubmissionRejected
    )


class _StageClock:
    """Times the stages of one task (``avs_task_stage_seconds{stage}``); a retried task is
    not timed (its stages would count the backoff)."""

    def __init__(self, metrics: OperatorMetrics, since: float | None) -> None:
        self._metrics = metrics
        self._last = since

    def lap(self, stage: str, minus: float = 0.0) -> None:
        """The time since the previous lap (less ``minus`` s) is ``stage``'s."""
        now = time.monotonic()
        if self._last is not None:
            self.observe(stage, max(now - self._last - minus, 0.0))
            self._last = now

    def observe(self, stage: str, seconds: float) -> None:
        if self._last is not None:
            self._metrics.stage_seconds.labels(stage=stage).observe(seconds)


class TaskWorker:
    """Handles tasks; the collaborators are injected (see :mod:`avs_operator.ports`)."""

    def __init__(
        self,
        *,
        resolver: ModelResolver,
        clock: BlockClock | None,
        engine: InferenceEngine,
        membership: Membership | None = None,
        records: TaskRecords | None = None,
        signer: Signer,
        submitter: Submitter,
        metrics: OperatorMetrics,
        fault: str = "",
        executor: Executor | None = None,
    ) -> None:
        """``clock`` None: no deadline check before work (the aggregator still enforces it);
        ``records`` None: streamed tasks are run without asking the chain first."""
        self._resolver = resolver
        self._records = records
        self._clock = clock
        self._membership = membership
        self._engine = engine
        self._signer = signer
        self._submitter = submitter
        self._metrics = metrics
        self._fault = fault
        self._executor = executor

    async def handle(self, arrival: Arrival[Task]) -> Outcome:
        """Process one task; never raises except on cancellation."""
        task = arrival.task
        log = get_logger(
            component="operator",
            operator_id="0x" + self._signer.operator_id.hex(),
            task_index=task.task_index,
            source=arrival.source,
        )
        submitting = False
        clock = _StageClock(self._metrics, arrival.queued_at if arrival.attempt == 0 else None)
        clock.lap("queue")
        try:
            # Independent reads: one round trip, not three, before the work starts; every
            # verdict is still checked, the record's first (a task not on chain is refused
            # whatever the other two say).
            on_chain, expired, member = await asyncio.gather(
                self._on_chain(task, log, arrival.source), self._expired(task, log),
                self._member(task, log),
            )  # fmt: skip
            if not on_chain:
                self._metrics.tasks_failed.labels(reason="not_on_chain").inc()
                return Outcome.NOT_ON_CHAIN
            if expired:
                self._metrics.tasks_failed.labels(reason="expired").inc()
                return Outcome.EXPIRED
            if not member:
                self._metrics.tasks_failed.labels(reason="not_member").inc()
                return Outcome.NOT_MEMBER
            info = await self._resolver.resolve(task.model_id)
            clock.lap("checks")
            inference = await self._engine.run(task, info)
            self._metrics.inference_seconds.observe(inference.seconds)
            clock.lap("fetch", minus=inference.seconds)  # the model's run is its own stage
            clock.observe("inference", inference.seconds)
            result = inject_fault(self._fault, inference.result_bytes)
            if result != inference.result_bytes:
                log.warning("devnet_fault_injected", fault=self._fault)
            loop = asyncio.get_running_loop()
            # hash_to_g1 and the scalar multiplication are pure-Python CPU work.
            response = await loop.run_in_executor(self._executor, self._signer.sign, task, result)
            clock.lap("sign")
            submitting = True
            reply = await self._submitter.submit(response)
            clock.lap("submit")
        except asyncio.CancelledError:
            raise
        except AvsError as exc:
            reason = failure_reason(exc, submitting)
            self._metrics.tasks_failed.labels(reason=reason).inc()
            transient = is_transient(exc)
            # A closed task is expected (certified already, or replayed after a restart);
            # a transient failure is retried, so only a lasting one is an error.
            level = "debug" if reason == "rejected_task_closed" else None
            level = level or ("warning" if transient else "error")
            getattr(log, level)("task_failed", reason=reason, error=str(exc), transient=transient)
            return Outcome.RETRY if transient else Outcome.FAILED
        except Exception as exc:  # a bug: keep the node alive, but show the traceback
            self._metrics.tasks_failed.labels(reason="internal").inc()
            log.exception("task_failed", reason="internal", error=repr(exc))
            return Outcome.FAILED
        abstained = all(b == ABSTAIN for b in result)
        self._metrics.tasks_signed.labels(outcome="abstained" if abstained else "signed").inc()
        log.info(
            "task_submitted",
            task_type=inference.task_type,
            status=reply.status.value,
            inputs=len(result),
            abstained=sum(1 for b in result if b == ABSTAIN),
            inference_ms=round(inference.seconds * 1000, 2),
        )
        return Outcome.SUBMITTED

    async def _on_chain(self, task: Task, log: Any, source: str) -> bool:
        """Check a streamed task against the chain before spending anything on it: a lying
        aggregator must not get free compute (a task read from the chain's own events needs
        no second look). Unreachable chain: ChainError (retried)."""
        if self._records is None or source == CHAIN:
            return True
        check = await self._records.check(task)
        if check is RecordCheck.PENDING:
            return True
        if check is RecordCheck.NOT_YET:  # our chain node may lag: retried, never run blind
            raise ChainError(f"task {task.task_index} is not on chain yet")
        log.warning("task_not_on_chain", detail="streamed task differs from the chain's record")
        return False

    async def _expired(self, task: Task, log: Any) -> bool:
        if self._clock is None:
            return False
        try:
            block = await self._clock.block_number()
        except ChainError as exc:
            # Without the chain the deadline is unknown; answering is still useful.
            log.warning("deadline_unknown", error=str(exc))
            return False
        if block > task.deadline_block:
            log.info("task_expired", block=block, deadline_block=task.deadline_block)
            return True
        return False

    async def _member(self, task: Task, log: Any) -> bool:
        if self._membership is None:
            return True
        try:
            quorums = await self._membership.quorums_at(
                self._signer.operator_id, task.created_block
            )
        except ChainError as exc:
            log.warning("membership_unknown", error=str(exc))
            return True  # the aggregator has the final word
        if quorums & set(task.quorums):
            return True
        log.info("task_not_for_this_operator", task_quorums=list(task.quorums))
        return False
