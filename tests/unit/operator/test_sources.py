"""Task sources survive anything a poll can throw: logged, counted, Down, retried."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from opnode_cases import DOMAIN  # type: ignore[import-not-found]  # test dir on sys.path

from avs.backoff import Backoff
from avs.metrics import OperatorMetrics
from avs.nodeapi import ServiceStatus
from avs.protocol import Task
from avs_operator.health import CHAIN, ServiceTracker
from avs_operator.intake import TaskIntake
from avs_operator.sources import ChainSource

NO_WAIT = Backoff(initial=0.001, maximum=0.001, jitter=0)


class BrokenThenHealthyFeed:
    """Raises an unexpected (non-AvsError) exception ``failures`` times, then serves tasks."""

    def __init__(self, failures: int, tasks: Sequence[Task], services: ServiceTracker) -> None:
        self.failures = failures
        self.tasks = tasks
        self.services = services
        self.seen_down = False

    async def poll(self) -> Sequence[Task]:
        if self.failures:
            self.failures -= 1
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        # The failure must have been visible on the node API before recovery.
        self.seen_down = self.seen_down or self.services.status(CHAIN) is ServiceStatus.DOWN
        return self.tasks


def test_an_unexpected_poll_error_is_counted_shown_and_retried(
    task_factory: Callable[..., Task],
) -> None:
    metrics = OperatorMetrics.create()
    services = ServiceTracker((CHAIN,))
    feed = BrokenThenHealthyFeed(2, [task_factory(7)], services)
    source = ChainSource(feed, services, DOMAIN, metrics, interval=0.001, backoff=NO_WAIT)
    intake: TaskIntake[Task] = TaskIntake()

    async def scenario() -> int:
        running = asyncio.create_task(source.run(intake))
        arrival = await asyncio.wait_for(intake.next(), 30)
        running.cancel()
        return arrival.task_index

    assert asyncio.run(scenario()) == 7
    assert feed.seen_down
    assert services.status(CHAIN) is ServiceStatus.UP
    errors = metrics.registry.get_sample_value("avs_source_errors_total", {"source": CHAIN})
    assert errors == 2
