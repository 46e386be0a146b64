"""Resumable log scans: read only blocks the cache does not hold, survive shallow reorgs.

Each run reads from just after the cache's *anchor* to the head, in ranges of
:data:`CHUNK_BLOCKS` (halved while the node refuses a range as too large). The anchor is the
newest block at least :data:`REORG_DEPTH` behind the head seen when it was stored, kept with
its hash; records above it are dropped and read again, so a reorg of up to that depth is
absorbed. If the anchor's hash changed (a deeper reorg, or a devnet restarted at the same
addresses), the cache is emptied and the scan starts over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from avs.errors import ChainError
from avs.logging import get_logger
from avs.stakers.cache import EventCache, ScanState
from avs.stakers.records import Record
from avs.stakers.source import EventSource

REORG_DEPTH = 12
"""Blocks re-read on every run (reorgs deeper than this are detected and rebuilt)."""
CHUNK_BLOCKS = 2_000
"""Blocks per eth_getLogs request (a common cap of public RPC providers)."""

ProgressFn = Callable[[int, int], None]
"""Called with (blocks read so far, blocks to read) after each range."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync read and the records now known."""

    records: tuple[Record, ...]
    """Every record from the deployment block to ``head``, in chain order."""
    head: int
    """Last block covered."""
    first_read: int
    """First block read from the node in this run."""
    blocks_read: int
    """Blocks read from the node in this run (0: nothing new)."""
    rebuilt: bool
    """True when the cache was emptied (first run, other chain, or a deep reorg)."""


def _resume_point(source: EventSource, cache: EventCache, head: int) -> tuple[int, bool]:
    """(first block to read, cache rebuilt)."""
    state = cache.state()
    if state is None:
        return source.start_block, True
    anchor = state.anchor_block
    if (
        anchor is not None
        and anchor <= head
        and state.anchor_hash is not None
        and source.block_hash(anchor) == state.anchor_hash
    ):
        return anchor + 1, False
    if anchor is not None:
        get_logger(component="stakers").warning(
            "stakers_cache_rebuilt", reason="anchor block changed", anchor=anchor
        )
    cache.reset()
    return source.start_block, True


def sync(
    source: EventSource,
    cache: EventCache,
    *,
    progress: ProgressFn | None = None,
    chunk: int = CHUNK_BLOCKS,
    reorg_depth: int = REORG_DEPTH,
    known: Sequence[Record] | None = None,
) -> SyncResult:
    """Bring ``cache`` up to the head of ``source`` and return every record.

    ``known``: the records of the previous sync on this cache, if the caller kept them
    (``watch``); they are reused below the first block read instead of reloading the cache.
    """
    cache.bind(source.identity)
    head = source.head()
    first, rebuilt = _resume_point(source, cache, head)
    cache.truncate_after(first - 1)
    total = max(0, head - first + 1)
    anchor_limit = head - reorg_depth
    state = cache.state()
    fresh: list[Record] = []
    lo = first
    while lo <= head:
        hi = min(head, lo + chunk - 1)
        try:
            records = source.fetch(lo, hi)
        except ChainError:
            if hi == lo:
                raise
            chunk = max(1, (hi - lo + 1) // 2)  # node refused the range: ask for less
            continue
        anchor = min(hi, anchor_limit)
        if anchor >= source.start_block:
            state = ScanState(hi, anchor, source.block_hash(anchor))
        else:
            keep = state.anchor_block if state else None
            state = ScanState(hi, keep, state.anchor_hash if state else None)
        cache.append(records, state)
        fresh.extend(records)
        if progress is not None:
            progress(hi - first + 1, total)
        lo = hi + 1
    # the logger is looked up per call: the CLI configures logging after importing this module
    get_logger(component="stakers").debug(
        "stakers_synced", first=first, head=head, blocks=total, rebuilt=rebuilt
    )
    if known is not None and not rebuilt:
        kept = [r for r in known if r.at.block < first]
        return SyncResult((*kept, *fresh), head, first, total, rebuilt)
    return SyncResult(tuple(cache.records()), head, first, total, rebuilt)
