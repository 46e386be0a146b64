"""The per-task chain reads of the node, cut to what changes: the head and membership.

- :class:`ChainBlocks`: the block number for deadline checks and the head watch. Every
  chain poll already reads the head (:meth:`ChainBlocks.note`), so a task's deadline check
  reuses a head at most ``max_age_s`` old instead of asking again; the check is the
  node's own courtesy (the contract enforces deadlines), so a head a fraction of a block
  old costs at worst some work on a task that just expired.
- :class:`ChainMembership`: the quorum bitmap at a task's creation block, read once per
  block (the registry's history of a mined block does not change, and tasks of one block
  share it); only blocks at or below a head this node has seen are kept, so a streamed task
  naming a future block cannot plant an answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

from avs.chain.client import ChainClient
from avs.chain.reader import ChainReader

MEMBERSHIP_BLOCKS_KEPT = 256
"""Creation blocks whose quorum bitmap the node keeps (a few per task burst)."""


class ChainBlocks:
    """BlockClock over a chain client, reusing a head read less than ``max_age_s`` ago."""

    def __init__(
        self, client: ChainClient, max_age_s: float = 0.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        """Ask ``client`` for block numbers; 0 ``max_age_s`` asks every time."""
        self._client = client
        self._max_age = max_age_s
        self._now = now
        self._latest: tuple[int, float] | None = None
        self.highest = -1
        """The highest block number this node has read (-1: none yet)."""

    def note(self, head: int) -> None:
        """Record a head read elsewhere (the task poll), so the next check can reuse it."""
        self._latest = (head, self._now())
        self.highest = max(self.highest, head)

    async def block_number(self) -> int:
        """The latest block (a head noted under ``max_age_s`` ago counts as latest)."""
        latest = self._latest
        if latest is not None and self._now() - latest[1] < self._max_age:
            return latest[0]
        head = await asyncio.to_thread(self._client.block_number)
        self.note(head)
        return head


class ChainMembership:
    """Membership over the registry's quorum-bitmap history, one read per creation block."""

    def __init__(self, reader: ChainReader, heads: ChainBlocks | None = None) -> None:
        """Read bitmaps with ``reader``; with ``heads``, keep those of blocks it has seen."""
        self._reader = reader
        self._heads = heads
        # Touched only on the event loop (the read runs in a thread, the bookkeeping here).
        self._kept: OrderedDict[tuple[bytes, int], int] = OrderedDict()

    async def quorums_at(self, operator_id: bytes, block: int) -> frozenset[int]:
        """Quorums of ``operator_id`` at ``block``."""
        key = (operator_id, block)
        bitmap = self._kept.get(key)
        if bitmap is None:
            bitmap = await asyncio.to_thread(self._reader.quorum_bitmap, operator_id, block)
            if self._heads is not None and block <= self._heads.highest:
                self._kept[key] = bitmap
                if len(self._kept) > MEMBERSHIP_BLOCKS_KEPT:
                    self._kept.popitem(last=False)
        return frozenset(q for q in range(bitmap.bit_length()) if bitmap >> q & 1)
