"""Arriving responses verified in batches: one batch check instead of a pairing each.

Every response is still verified before it counts (an unverified submission never takes an
operator's place), but the checks of responses that arrive together share one batch
(random linear combination). When a batch fails, its bad responses are located
(``GroupVerifier.valid_flags``: about one or two pairing checks per bad signature, from
the rows' error values, not bisection), so one faulty operator among 32 no longer costs
32 single checks; a flood of forgeries costs about what one-by-one checks cost
(``benchmarks/intake.py``, ``benchmarks/aggregator.py``). Batching adds no wait:
a batch starts as soon as the previous one ends, with whatever arrived meanwhile, so a
quiet aggregator checks each response alone and a busy one (32 operators answering
several tasks a second) checks dozens at once. Measured by ``benchmarks/intake.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

from avs_aggregator.broadcast import AggregatorBusyError
from avs_aggregator.bursts import BurstBatcher
from avs_aggregator.verification import GroupVerifier, SignerEntry

MAX_BATCH = 512
"""Most signatures in one batch check (bounds one check's latency). Every batch check
pays a fixed part whatever its size (the random key combination from the key tables,
its Miller-loop lines, two Miller loops and a final exponentiation): about half of a
check of 8 tasks x 32 operators on gmpy2, a sixth on plain ints. With 512 rather than
256, 16 queued tasks of 32 operators share one check, which takes 1.5x (gmpy2) to 1.8x
(plain ints) the time of a check of 8 tasks (``benchmarks/aggregator.py``, x16 rows)."""
MAX_PENDING_VERIFICATIONS = 2048
"""Responses waiting for their check before new ones are refused as busy (the core's
default): room for ten tasks of a 200-operator quorum answering at once. 256 refused a
second task's responses while the first was being checked, and operators back off."""


class ArrivalBatcher:
    """``await is_valid(message, signer)``, answered from shared batch checks."""

    def __init__(
        self,
        verifier: GroupVerifier,
        executor: Executor | None = None,
        max_batch: int = MAX_BATCH,
        on_batch: Callable[[int], None] | None = None,
        max_pending: int = MAX_PENDING_VERIFICATIONS,
    ) -> None:
        """Checks run in ``executor`` (default: the loop's), at most ``max_batch`` at once;
        ``on_batch`` hears each batch's size (a metric); beyond ``max_pending`` responses
        waiting, new ones are refused as busy."""
        self._verifier = verifier
        self._max_pending = max_pending
        self._pending = 0
        self._batches = BurstBatcher(self._check, max_batch, executor, on_batch)
        self._last_had_bad = False  # BurstBatcher checks one batch at a time, in order

    async def is_valid(self, message: bytes, signer: SignerEntry) -> bool:
        """Whether ``signer``'s signature on ``message`` verifies under its key.

        Raises AggregatorBusyError (retryable) when ``max_pending`` checks are waiting:
        load is shed rather than queued without bound.
        """
        if self._pending >= self._max_pending:
            raise AggregatorBusyError(
                "aggregator is verifying too many responses; retry with backoff"
            )
        self._pending += 1
        try:
            return await self._batches.submit((message, signer))
        finally:
            self._pending -= 1

    def _check(self, pairs: list[tuple[bytes, SignerEntry]]) -> list[bool]:
        # After a batch with bad signatures, the next one goes straight to locating (its
        # own cheap row check comes first): with a faulty operator in every task, a plain
        # batch check would fail every time and cost a second full check per batch.
        if len(pairs) > 1 and not self._last_had_bad and self._verifier.all_valid(pairs):
            return [True] * len(pairs)
        flags = self._verifier.valid_flags(pairs)
        self._last_had_bad = not all(flags)
        return flags
