"""The aggregation service core: tasks in, verified certificates out.

Independent of gRPC (the servicer in :mod:`avs_aggregator.service` is a thin adapter)
and of web3 (chain access goes through the :class:`ChainView` and :class:`Certifier`
protocols). Blocking work (chain reads, pairings, transactions) runs in worker threads,
never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from avs.backoff import Backoff
from avs.crypto.keccak import keccak256
from avs.logging import get_logger
from avs.metrics import AggregatorMetrics
from avs.protocol import Task
from avs.rpc.messages import (
    ResponseSubmission,
    SubmitResult,
    SubmitStatus,
    SubscribeRequest,
    TaskHints,
)
from avs_aggregator.aggregation import AddOutcome, DigestGroup, SignedResponse, TaskAggregation
from avs_aggregator.arrivals import MAX_PENDING_VERIFICATIONS, ArrivalBatcher
from avs_aggregator.broadcast import TaskBroadcast
from avs_aggregator.codec import TaskCodec, signature_bytes
from avs_aggregator.entry import NO_HINTS, TaskEntry, rebuild_entry, submit_reply
from avs_aggregator.evidence import Challenger, EvidenceBook, certified_group
from avs_aggregator.journal import ResponseJournal
from avs_aggregator.liveness import LIVE_WINDOW_SECONDS, Liveness
from avs_aggregator.protocols import Certification, Certifier, CertifyResult, ChainView
from avs_aggregator.ready_check import drop_invalid_signatures
from avs_aggregator.store import CertifiedBy, StoredResponse, TaskState, TaskStore
from avs_aggregator.verification import GroupVerifier, SignerEntry

log = get_logger(component="aggregator")
CERTIFY_BACKOFF = Backoff(initial=0.5, factor=2.0, maximum=8.0, jitter=0.5)
"""Between certificate (and evidence) attempts of one task: an outage is not hammered,
and competing aggregators that both lost a race do not retry in step."""
URGENT_BLOCKS = 3
"""A ready task whose deadline is this close (in blocks) is sent at once: no linger for
late operators, and first among the certificates of a pass."""
TX_THREADS = 32
"""Certificate submissions in flight at once (each waits for its transaction)."""
LOADING_WAIT_SECONDS = 5.0
"""Longest a response waits for its task to finish loading (else: unknown task)."""


class AggregatorCore:
    """Holds open tasks, accepts responses, verifies and certifies."""

    def __init__(
        self,
        store: TaskStore,
        codec: TaskCodec,
        chain: ChainView,
        certifier: Certifier,
        verifier: GroupVerifier,
        metrics: AggregatorMetrics,
        challenger: Challenger | None = None,
        linger_seconds: float = 0.5,
        max_pending_verifications: int = MAX_PENDING_VERIFICATIONS,
        backoff: Backoff = CERTIFY_BACKOFF,
        broadcast: TaskBroadcast | None = None,
        live_window_seconds: float = LIVE_WINDOW_SECONDS,
    ) -> None:
        """``linger_seconds``: after a result reaches the threshold, how long to wait for
        live operators that have not answered yet (:mod:`avs_aggregator.liveness`)."""
        self._store = store
        self._codec = codec
        self._chain = chain
        self._certifier = certifier
        self._verifier = verifier
        self._metrics = metrics
        self._backoff = backoff
        self._arrivals = ArrivalBatcher(
            verifier,
            on_batch=metrics.verify_batch_size.observe,
            max_pending=max_pending_verifications,
        )
        self._journal = ResponseJournal(store)
        self._tx_threads = ThreadPoolExecutor(TX_THREADS, thread_name_prefix="avs-certify")
        self._evidence = (
            None
            if challenger is None
            else EvidenceBook(store, challenger, chain, self._aggregation_of, backoff)
        )
        self._linger = linger_seconds
        self._liveness = Liveness(live_window_seconds)
        self._head: int | None = None
        self._tasks: dict[int, TaskEntry] = {}
        self._closed: set[int] = set()
        self._loading: dict[int, asyncio.Event] = {}
        self._broadcast = broadcast or TaskBroadcast()
        self._wakeup = asyncio.Event()
        self._jobs: set[asyncio.Task[bool]] = set()

    # -- tasks -----------------------------------------------------------------------------

    async def add_task(self, task: Task, hints: TaskHints = NO_HINTS) -> bool:
        """Start aggregating ``task``; False if it was already known or is already closed.

        While its operator set is read, responses to it wait for the read (up to
        :data:`LOADING_WAIT_SECONDS`) instead of being told the task is unknown: operators
        that saw the block first would otherwise back off and miss the next block.
        """
        index = task.task_index
        if index in self._tasks or index in self._closed or index in self._loading:
            return False
        loaded = self._loading[index] = asyncio.Event()
        try:
            return await self._add_task(task, hints)
        finally:
            del self._loading[index]
            loaded.set()

    async def _add_task(self, task: Task, hints: TaskHints) -> bool:
        index = task.task_index
        stored = self._store.get_task(index)
        if stored is not None and stored.state not in (TaskState.OPEN, TaskState.SUBMITTING):
            self._closed.add(index)  # certified ones owe evidence: recover() resumes them
            return False
        entry = await self._load_entry(task, hints)
        if stored is None:
            self._store.add_task(
                index, entry.task_hash, self._codec.encode(task), task.deadline_block
            )
        elif stored.state is TaskState.SUBMITTING:
            # Killed mid-submission: the chain says whether the transaction landed.
            certification = await asyncio.to_thread(self._chain.certification, task)
            if certification is not None:
                self._record_certified(entry, certification)
                return False
            self._store.set_state(index, TaskState.OPEN)
        self._tasks[index] = entry
        self._broadcast.publish(task, hints)
        self._check_ready(entry)
        log.info("task_added", task=index, operators=len(entry.snapshot.operators))
        return True

    async def recover(self) -> int:
        """Reload open and submitting tasks, and certified tasks still owing evidence."""
        rows = self._store.tasks_in(TaskState.OPEN, TaskState.SUBMITTING)
        for row in rows:
            await self.add_task(self._codec.decode(row.task_blob))
        if self._evidence is None:
            return len(rows)
        owing = self._store.tasks_in(TaskState.CERTIFIED)
        for row in owing:  # each stores the certified digest (set since 'submitting')
            self._closed.add(row.task_index)
            if row.result_digest is not None:
                self._evidence.resume(self._codec.decode(row.task_blob), row.result_digest)
        return len(rows) + len(owing)

    async def on_certified(self, task_index: int, certification: Certification) -> bool:
        """A certificate for ``task_index`` was seen on chain: close the task if it is open
        (one with a submission in flight is left to it). Returns whether it closed one."""
        entry = self._tasks.get(task_index)
        if entry is None or entry.state is not TaskState.OPEN:
            return False
        self._record_certified(entry, certification)
        return True

    def subscribe(self, request: SubscribeRequest) -> AsyncIterator[tuple[Task, TaskHints]]:
        """Open tasks now and every new task after, for an operator's stream (bounded)."""

        def open_tasks() -> list[tuple[Task, TaskHints]]:
            entries = sorted(self._tasks.items())
            return [(e.task, e.hints) for _i, e in entries if e.state is TaskState.OPEN]

        return self._broadcast.subscribe(request, open_tasks)

    # -- responses -------------------------------------------------------------------------

    async def submit(self, submission: ResponseSubmission) -> SubmitResult:
        """Verify one signed response and, if valid, record it.

        The signature is checked before the response may take the operator's place, so an
        unverified submission never displaces or blocks a genuine one; CONFLICT means two
        *verified* signatures of one operator on different results (equivocation).
        """
        task_index = submission.task_index
        loading = self._loading.get(task_index)
        if loading is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOADING_WAIT_SECONDS):
                    await loading.wait()
        entry = self._open_entry(task_index)
        if isinstance(entry, SubmitResult):
            return self._count(entry)
        response = SignedResponse(
            submission.operator_id,
            submission.result_bytes,
            keccak256(submission.result_bytes),
            submission.signature,
        )
        message = self._codec.message_hash(entry.task_hash, submission.result_bytes)
        known = entry.aggregation.precheck(response)
        if known is None:
            if not await self._verify_one(entry, response, message):
                return self._count(
                    SubmitResult(
                        SubmitStatus.INVALID_SIGNATURE,
                        "the signature does not verify for this operator and result",
                    )
                )
            # The task may have closed or started submitting while we verified.
            entry = self._open_entry(task_index)
            if isinstance(entry, SubmitResult):
                return self._count(entry)
            had_evidence = entry.aggregation.has_equivocation(response.operator_id)
            known = entry.aggregation.add(response)
            if known is AddOutcome.ACCEPTED or (known is AddOutcome.CONFLICT and not had_evidence):
                # Stored before the reply: a restart rebuilds the same aggregation.
                row = StoredResponse(
                    task_index,
                    response.operator_id,
                    response.result_bytes,
                    signature_bytes(response.signature),
                )
                await self._journal.add(row)
            if known in (AddOutcome.ACCEPTED, AddOutcome.CONFLICT):
                self._liveness.answered(response.operator_id)
            if known is AddOutcome.ACCEPTED:
                self._check_ready(entry)
        return self._count(submit_reply(entry, known, message))

    async def _verify_one(self, entry: TaskEntry, response: SignedResponse, message: bytes) -> bool:
        key = entry.snapshot.operators[response.operator_id].pubkey_g2
        signer = SignerEntry(response.operator_id, key, response.signature)
        return await self._arrivals.is_valid(message, signer)

    def _open_entry(self, task_index: int) -> TaskEntry | SubmitResult:
        """The task's entry if it accepts responses, else the reply to send."""
        entry = self._tasks.get(task_index)
        if entry is not None and entry.state is TaskState.OPEN:
            return entry
        if entry is None and task_index not in self._closed:
            return SubmitResult(SubmitStatus.UNKNOWN_TASK, f"task {task_index} unknown")
        return SubmitResult(SubmitStatus.TASK_CLOSED, f"task {task_index} is closed")

    # -- certification ---------------------------------------------------------------------

    async def run(self, poll_seconds: float = 0.1) -> None:
        """Certification loop: verify ready groups in batches and submit certificates."""
        while True:
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancel that lands in the
            # turn the wake-up fires, and the loop would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await self._wakeup.wait()
            self._wakeup.clear()
            await self.certify_ready(wait=False)

    async def run_evidence(self, poll_seconds: float = 0.5) -> None:
        """Evidence loop (apart, so evidence transactions never delay a certificate)."""
        while True:
            await asyncio.sleep(poll_seconds)
            await self.settle_evidence()

    async def certify_ready(self, wait: bool = True) -> int:
        """Verify every ready digest group in one batch and submit their certificates.

        Submissions run concurrently (each waits for its own transaction); with
        ``wait=False`` they continue in the background and the count started is returned,
        else the count certified. A task is not tried while backing off a failure. It is
        tried in its own creation block: the transaction can only be mined in a later block,
        where the reference block is in the past as the contract requires (the certifier
        checks it against the pending block), so a certificate lands in the next block.
        """
        now = time.monotonic()
        ready: list[tuple[TaskEntry, DigestGroup]] = []
        for entry in self._tasks.values():
            group = entry.aggregation.ready_group() if entry.state is TaskState.OPEN else None
            if group is None:
                entry.ready_since = None
                continue
            if entry.ready_since is None:
                entry.ready_since = now
            if (
                now - entry.ready_since < self._linger
                and not self._urgent(entry)
                and self._liveness.awaiting(entry.aggregation, now)
            ):
                continue
            if not entry.retries.due(now):
                continue
            if entry.retries.failures == 0:
                self._stage("linger", now - entry.ready_since)
            # A copy: responses arriving during the batch check are not in it, so the
            # certificate holds exactly the signatures that were checked.
            ready.append((entry, group.copy()))
        if not ready:
            return 0
        # Most urgent deadline first: submissions start in this order.
        ready.sort(key=lambda pair: pair[0].task.deadline_block)
        await self._verify(ready)
        jobs = []
        for entry, group in ready:
            # The batch check yielded the loop: expire() or a competitor's certificate may
            # have closed the task meanwhile.
            if entry.state is not TaskState.OPEN or not entry.aggregation.group_meets_threshold(
                group
            ):
                continue
            # Marked before the job first runs, so the next pass cannot pick it again.
            entry.state = TaskState.SUBMITTING
            self._store.set_state(
                entry.task.task_index, TaskState.SUBMITTING, result_digest=group.result_digest
            )
            job = asyncio.create_task(self._certify(entry, group))
            self._jobs.add(job)
            job.add_done_callback(self._jobs.discard)
            jobs.append(job)
        if not wait:
            return len(jobs)
        return sum(await asyncio.gather(*jobs))

    async def settle_evidence(self) -> int:
        """Submit the evidence owed by certified tasks that are due; returns how many settled."""
        if self._evidence is None:
            return 0
        return await self._evidence.settle_due(self._head)

    async def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout`` s) for certificate submissions in flight."""
        if self._jobs:
            await asyncio.wait(list(self._jobs), timeout=timeout)
        self._tx_threads.shutdown(wait=False)

    async def expire(self, block_number: int) -> list[int]:
        """Close open tasks that can no longer be certified at chain head ``block_number``.

        A certificate mined after ``deadline_block`` reverts, and the next transaction lands
        in ``block_number + 1`` at the earliest. A task someone else certified is recorded
        as certified (and owes its evidence), never as expired.
        """
        self._head = block_number if self._head is None else max(self._head, block_number)
        expired = []
        for index, entry in list(self._tasks.items()):
            if entry.state is not TaskState.OPEN or block_number < entry.task.deadline_block:
                continue
            try:
                certification = await asyncio.to_thread(self._chain.certification, entry.task)
            except Exception as exc:  # decided on a later head, once the chain answers
                log.debug("expiry_check_failed", task=index, error=str(exc))
                continue
            if entry.state is not TaskState.OPEN:  # picked up by a submission meanwhile
                continue
            if certification is not None:
                self._record_certified(entry, certification)
                continue
            # The entry's own state too: a certification pass that picked this task before
            # the expiry (its batch check still running) must not submit it, nor write it
            # back to open in the store when that submission fails.
            entry.state = TaskState.EXPIRED
            self._store.set_state(index, TaskState.EXPIRED)
            self._close(index)
            self._metrics.expired.inc()
            expired.append(index)
            log.warning("task_expired", task=index, block=block_number)
        return expired

    async def _verify(self, ready: Sequence[tuple[TaskEntry, DigestGroup]]) -> None:
        started = time.perf_counter()
        dropped = await drop_invalid_signatures(self._codec, self._verifier, ready)
        took = time.perf_counter() - started
        self._metrics.verify_seconds.observe(took)
        self._stage("verify", took)
        if dropped:
            self._metrics.responses.labels("invalid_signature").inc(dropped)

    def _urgent(self, entry: TaskEntry) -> bool:
        return self._head is not None and self._head + URGENT_BLOCKS >= entry.task.deadline_block

    async def _certify(self, entry: TaskEntry, group: DigestGroup) -> bool:
        index = entry.task.task_index
        started = time.monotonic()
        picked: list[float] = []

        def certify() -> CertifyResult:
            picked.append(time.monotonic())
            return self._certifier.certify(entry.task, entry.snapshot, group)

        try:
            # Own threads: a certificate waits a block or more for its receipt, and must
            # never hold the threads that verify responses and read new tasks.
            result = await asyncio.get_running_loop().run_in_executor(self._tx_threads, certify)
        except Exception as exc:
            self._metrics.certificates.labels("failed").inc()
            if entry.state is not TaskState.SUBMITTING or index not in self._tasks:
                log.debug("certificate_failed_after_close", task=index, error=str(exc))
                return False
            entry.state = TaskState.OPEN
            self._store.set_state(index, TaskState.OPEN)
            if entry.retries.failed(self._backoff):
                log.warning("certificate_failed", task=index, error=str(exc))
            else:
                log.debug("certificate_retry_failed", task=index, error=str(exc))
            return False
        took = time.monotonic() - started
        if result.mined_seconds is not None:
            self._stage("send", max(took - result.mined_seconds, 0.0))
            self._stage("mined", result.mined_seconds)
        digest = result.result_digest or group.result_digest
        by_self = not result.already_certified
        self._record_certified(entry, Certification(digest, result.tx_hash, by_self))
        log.debug(
            "certificate_timing",
            task=index,
            queued_ms=_ms(picked[0] - started) if picked else None,
            prepare_ms=_ms(result.prepare_seconds),
            mined_ms=_ms(result.mined_seconds),
            total_ms=_ms(took),
            head=self._head,
            deadline=entry.task.deadline_block,
        )
        return True

    def _record_certified(self, entry: TaskEntry, certification: Certification) -> None:
        """Close ``entry`` as certified (by us or a competitor) and owe its evidence."""
        index = entry.task.task_index
        by = CertifiedBy.SELF if certification.by_self else CertifiedBy.OTHER
        entry.state = TaskState.CERTIFIED
        self._store.set_state(
            index,
            TaskState.CERTIFIED,
            result_digest=certification.result_digest,
            tx_hash=certification.tx_hash,
            certified_by=by,
        )
        outcome = "certified" if certification.by_self else "already_certified"
        self._metrics.certificates.labels(outcome).inc()
        certified = certified_group(entry.aggregation, certification.result_digest)
        log.info(
            "task_certified",
            task=index,
            signers=len(certified.responses),
            tx=f"0x{certification.tx_hash.hex()}",
            outcome=outcome,
            attempts=entry.retries.failures + 1 if certification.by_self else None,
        )
        self._close(index)
        if self._evidence is not None:
            self._evidence.add(entry.task, certified, entry.aggregation)

    async def _aggregation_of(self, task: Task) -> TaskAggregation:
        return (await self._load_entry(task, NO_HINTS)).aggregation

    async def _load_entry(self, task: Task, hints: TaskHints) -> TaskEntry:
        """A task's aggregation, rebuilt from every response the store holds for it."""
        snapshot = await asyncio.to_thread(self._chain.snapshot, task)
        rows = self._store.responses(task.task_index)
        return rebuild_entry(task, self._codec.task_hash(task), snapshot, hints, rows)

    # -- helpers ---------------------------------------------------------------------------

    def _check_ready(self, entry: TaskEntry) -> None:
        if entry.aggregation.ready_group() is not None:
            if entry.ready_since is None:
                entry.ready_since = time.monotonic()
                self._stage("collect", entry.ready_since - entry.added_at)
            self._wakeup.set()

    def _stage(self, stage: str, seconds: float) -> None:
        self._metrics.stage_seconds.labels(stage=stage).observe(seconds)

    def _close(self, index: int) -> None:
        self._tasks.pop(index, None)
        self._closed.add(index)

    def _count(self, result: SubmitResult) -> SubmitResult:
        self._metrics.responses.labels(result.status.value).inc()
        return result


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
