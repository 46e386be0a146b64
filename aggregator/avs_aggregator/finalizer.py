"""Deliver certified results of exact-type consumer tasks once their challenge window closed.

An exact task type created with a consumer (delivery mode AFTER_CHALLENGE_WINDOW) is called
only through ``TaskManager.finalize``, which anyone may send after the window. Without this
loop such tasks waited for a human running ``avs tasks finalize N``. The aggregator finalizes
the tasks it certified: their bytes are in its blob store (or in the ResultPublished event),
always checked against the certified hash. Durable across restarts: candidates come from the
task store and each one's delivery state is read from the chain before any send, so a task a
competitor delivered, an overturned (cancelled) or expired one costs a read, not a revert.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter

from avs.chain.delivery import DeliveryMode, DeliveryState
from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.crypto.keccak import keccak256
from avs.errors import AvsError
from avs.logging import get_logger
from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs_aggregator.store import CertifiedBy, StoredTask, TaskState, TaskStore

log = get_logger(component="aggregator")


@dataclass(frozen=True, slots=True)
class FinalizerMetrics:
    """``avs_consumer_finalized_total`` and ``avs_consumer_finalize_failures_total``."""

    finalized: Counter
    failures: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry | None) -> FinalizerMetrics:
        """Counters in ``registry`` (None: a private one, e.g. in tests)."""
        reg = registry if registry is not None else CollectorRegistry()
        return cls(
            Counter("avs_consumer_finalized", "Consumer tasks finalized", registry=reg),
            Counter(
                "avs_consumer_finalize_failures",
                "Failed finalize attempts, by reason",
                ["reason"],
                registry=reg,
            ),
        )


@dataclass(slots=True)
class ConsumerFinalizer:
    """Finalizes this aggregator's certified consumer tasks whose window has closed."""

    reader: ChainReader
    writer: ChainWriter
    blobs: BlobStore
    store: TaskStore
    metrics: FinalizerMetrics
    settled: set[int] = field(default_factory=set)
    """Tasks with nothing left to do (delivered, cancelled, other modes, ...); in memory only:
    after a restart each one costs one chain read again."""
    final_blocks: dict[int, int] = field(default_factory=dict)
    """Last block of each pending task's challenge window, once read."""

    def candidates(self) -> list[StoredTask]:
        """Tasks this aggregator certified and has not yet seen settled."""
        rows = self.store.tasks_in(TaskState.CERTIFIED, TaskState.SETTLED)
        return [
            t
            for t in rows
            if t.certified_by is CertifiedBy.SELF
            and t.result_digest is not None
            and t.task_index not in self.settled
        ]

    def step(self, head: int) -> int:
        """Finalize every candidate whose window closed by ``head``; returns how many."""
        done = 0
        for task in self.candidates():
            done += self._finalize_one(task, head)
        return done

    def _finalize_one(self, task: StoredTask, head: int) -> int:
        index = task.task_index
        # A delivery's mode and final block are fixed at creation: while the window is open
        # a pending task costs no chain read per poll.
        if index in self.final_blocks and head <= self.final_blocks[index]:
            return 0
        # Read in the pending block: a competitor's finalize still in the mempool already
        # shows as delivered there, so it costs neither a send nor a failed estimate.
        record = self.reader.delivery(index, block="pending")
        if record.mode is not DeliveryMode.AFTER_CHALLENGE_WINDOW or record.state not in (
            DeliveryState.CERTIFIED,
        ):
            if record.state is not DeliveryState.AWAITING_RESULT:
                self._settle(index)
            return 0
        self.final_blocks[index] = record.final_block
        # Sent only once the window is closed in the latest block, not just the pending one:
        # a send estimated one block early would revert DeliveryWindowOpen.
        if head <= record.final_block:
            return 0
        result = self._result_bytes(task)
        if result is None:
            self.metrics.failures.labels(reason="no_result_bytes").inc()
            log.warning("finalize_skipped", task=index, reason="no_result_bytes")
            return 0
        try:
            self.writer.finalize(index, result)
        except AvsError as exc:
            if self.reader.delivery(index, "pending").state is not DeliveryState.CERTIFIED:
                # A competitor's finalize landed (or was pending) first: nothing lost.
                log.info("consumer_task_finalized_by_other", task=index)
                self._settle(index)
                return 0
            self.metrics.failures.labels(reason="send").inc()
            log.warning("finalize_failed", task=index, error=str(exc))
            return 0
        self._settle(index)
        self.metrics.finalized.inc()
        log.info("consumer_task_finalized", task=index, bounty=record.bounty)
        return 1

    def _settle(self, index: int) -> None:
        self.settled.add(index)
        self.final_blocks.pop(index, None)

    def _result_bytes(self, task: StoredTask) -> bytes | None:
        """The certified bytes: own blob store first, else the ResultPublished event."""
        digest = task.result_digest
        assert digest is not None  # filtered in candidates()
        try:
            data = self.blobs.get(ContentHash(digest))
            if keccak256(data) == digest:
                return data
        except (AvsError, OSError):
            pass
        published = self.reader.published_result(task.task_index)
        if published is not None and keccak256(published) == digest:
            return published
        return None

    async def run(self, poll_interval: float) -> None:
        """Step forever; a chain outage is logged and retried, never fatal."""
        while True:
            try:
                head = await asyncio.to_thread(self.reader.client.block_number)
                await asyncio.to_thread(self.step, head)
            except Exception as exc:  # an RPC outage must not stop the aggregator
                log.error("finalize_poll_failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(poll_interval)
