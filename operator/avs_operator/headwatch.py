"""Head progress: a chain endpoint that answers but stops producing blocks is not healthy.

A hung or stalled RPC can keep answering (or time out quietly) while no new block arrives.
:class:`HeadWatch` reads the head every half block time and marks the ``chain-head``
service Down (node health 206, partially healthy) when it has not advanced for
``stall_blocks`` block times, with one log line when that happens and one on recovery.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from avs.errors import ChainError
from avs.logging import get_logger
from avs.nodeapi import ServiceStatus
from avs.protocol import Task
from avs_operator.health import CHAIN_HEAD, ServiceTracker
from avs_operator.intake import TaskIntake
from avs_operator.ports import BlockClock


class HeadWatch:
    """Watches the chain head; runs as a node source that offers no tasks."""

    name = CHAIN_HEAD

    def __init__(
        self,
        clock: BlockClock,
        services: ServiceTracker,
        block_time: float,
        stall_blocks: int,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        """Stalled after ``stall_blocks * block_time`` seconds without a new block."""
        self._clock = clock
        self._services = services
        self._limit = stall_blocks * block_time
        self._interval = min(max(block_time / 2, 0.1), 5.0)
        self._now = now
        self._head: int | None = None
        self._since = now()
        self._stalled = False
        self._log = get_logger(component="operator", source=CHAIN_HEAD)

    async def run(self, intake: TaskIntake[Task]) -> None:  # noqa: ARG002 - offers nothing
        """Check forever."""
        while True:
            await self.check()
            await asyncio.sleep(self._interval)

    async def check(self) -> bool:
        """Read the head once; returns whether the head counts as stalled now."""
        try:
            head: int | None = await self._clock.block_number()
        except ChainError:
            head = None  # a failing or hung endpoint produces no new blocks either
        now = self._now()
        if head is not None and (self._head is None or head > self._head):
            if self._stalled:
                self._log.info("chain_head_advancing", block=head, stalled_s=self._age(now))
            self._head, self._since, self._stalled = head, now, False
            self._services.set(CHAIN_HEAD, ServiceStatus.UP)
        elif not self._stalled and now - self._since >= self._limit:
            self._stalled = True
            self._services.set(CHAIN_HEAD, ServiceStatus.DOWN)
            self._log.warning("chain_head_stalled", block=self._head, seconds=self._age(now))
        return self._stalled

    def _age(self, now: float) -> float:
        return round(now - self._since, 1)
