"""The bounded cache that keeps models named by hostile chain data from growing memory."""

from __future__ import annotations

import pytest

from avs.lru import LruCache


def test_keeps_at_most_size_entries_dropping_the_least_recently_used() -> None:
    cache: LruCache[int, str] = LruCache(2)
    made: list[int] = []

    def make(key: int) -> str:
        made.append(key)
        return f"v{key}"

    assert cache.get_or_make(1, lambda: make(1)) == "v1"
    assert cache.get_or_make(2, lambda: make(2)) == "v2"
    assert cache.get_or_make(1, lambda: make(1)) == "v1"  # hit: 1 is now the most recent
    assert cache.get_or_make(3, lambda: make(3)) == "v3"  # evicts 2, not 1
    assert len(cache) == 2
    assert cache.get_or_make(1, lambda: make(1)) == "v1"
    assert cache.get_or_make(2, lambda: make(2)) == "v2"  # made again
    assert made == [1, 2, 3, 2]


def test_many_distinct_keys_stay_bounded() -> None:
    cache: LruCache[int, int] = LruCache(8)
    for key in range(1000):
        cache.get_or_make(key, lambda key=key: key)  # type: ignore[misc]
    assert len(cache) == 8


def test_a_failed_make_stores_nothing() -> None:
    cache: LruCache[str, int] = LruCache(4)

    def broken() -> int:
        raise RuntimeError("download failed")

    with pytest.raises(RuntimeError):
        cache.get_or_make("model", broken)
    assert len(cache) == 0
    assert cache.get_or_make("model", lambda: 7) == 7


def test_size_must_hold_one_entry() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LruCache(0)
