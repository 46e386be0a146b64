"""The operator node: sources -> intake -> bounded concurrent workers, with clean shutdown.

On stop (SIGTERM/SIGINT in :mod:`avs_operator.app`): intake stops first, in-flight tasks
get ``shutdown_grace`` seconds to finish (a task cancelled mid-way has either not signed,
or signed and recorded its signature, so a restart resumes it safely), then the node returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace

from avs.backoff import Backoff
from avs.errors import ChainError
from avs.logging import get_logger
from avs.protocol import Task
from avs_operator.intake import Arrival, TaskIntake
from avs_operator.ports import BlockClock
from avs_operator.sources import TaskSource
from avs_operator.worker import Outcome, TaskWorker

RETRY_BACKOFF = Backoff(initial=1.0, factor=2.0, maximum=5.0, jitter=0.2)
"""Between attempts of one task after a transient failure (capped: the deadline decides)."""


class OperatorNode:
    """Runs the task pipeline until asked to stop."""

    def __init__(
        self,
        *,
        sources: Sequence[TaskSource],
        worker: TaskWorker,
        concurrency: int = 2,
        shutdown_grace: float = 20.0,
        intake: TaskIntake[Task] | None = None,
        retry_backoff: Backoff = RETRY_BACKOFF,
        clock: BlockClock | None = None,
        block_time: float = 12.0,
    ) -> None:
        """At most ``concurrency`` tasks run at once; a transient failure is retried with
        ``retry_backoff`` until the task's deadline block (read from ``clock``; while the
        chain cannot say, estimated as its response window times ``block_time`` seconds)."""
        if not sources:
            raise ValueError("the node needs at least one task source (chain or stream)")
        self._sources = list(sources)
        self._worker = worker
        self._slots = asyncio.Semaphore(concurrency)
        self._grace = shutdown_grace
        self._backoff = retry_backoff
        self._clock = clock
        self._block_time = block_time
        self._give_up_at: dict[int, float] = {}
        self.intake: TaskIntake[Task] = intake or TaskIntake()
        self._inflight: set[asyncio.Task[Outcome]] = set()
        self.outcomes: dict[int, Outcome] = {}
        """Outcome of every finished task by index (the last one wins on repeats)."""
        self._log = get_logger(component="operator")

    async def run(self, stop: asyncio.Event) -> None:
        """Serve tasks until ``stop`` is set, then drain and return."""
        feeders = [asyncio.create_task(s.run(self.intake), name=s.name) for s in self._sources]
        dispatcher = asyncio.create_task(self._dispatch(), name="dispatch")
        self._log.info("node_started", sources=[s.name for s in self._sources])
        try:
            await stop.wait()
        finally:
            self._log.info("node_stopping", in_flight=len(self._inflight))
            for t in [*feeders, dispatcher]:
                t.cancel()
            await asyncio.gather(*feeders, dispatcher, return_exceptions=True)
            await self._drain()
            self._log.info("node_stopped", unstarted=self.intake.pending())

    async def _dispatch(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                arrival = await self.intake.next()
            except BaseException:
                self._slots.release()
                raise
            job = asyncio.create_task(self._handle(arrival), name=f"task-{arrival.task_index}")
            self._inflight.add(job)
            job.add_done_callback(self._inflight.discard)

    async def _handle(self, arrival: Arrival[Task]) -> Outcome:
        try:
            outcome = await self._worker.handle(arrival)
            self.outcomes[arrival.task_index] = outcome
            if outcome is Outcome.RETRY:
                await self._schedule_retry(arrival)
            else:
                self._give_up_at.pop(arrival.task_index, None)
            return outcome
        finally:
            self._slots.release()

    async def _schedule_retry(self, arrival: Arrival[Task]) -> None:
        task = arrival.task
        if await self._past_deadline(task):
            self._give_up_at.pop(arrival.task_index, None)
            self._log.warning(
                "task_abandoned",
                task_index=arrival.task_index,
                attempts=arrival.attempt + 1,
                reason="deadline_passed",
            )
            return
        delay = self._backoff.delay(arrival.attempt)
        again = replace(arrival, attempt=arrival.attempt + 1)
        asyncio.get_running_loop().call_later(delay, self.intake.requeue, again)
        self._log.info(
            "task_retry_scheduled",
            task_index=arrival.task_index,
            attempt=arrival.attempt + 1,
            in_seconds=round(delay, 2),
        )

    async def _past_deadline(self, task: Task) -> bool:
        """Whether the chain head reached the task's deadline (no response can count then)."""
        window = (task.deadline_block - task.created_block + 1) * self._block_time
        give_up_at = self._give_up_at.setdefault(task.task_index, time.monotonic() + window)
        if self._clock is not None:
            try:
                return await self._clock.block_number() >= task.deadline_block
            except ChainError:
                pass  # the head is unknown during an outage: the wall-clock estimate decides
        return time.monotonic() >= give_up_at

    async def _drain(self) -> None:
        if not self._inflight:
            return
        pending = set(self._inflight)
        _done, late = await asyncio.wait(pending, timeout=self._grace)
        if late:
            self._log.warning("shutdown_grace_expired", cancelled=len(late))
            for t in late:
                t.cancel()
            await asyncio.gather(*late, return_exceptions=True)
