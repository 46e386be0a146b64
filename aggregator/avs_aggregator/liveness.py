"""Which operators are worth lingering for after a task reached its threshold.

A signature that arrives after the certificate is sent earns nothing, so the aggregator
waits a little (``linger_seconds``) for operators that have not answered yet, but only for
live ones: an operator that answered any task within the live window. A dissenter has
answered, and waiting for an operator that has been down for a minute only delays everyone.
"""

from __future__ import annotations

import time

from avs_aggregator.aggregation import TaskAggregation

LIVE_WINDOW_SECONDS = 60.0
"""An operator that answered no task for this long is not waited for."""


class Liveness:
    """When each operator last answered, and whether a task still waits for a live one."""

    def __init__(self, window_seconds: float = LIVE_WINDOW_SECONDS) -> None:
        """Live: answered within ``window_seconds`` (or not yet had that long since start)."""
        self._window = window_seconds
        self._started = time.monotonic()
        self._last: dict[bytes, float] = {}  # verified signers only: bounded by the registry

    def answered(self, operator_id: bytes) -> None:
        """Record a verified response of ``operator_id`` now."""
        self._last[operator_id] = time.monotonic()

    def awaiting(self, aggregation: TaskAggregation, now: float) -> bool:
        """Whether a live operator of the task has not answered it yet."""
        unknown_is_live = now - self._started < self._window
        for operator_id in aggregation.snapshot.operators:
            if aggregation.answered(operator_id):
                continue
            last = self._last.get(operator_id)
            if unknown_is_live if last is None else now - last < self._window:
                return True
        return False
