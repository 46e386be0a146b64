"""A bounded, thread-safe least-recently-used cache for things loaded from hostile sources.

Models and sessions are named by chain data anyone can write (register a model, create a
task on it), so every cache of them must stay bounded whatever arrives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``size`` entries; the least recently used one is dropped first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache needs room for at least one entry")
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The cached value of ``key``, else ``make()`` stored under it.

        ``make`` runs outside the lock (it downloads and loads models), so two threads may
        both make a missing entry; the later one is kept, which is harmless for pure loads.
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value
