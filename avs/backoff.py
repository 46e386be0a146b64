"""Retry with exponential backoff and jitter for calls that may fail transiently (shared by
the operator and the aggregator)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay schedule: ``initial * factor**attempt``, capped, with +-``jitter`` spread."""

    initial: float = 0.2
    factor: float = 2.0
    maximum: float = 5.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        base = min(self.maximum, self.initial * self.factor**attempt)
        # Jitter spreads retries of many operators so they do not hit the aggregator in step.
        return base * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311


@dataclass(slots=True)
class RetryState:
    """Failures in a row of one piece of work, and when it may run again."""

    failures: int = 0
    retry_at: float = 0.0
    """Monotonic time before which the work is not retried."""

    def due(self, now: float) -> bool:
        """Whether the work may run at monotonic time ``now``."""
        return now >= self.retry_at

    def failed(self, backoff: Backoff) -> bool:
        """Record a failure and schedule the retry; True for the first failure in a row
        (the one worth a log line: the retries of one outage stay quiet)."""
        self.retry_at = time.monotonic() + backoff.delay(self.failures)
        self.failures += 1
        return self.failures == 1


async def retry(
    call: Callable[[], Awaitable[T]],
    attempts: int,
    retryable: Callable[[Exception], bool],
    backoff: Backoff = Backoff(),
    on_retry: Callable[[int, Exception], None] | None = None,
) -> T:
    """Await ``call()`` up to ``attempts`` times, sleeping between retryable failures."""
    for attempt in range(attempts):
        try:
            return await call()
        except Exception as exc:
            if attempt == attempts - 1 or not retryable(exc):
                raise
            if on_retry is not None:
                on_retry(attempt + 1, exc)
            await asyncio.sleep(backoff.delay(attempt))
    raise AssertionError("unreachable: attempts must be >= 1")
