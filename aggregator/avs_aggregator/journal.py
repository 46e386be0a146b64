"""Responses written to the task store in group commits: one transaction (one fsync) for
every response that arrived while the previous write was in progress.

Each response is still durable before its operator gets the reply (a restart rebuilds the
same aggregation). One fsync costs milliseconds on real disks (about 19 ms on the shared CI
disk): committed one by one, 200 operators answering a task cost seconds of fsync and
capped a 200-operator quorum at a fraction of a task per second (``benchmarks/load.py``).
"""

from __future__ import annotations

from avs_aggregator.bursts import BurstBatcher
from avs_aggregator.store import StoredResponse, TaskStore

MAX_ROWS = 1024
"""Most responses in one transaction (bounds one write's latency)."""


class ResponseJournal:
    """``await add(row)`` returns once ``row`` is committed (True if it was new)."""

    def __init__(self, store: TaskStore, max_rows: int = MAX_ROWS) -> None:
        self._batches = BurstBatcher(store.add_responses, max_rows)

    async def add(self, row: StoredResponse) -> bool:
        """Store ``row`` in the next group commit and wait for it."""
        return await self._batches.submit(row)
