"""Work that arrives in bursts, done in batches: ``await submit(item)`` is answered by one
call of ``work(batch)`` in a worker thread, where the batch is everything that arrived
while the previous call ran. Batching adds no wait: a lone item is worked on at once.

Used for signature checks of arriving responses (:mod:`avs_aggregator.arrivals`) and for
their group commit to the task store (:mod:`avs_aggregator.journal`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BurstBatcher(Generic[T, R]):
    """``await submit(item)`` -> ``work(batch)[i]`` for the item's place ``i`` in its batch."""

    def __init__(
        self,
        work: Callable[[list[T]], list[R]],
        max_batch: int,
        executor: Executor | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """``work`` runs in ``executor`` (default: the loop's) on at most ``max_batch``
        items; ``on_batch`` hears each batch's size (a metric)."""
        self._work = work
        self._max_batch = max_batch
        self._executor = executor
        self._on_batch = on_batch
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Queue ``item`` for the next batch and wait for its answer."""
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run())
        return await answer

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            items = [item for item, _answer in batch]
            if self._on_batch is not None:
                self._on_batch(len(items))
            try:
                results = await loop.run_in_executor(self._executor, self._work, items)
            except Exception as exc:  # every caller of this batch gets the error
                for _item, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for (_item, answer), result in zip(batch, results, strict=True):
                if not answer.done():  # a cancelled caller has gone
                    answer.set_result(result)
