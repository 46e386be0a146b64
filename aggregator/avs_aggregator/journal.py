"""Responses written to the task store in group commits: one transaction (one fsync) for
every response that arrived while the previous write was in progress.

Each response is still durable before its operator gets the reply (a restart rebuilds the
same aggregation). One fsync costs milliseconds on real disks (about 19 ms on the shared CI
disk): committed one by one, 200 operators answering a task cost seconds of fsync and
capped a 200-operator quorum at a fraction of a task per second (``benchmarks/load.py``).
Like :mod:`avs_aggregator.arrivals`, batching adds no wait: a write starts as soon as the
previous one ends, with whatever arrived meanwhile.
"""

from __future__ import annotations

import asyncio

from avs_aggregator.store import StoredResponse, TaskStore

MAX_ROWS = 1024
"""Most responses in one transaction (bounds one write's latency)."""


class ResponseJournal:
    """``await add(row)`` returns once ``row`` is committed (True if it was new)."""

    def __init__(self, store: TaskStore, max_rows: int = MAX_ROWS) -> None:
        self._store = store
        self._max_rows = max_rows
        self._queue: list[tuple[StoredResponse, asyncio.Future[bool]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def add(self, row: StoredResponse) -> bool:
        """Store ``row`` in the next group commit and wait for it."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((row, done))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run())
        return await done

    async def _run(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_rows]
            del self._queue[: self._max_rows]
            try:
                added = await asyncio.to_thread(self._store.add_responses, [r for r, _ in batch])
            except Exception as exc:  # every writer of this batch gets the error
                for _row, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_row, done), new in zip(batch, added, strict=True):
                if not done.done():  # a cancelled caller has gone
                    done.set_result(new)
