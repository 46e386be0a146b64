"""Retry with exponential backoff and jitter for calls that may fail transiently."""

from __future__ import annotations

import asyncio
import random
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
