"""Durable evidence submission: certified -> evidence pending -> evidence settled.

Every certified task (whoever certified it) owes the slashing evidence its stored
responses hold. The task stays ``certified`` in the store until the challenger has run
through it without error, then becomes ``settled``; a failed attempt is retried with
back-off, across restarts, until the task's challenge window closes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from avs.backoff import Backoff, RetryState
from avs.logging import get_logger
from avs.protocol import Task
from avs_aggregator.aggregation import DigestGroup, TaskAggregation
from avs_aggregator.store import TaskState, TaskStore

log = get_logger(component="aggregator.evidence")
EVIDENCE_BACKOFF = Backoff(initial=1.0, factor=2.0, maximum=30.0, jitter=0.2)


class Challenger(Protocol):
    """Submits slashing evidence for provable faults (blocking; worker thread)."""

    def report(self, task: Task, certified: DigestGroup, aggregation: TaskAggregation) -> None:
        """Submit the evidence of provable faults held in ``aggregation``, if any.

        Must be idempotent (evidence already on chain is skipped): it is called again
        after a failure or a restart.
        """
        ...


class EvidenceWindow(Protocol):
    """How long evidence for a task is accepted (blocking; worker thread)."""

    def last_evidence_block(self, task: Task) -> int:
        """Last block in which evidence about ``task`` can land."""
        ...


@dataclass(slots=True)
class PendingEvidence:
    """A certified task whose evidence is not yet settled."""

    task: Task
    certified: DigestGroup
    """The certified result (``result_bytes`` empty when only its digest is known)."""
    aggregation: TaskAggregation
    """Every response this aggregator stored for the task."""
    retries: RetryState = field(default_factory=RetryState)


class EvidenceBook:
    """Pending evidence of certified tasks, submitted through a :class:`Challenger`."""

    def __init__(
        self,
        store: TaskStore,
        challenger: Challenger,
        window: EvidenceWindow,
        load: Callable[[Task], Awaitable[TaskAggregation]],
        backoff: Backoff = EVIDENCE_BACKOFF,
    ) -> None:
        self._store = store
        self._challenger = challenger
        self._window = window
        self._load = load
        self._backoff = backoff
        self._pending: dict[int, PendingEvidence] = {}
        self._unloaded: dict[int, tuple[Task, bytes]] = {}
        self._busy = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._pending) + len(self._unloaded)

    def add(self, task: Task, certified: DigestGroup, aggregation: TaskAggregation) -> None:
        """Owe the evidence of a certified task (already ``certified`` in the store)."""
        self._pending.setdefault(task.task_index, PendingEvidence(task, certified, aggregation))

    def resume(self, task: Task, certified_digest: bytes) -> None:
        """Owe again the evidence of a task certified before a restart; its responses are
        reloaded (``load``) on the next :meth:`settle_due`, again while the chain is down."""
        self._unloaded[task.task_index] = (task, certified_digest)

    async def settle_due(self, head: int | None) -> int:
        """Submit the evidence of every task due for an attempt; returns how many settled.

        ``head`` (the chain head, when known) closes tasks whose challenge window ended.
        """
        async with self._busy:
            await self._reload()
            now, settled = time.monotonic(), 0
            for index, item in list(self._pending.items()):
                if not item.retries.due(now):
                    continue
                if await self._attempt(item, head):
                    del self._pending[index]
                    self._store.set_state(index, TaskState.SETTLED)
                    settled += 1
            return settled

    async def _reload(self) -> None:
        for index, (task, digest) in list(self._unloaded.items()):
            try:
                aggregation = await self._load(task)
            except Exception as exc:  # the chain is down: next time
                log.debug("evidence_reload_failed", task=index, error=str(exc))
                continue
            del self._unloaded[index]
            self.add(task, certified_group(aggregation, digest), aggregation)

    async def _attempt(self, item: PendingEvidence, head: int | None) -> bool:
        index = item.task.task_index
        try:
            if head is not None:
                last = await asyncio.to_thread(self._window.last_evidence_block, item.task)
                if head > last:
                    log.warning("evidence_window_closed", task=index, last_block=last)
                    return True
            await asyncio.to_thread(
                self._challenger.report, item.task, item.certified, item.aggregation
            )
        except Exception as exc:  # an RPC outage: keep the evidence, try again later
            if item.retries.failed(self._backoff):
                log.error("evidence_failed", task=index, error=str(exc))
            else:
                log.debug("evidence_retry_failed", task=index, error=str(exc))
            return False
        if item.retries.failures:
            log.info("evidence_recovered", task=index, attempts=item.retries.failures + 1)
        return True


def certified_group(aggregation: TaskAggregation, digest: bytes) -> DigestGroup:
    """The group of ``aggregation`` that signed ``digest`` (empty if none of ours did)."""
    for group in aggregation.groups():
        if group.result_digest == digest:
            return group
    return DigestGroup(digest, b"")
