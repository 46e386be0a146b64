"""Resumable scans against an in-memory chain: new blocks only, reorgs, refused ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from avs.errors import ChainError
from avs.stakers.cache import EventCache
from avs.stakers.indexer import sync
from avs.stakers.records import EventRef, Record, TaskRefunded

DEPTH = 3


class FakeChain:
    """An EventSource over lists: one TaskRefunded record per block (its fee is the fork id)."""

    def __init__(self, start: int = 5, identity: str = "fake") -> None:
        self._start = start
        self._identity = identity
        self.blocks: list[tuple[bytes, list[Record]]] = []
        self.reads: list[tuple[int, int]] = []
        self.max_range: int | None = None
        self.fail_from: int | None = None
        self.mine(start + 1)

    @property
    def start_block(self) -> int:
        return self._start

    @property
    def identity(self) -> str:
        return self._identity

    def mine(self, n: int, fork: int = 0) -> None:
        for _ in range(n):
            b = len(self.blocks)
            at = EventRef(b, 0, bytes([fork]) * 32)
            body: list[Record] = [TaskRefunded(at, b, fork)] if b >= self._start else []
            self.blocks.append((bytes([b % 256, fork]) * 16, body))

    def reorg(self, depth: int, fork: int) -> None:
        del self.blocks[len(self.blocks) - depth :]
        self.mine(depth, fork)

    def head(self) -> int:
        return len(self.blocks) - 1

    def block_hash(self, number: int) -> bytes | None:
        return self.blocks[number][0] if 0 <= number < len(self.blocks) else None

    def fetch(self, from_block: int, to_block: int) -> list[Record]:
        if self.max_range is not None and to_block - from_block + 1 > self.max_range:
            raise ChainError("query returned more than 10000 results")
        if self.fail_from is not None and to_block >= self.fail_from:
            raise ChainError("connection refused")
        self.reads.append((from_block, to_block))
        return [r for _, body in self.blocks[from_block : to_block + 1] for r in body]


def cold(chain: FakeChain) -> tuple[Record, ...]:
    with EventCache(None) as cache:
        return sync(chain, cache, reorg_depth=DEPTH).records


def test_second_sync_reads_only_the_margin_and_new_blocks(tmp_path: Path) -> None:
    chain = FakeChain()
    chain.mine(20)
    with EventCache(tmp_path / "c.sqlite") as cache:
        first = sync(chain, cache, reorg_depth=DEPTH, chunk=4)
        assert first.rebuilt
        assert first.first_read == chain.start_block
        chain.mine(2)
        chain.reads.clear()
        second = sync(chain, cache, reorg_depth=DEPTH, chunk=4)
    assert not second.rebuilt
    assert second.first_read == first.head - DEPTH + 1
    read = [b for lo, hi in chain.reads for b in range(lo, hi + 1)]
    assert read == list(range(first.head - DEPTH + 1, second.head + 1))
    assert second.records == cold(chain)
    assert len(second.records) == chain.head() - chain.start_block + 1


@pytest.mark.parametrize("keep", [False, True], ids=["reload", "kept-in-memory"])
def test_shallow_reorg_is_replaced(tmp_path: Path, keep: bool) -> None:
    chain = FakeChain()
    chain.mine(20)
    with EventCache(tmp_path / "c.sqlite") as cache:
        before = sync(chain, cache, reorg_depth=DEPTH)
        chain.reorg(DEPTH, fork=1)
        chain.mine(2, fork=1)
        known = before.records if keep else None
        after = sync(chain, cache, reorg_depth=DEPTH, known=known)
    assert not after.rebuilt
    assert after.records == cold(chain)
    assert {r.fee for r in after.records if isinstance(r, TaskRefunded)} == {0, 1}


def test_deep_reorg_or_restarted_chain_rebuilds(tmp_path: Path) -> None:
    chain = FakeChain()
    chain.mine(20)
    with EventCache(tmp_path / "c.sqlite") as cache:
        sync(chain, cache, reorg_depth=DEPTH)
        chain.reorg(DEPTH + 5, fork=2)
        after = sync(chain, cache, reorg_depth=DEPTH)
        assert after.rebuilt
        assert after.records == cold(chain)
        shorter = FakeChain()  # a devnet restarted at the same addresses, fewer blocks
        shorter.mine(3, fork=3)
        again = sync(shorter, cache, reorg_depth=DEPTH)
    assert again.rebuilt
    assert again.records == cold(shorter)


def test_cache_of_another_deployment_is_discarded(tmp_path: Path) -> None:
    a, b = FakeChain(identity="a"), FakeChain(identity="b", start=2)
    a.mine(10)
    b.mine(10, fork=4)
    with EventCache(tmp_path / "c.sqlite") as cache:
        sync(a, cache, reorg_depth=DEPTH)
        result = sync(b, cache, reorg_depth=DEPTH)
    assert result.rebuilt
    assert result.records == cold(b)


def test_refused_ranges_are_split() -> None:
    chain = FakeChain()
    chain.mine(40)
    chain.max_range = 7
    with EventCache(None) as cache:
        result = sync(chain, cache, reorg_depth=DEPTH, chunk=32)
    assert all(hi - lo + 1 <= 7 for lo, hi in chain.reads)
    assert len(result.records) == chain.head() - chain.start_block + 1


def test_interrupted_scan_keeps_its_progress(tmp_path: Path) -> None:
    chain = FakeChain()
    chain.mine(40)
    chain.fail_from = 30
    with EventCache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(ChainError, match="connection refused"):
            sync(chain, cache, reorg_depth=DEPTH, chunk=8)
        chain.fail_from = None
        chain.reads.clear()
        result = sync(chain, cache, reorg_depth=DEPTH, chunk=8)
    assert not result.rebuilt
    assert chain.reads[0][0] > chain.start_block + 8  # resumed, not from the start
    assert result.records == cold(chain)


def test_young_chain_is_read_from_the_start_each_time() -> None:
    chain = FakeChain()
    chain.mine(1)
    with EventCache(None) as cache:
        first = sync(chain, cache, reorg_depth=DEPTH)
        chain.mine(1)
        second = sync(chain, cache, reorg_depth=DEPTH)
    assert first.first_read == second.first_read == chain.start_block
    assert second.records == cold(chain)
