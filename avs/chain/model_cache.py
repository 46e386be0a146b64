"""Registered models read once: a ModelRegistry entry never changes after registration."""

from __future__ import annotations

import threading

from avs.chain.reader import ChainReader
from avs.chain.views import ModelInfo


class ModelCache:
    """Thread-safe memo of :meth:`ChainReader.model` (services call it from worker threads)."""

    def __init__(self, reader: ChainReader) -> None:
        self._reader = reader
        self._models: dict[bytes, ModelInfo] = {}
        self._lock = threading.Lock()

    def get(self, model_id: bytes) -> ModelInfo:
        """The registry entry of ``model_id`` (read from the chain the first time only)."""
        with self._lock:
            info = self._models.get(model_id)
        if info is None:
            # Read outside the lock: a slow RPC must not block lookups of cached models.
            info = self._reader.model(model_id)
            with self._lock:
                self._models[model_id] = info
        return info
