"""Task intake: merge tasks from chain events and the aggregator stream, once each.

Either source alone suffices; when both deliver a task, the second copy is ignored. Copies
are matched by a key the caller chooses: the node uses the task's hash, so a stream that
delivered a forged task under some index cannot hide the genuine task from the chain.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Arrival(Generic[T]):
    """A task and the source that delivered it first."""

    task_index: int
    task: T
    source: str
    attempt: int = 0
    """0 for the first try; the node re-queues transient failures with a higher attempt."""
    queued_at: float = field(default_factory=time.monotonic)
    """Monotonic time it was queued (start of its ``queue`` stage)."""


class TaskIntake(Generic[T]):
    """A queue of tasks deduplicated by key (remembering the last ``memory`` keys)."""

    def __init__(self, memory: int = 100_000) -> None:
        self._queue: asyncio.Queue[Arrival[T]] = asyncio.Queue()
        self._seen: OrderedDict[Hashable, str] = OrderedDict()
        self._memory = memory

    def offer(self, task_index: int, task: T, source: str, key: Hashable = None) -> bool:
        """Queue ``task`` unless its key (default: the index) was seen; True if queued."""
        key = task_index if key is None else key
        if key in self._seen:
            return False
        self._seen[key] = source
        if len(self._seen) > self._memory:
            self._seen.popitem(last=False)
        self._queue.put_nowait(Arrival(task_index, task, source))
        return True

    def requeue(self, arrival: Arrival[T]) -> None:
        """Queue ``arrival`` again (a retry after a transient failure; no dedup)."""
        self._queue.put_nowait(arrival)

    async def next(self) -> Arrival[T]:
        """The next new task."""
        return await self._queue.get()

    def pending(self) -> int:
        """Tasks queued but not yet taken."""
        return self._queue.qsize()
