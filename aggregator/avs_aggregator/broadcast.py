"""New tasks fanned out to operators' SubscribeTasks streams, with bounded memory.

Each stream gets a bounded queue. A subscriber that falls more than ``queue_size`` tasks
behind is dropped with a retryable status (it reconnects with ``from_task_index`` and
loses nothing), and at most ``max_streams`` streams are open at once, so neither many
streams nor slow ones can grow the aggregator's memory without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field

from avs.errors import RpcError
from avs.protocol import Task
from avs.rpc.messages import SubscribeRequest, TaskHints


class AggregatorBusyError(RpcError):
    """The aggregator sheds load (too many checks waiting, streams open, or a slow reader);
    the caller should retry with backoff."""


@dataclass(slots=True, eq=False)  # identity: each stream is its own set member
class _Stream:
    queue: asyncio.Queue[tuple[Task, TaskHints]]
    overflowed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, item: tuple[Task, TaskHints]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            self.wake.set()


class TaskBroadcast:
    """Open streams and the fan-out of newly added tasks to them."""

    def __init__(self, max_streams: int = 512, queue_size: int = 1024) -> None:
        """At most ``max_streams`` streams, each at most ``queue_size`` tasks behind."""
        self._max_streams = max_streams
        self._queue_size = queue_size
        self._streams: set[_Stream] = set()

    @property
    def open_streams(self) -> int:
        """Streams open now."""
        return len(self._streams)

    def publish(self, task: Task, hints: TaskHints) -> None:
        """Queue a new task for every open stream (never blocks)."""
        for stream in self._streams:
            stream.push((task, hints))

    async def subscribe(
        self,
        request: SubscribeRequest,
        open_tasks: Callable[[], Iterable[tuple[Task, TaskHints]]],
    ) -> AsyncGenerator[tuple[Task, TaskHints], None]:
        """``open_tasks()`` now, then every published task, filtered by ``request``."""
        if len(self._streams) >= self._max_streams:
            raise AggregatorBusyError(
                f"{self._max_streams} task streams are open; retry later (chain events "
                "deliver the same tasks)"
            )
        stream = _Stream(asyncio.Queue(self._queue_size))
        self._streams.add(stream)

        def wanted(task: Task, hints: TaskHints) -> bool:
            if task.task_index < request.from_task_index:
                return False
            return not request.task_types or hints.task_type in request.task_types

        try:
            for task, hints in open_tasks():
                if wanted(task, hints):
                    yield task, hints
            while True:
                if stream.overflowed:
                    raise AggregatorBusyError(
                        f"task stream fell more than {self._queue_size} tasks behind; "
                        "reconnect with from_task_index"
                    )
                task, hints = await stream.queue.get()
                if wanted(task, hints):
                    yield task, hints
        finally:
            self._streams.discard(stream)
