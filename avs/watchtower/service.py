"""A watchtower as a long-running service inside a node: it follows certifications in a
worker thread and never takes its host down (every failure is logged, counted in
``avs_watchtower_failures_total`` and retried with backoff)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from avs.backoff import Backoff
from avs.chain.reader import ChainReader
from avs.logging import get_logger
from avs.watchtower.follow import FollowCursor, follow_certificates
from avs.watchtower.tower import Check, Watchtower

log = get_logger(component="watchtower")

RESTART_BACKOFF = Backoff(initial=1.0, factor=2.0, maximum=60.0, jitter=0.2)
"""Between restarts of a failed follower (a chain outage should not turn into a busy loop)."""


class WatchtowerService:
    """Runs :func:`follow_certificates` until stopped, restarting it after any failure."""

    def __init__(
        self,
        reader: ChainReader,
        tower: Watchtower,
        from_block: int | None = None,
        *,
        poll_interval: float = 1.0,
        backoff: Backoff = RESTART_BACKOFF,
    ) -> None:
        """Follow from ``from_block`` (None: the oldest block whose certificates may still
        be challengeable, see :meth:`first_block`)."""
        self._reader = reader
        self._tower = tower
        self._cursor = FollowCursor(from_block)
        self._poll_interval = poll_interval
        self._backoff = backoff
        self.seen: Counter[Check] = Counter()
        """Outcomes of every check so far."""

    async def run(self, stop: asyncio.Event) -> None:
        """Check certificates until ``stop`` is set; returns within one poll interval."""
        halt = threading.Event()
        worker = asyncio.create_task(asyncio.to_thread(self._follow_forever, halt))
        try:
            await stop.wait()
        finally:
            halt.set()
            await asyncio.shield(worker)

    def first_block(self) -> int:
        """Where a fresh follower starts: a task certified before ``head - (response window +
        challenge window)`` can no longer be challenged, so re-executing it (every restart
        of every node, over the chain's whole history) would be work for nothing."""
        deployment = self._reader.deployment
        params = deployment.params
        lookback = params.max_response_window_blocks + params.challenge_window_blocks
        return max(deployment.block, self._reader.client.block_number() - lookback)

    def _follow_forever(self, halt: threading.Event) -> None:
        failures = 0
        while not halt.is_set():
            resumed_at = self._cursor.next_block
            try:
                if self._cursor.next_block is None:
                    self._cursor.next_block = self.first_block()
                follow_certificates(
                    self._reader,
                    self._tower,
                    self._cursor.next_block,
                    poll_interval=self._poll_interval,
                    stop=halt,
                    seen=self.seen,
                    cursor=self._cursor,
                )
            except Exception as exc:  # the host node must outlive any failure
                if self._cursor.next_block != resumed_at:
                    failures = 0  # it made progress since the last failure: a new incident
                delay = self._backoff.delay(failures)
                failures += 1
                self._tower.metrics.failures.inc()
                log.error(
                    "watchtower_failed",
                    error=f"{type(exc).__name__}: {exc}",
                    failures=failures,
                    retry_in_s=round(delay, 1),
                )
                halt.wait(delay)
            else:
                failures = 0
