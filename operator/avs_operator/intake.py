"""Task intake: merge tasks from chain events and the aggregator stream, once each.

Either source alone suffices; when both deliver a task, the second copy is ignored.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Arrival(Generic[T]):
    """A task and the source that delivered it first."""

    task_index: int
    task: T
    source: str


class TaskIntake(Generic[T]):
    """A queue of tasks deduplicated by task index (remembering the last ``memory``)."""

    def __init__(self, memory: int = 100_000) -> None:
        self._queue: asyncio.Queue[Arrival[T]] = asyncio.Queue()
        self._seen: OrderedDict[int, str] = OrderedDict()
        self._memory = memory

    def offer(self, task_index: int, task: T, source: str) -> bool:
        """Queue ``task`` unless it was seen before; True if it was queued."""
        if task_index in self._seen:
            return False
        self._seen[task_index] = source
        if len(self._seen) > self._memory:
            self._seen.popitem(last=False)
        self._queue.put_nowait(Arrival(task_index, task, source))
        return True

    async def next(self) -> Arrival[T]:
        """The next new task."""
        return await self._queue.get()

    def pending(self) -> int:
        """Tasks queued but not yet taken."""
        return self._queue.qsize()
