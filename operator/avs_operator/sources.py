"""The two task sources: chain events (polled, and read at once when a new block is pushed)
and the aggregator stream (reconnecting).

Each runs until cancelled, offers every task it sees to the intake (duplicates are dropped
there) and reports its service's live state (Up / Down) to the tracker. No failure ends a
source: an unexpected exception is logged, counted (``avs_source_errors_total``), shown as
Down and retried with backoff, so a poll task never dies silently behind a healthy status.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from avs.backoff import Backoff
from avs.chain.heads import HeadPush, wait_for_block
from avs.errors import AvsError
from avs.logging import get_logger
from avs.metrics import OperatorMetrics
from avs.nodeapi import ServiceStatus
from avs.protocol import Task
from avs_operator.health import AGGREGATOR, CHAIN, ServiceTracker
from avs_operator.intake import TaskIntake
from avs_operator.ports import TaskFeed, TaskStream
from avs_operator.signer import ChainDomain

STREAM_BACKOFF = Backoff(initial=0.5, maximum=30.0)
"""Reconnect schedule of the task stream."""
CHAIN_BACKOFF = Backoff(initial=1.0, maximum=60.0)
"""Retry schedule of chain polls after consecutive failures."""


class TaskSource(Protocol):
    """Something that feeds the intake until cancelled."""

    name: str

    async def run(self, intake: TaskIntake[Task]) -> None:
        """Offer tasks to ``intake`` forever (returns only when cancelled)."""
        ...


class _Offer:
    """Shared offer logic: dedupe by task hash, count per source."""

    def __init__(self, name: str, domain: ChainDomain, metrics: OperatorMetrics) -> None:
        self.name = name
        self._domain = domain
        self._metrics = metrics

    def failed(self, exc: Exception, services: ServiceTracker, log: Any, outage: str) -> None:
        """Log a failure (an outage once, as ``outage``) and mark this source's service Down."""
        if not isinstance(exc, AvsError):
            # A bug or hostile input, not an outage: always visible, always counted.
            self._metrics.source_errors.labels(source=self.name).inc()
            log.error("source_error", error=f"{type(exc).__name__}: {exc}")
        elif services.status(self.name) is not ServiceStatus.DOWN:
            log.warning(outage, error=str(exc))
        services.set(self.name, ServiceStatus.DOWN)

    def offer(self, intake: TaskIntake[Task], task: Task, looked_at: float | None = None) -> bool:
        """Queue ``task`` unless known; ``looked_at`` (monotonic) started the look that found it
        (its ``seen`` stage)."""
        key = self._domain.task_hash(task)
        fresh = intake.offer(task.task_index, task, self.name, key=key)
        if fresh:
            self._metrics.tasks_received.labels(source=self.name).inc()
            if looked_at is not None:
                seen = time.monotonic() - looked_at
                self._metrics.stage_seconds.labels(stage="seen").observe(seen)
        return fresh


class ChainSource(_Offer):
    """Reads ``TaskCreated`` events every ``interval`` seconds, and at once when ``push``
    announces a new block (the same read either way: nothing pushed is trusted)."""

    def __init__(
        self,
        feed: TaskFeed,
        services: ServiceTracker,
        domain: ChainDomain,
        metrics: OperatorMetrics,
        interval: float,
        backoff: Backoff = CHAIN_BACKOFF,
        push: HeadPush | None = None,
        push_interval: float = 0.0,
    ) -> None:
        """Poll ``feed``; the ``chain`` service is Up while polls succeed. While ``push`` is
        subscribed it wakes each poll, and the timer only covers a lost push: every
        ``push_interval`` s (a block time; never more often than ``interval``)."""
        super().__init__(CHAIN, domain, metrics)
        self._feed = feed
        self._services = services
        self._interval = interval
        self._backoff = backoff
        self._push = push
        self._push_interval = max(push_interval, interval)
        self._log = get_logger(component="operator", source=CHAIN)

    async def run(self, intake: TaskIntake[Task]) -> None:
        """Poll forever; a failed poll marks the chain Down and is retried with backoff."""
        failures = 0
        while True:
            looked_at = time.monotonic()
            try:
                tasks = await self._feed.poll()
            except Exception as exc:  # counted and logged in failed()
                self.failed(exc, self._services, self._log, "chain_poll_failed")
                await asyncio.sleep(max(self._interval, self._backoff.delay(failures)))
                failures += 1
                continue
            failures = 0
            if self._services.status(CHAIN) is not ServiceStatus.UP:
                self._log.info("chain_connected")
            self._services.set(CHAIN, ServiceStatus.UP)
            for task in tasks:
                self.offer(intake, task, looked_at)
            pushed = self._push is not None and self._push.connected
            await wait_for_block(self._push, self._push_interval if pushed else self._interval)


class ChainPush:
    """Runs the new-block subscription that wakes :class:`ChainSource` (offers no tasks)."""

    name = "chain-push"

    def __init__(self, push: HeadPush) -> None:
        """Keep ``push`` subscribed while the node runs."""
        self._push = push

    async def run(self, intake: TaskIntake[Task]) -> None:  # noqa: ARG002 - offers nothing
        """Subscribe (and resubscribe) until cancelled."""
        await self._push.run()


class StreamSource(_Offer):
    """Keeps a ``SubscribeTasks`` stream open, reconnecting with backoff."""

    def __init__(
        self,
        stream: TaskStream,
        operator_id: bytes,
        services: ServiceTracker,
        domain: ChainDomain,
        metrics: OperatorMetrics,
        connect_timeout: float = 10.0,
        backoff: Backoff = STREAM_BACKOFF,
    ) -> None:
        """Subscribe as ``operator_id``; the ``aggregator`` service is Up while connected."""
        super().__init__(AGGREGATOR, domain, metrics)
        self._stream = stream
        self._operator_id = operator_id
        self._services = services
        self._connect_timeout = connect_timeout
        self._backoff = backoff
        self._next_index = 0
        self._log = get_logger(component="operator", source=AGGREGATOR)

    async def run(self, intake: TaskIntake[Task]) -> None:
        """Stream forever; after a failure wait (backoff) and resume past the last task."""
        failures = 0
        while True:
            try:
                await self._stream.wait_connected(self._connect_timeout)
                self._services.set(AGGREGATOR, ServiceStatus.UP)
                self._log.info("stream_connected", from_task_index=self._next_index)
                failures = 0
                async for task in self._stream.subscribe_tasks(self._operator_id, self._next_index):
                    self._next_index = max(self._next_index, task.task_index + 1)
                    self.offer(intake, task)
                # The stream's deadline ended it: reconnect at once, this is not a failure.
                self._log.debug("stream_ended")
                continue
            except Exception as exc:  # counted and logged in failed()
                self.failed(exc, self._services, self._log, "stream_failed")
            await asyncio.sleep(self._backoff.delay(failures))
            failures += 1


class AggregatorProbe:
    """Tracks the aggregator's reachability when the task stream is disabled (no tasks)."""

    name = "aggregator-probe"

    def __init__(self, stream: TaskStream, services: ServiceTracker, interval: float) -> None:
        """Check every ``interval`` seconds whether the channel can connect."""
        self._stream = stream
        self._services = services
        self._interval = interval

    async def run(self, intake: TaskIntake[Task]) -> None:  # noqa: ARG002 - offers nothing
        """Probe forever."""
        while True:
            try:
                await self._stream.wait_connected(self._interval)
            except AvsError:
                self._services.set(AGGREGATOR, ServiceStatus.DOWN)
            else:
                self._services.set(AGGREGATOR, ServiceStatus.UP)
            await asyncio.sleep(self._interval)
