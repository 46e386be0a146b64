"""``--keep-running --task-rate R``: keep creating tasks so the devnet stays a live network.

Watchers, the aggregator and the stakers' view (``avs operators watch``) then see a steady
stream of tasks and certificates instead of a chain that went quiet after the demo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from avs.chain.writer import ChainWriter
from avs.devnet.workload import PreparedTask, submit_task
from avs.errors import AvsError


class TaskFeed:
    """A daemon thread creating ``rate`` tasks per second until stopped or the chain fails."""

    def __init__(
        self,
        writer: ChainWriter,
        prepare: Callable[[int], PreparedTask],
        first_index: int,
        rate: float,
        submit_args: tuple[list[int], int, int],
        report: Callable[[str], None],
    ) -> None:
        """``prepare(i)`` builds task ``i``; ``submit_args`` = (quorums, threshold, window)."""
        if rate <= 0:
            raise AvsError("--task-rate must be positive (tasks per second)")
        self._writer = writer
        self._prepare = prepare
        self._next = first_index
        self._interval = 1.0 / rate
        self._submit_args = submit_args
        self._report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="task-feed", daemon=True)
        self.created = 0

    def start(self) -> None:
        """Start creating tasks."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the task in flight (if any)."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            quorums, threshold, window = self._submit_args
            try:
                prepared = self._prepare(self._next)
                task = submit_task(self._writer, prepared, quorums, threshold, window)
            except AvsError as exc:  # the chain went away ('avs devnet down'): stop quietly
                self._report(f"feed       stopped: {exc}")
                return
            self._next += 1
            self.created += 1
            if self.created % 10 == 1:
                self._report(f"feed       task {task.task_index} created ({self.created} so far)")
