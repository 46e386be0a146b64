"""From a task to canonical result bytes: fetch model and inputs by hash, check, run.

Blocking (hashing, onnxruntime, downloads), so :meth:`InferenceEngine.run` runs it in a
thread pool; onnxruntime releases the GIL while it computes.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor
from dataclasses import dataclass

from avs.errors import ModelError, TaskError
from avs.lru import LruCache
from avs.models.fetchers import HttpFetcher
from avs.models.hashing import ContentHash, hash_hex
from avs.models.inputs import TaskInputFetcher
from avs.models.store import BlobStore
from avs.protocol import Task
from avs.protocol_merkle import rows_root
from avs.tasks.api import LoadedModel, TaskType
from avs.tasks.batch import InputBatch
from avs.tasks.registry import TaskTypeRegistry
from avs.tasks.session import ExecutionConfig
from avs_operator.ports import ModelInfo


@dataclass(frozen=True, slots=True)
class Inference:
    """The outcome of running one task."""

    result_bytes: bytes
    """Canonical result bytes (what gets signed)."""
    task_type: str
    """Task type that produced them."""
    seconds: float
    """Wall time of the model run (not the downloads)."""


class InferenceEngine:
    """Runs tasks with cached, pinned sessions; every fetched byte is checked first."""

    def __init__(
        self,
        registry: TaskTypeRegistry,
        blobs: BlobStore,
        config: ExecutionConfig,
        executor: Executor | None = None,
        max_models: int = 8,
        http_timeout_s: float = 30.0,
        input_deadline_s: float = 120.0,
        allow_file_inputs: bool = False,
    ) -> None:
        """Models come from ``blobs`` (hash-checked, cached); ``executor`` runs the work.

        Task inputs come from ``http(s)://`` (each download within ``input_deadline_s``)
        or the aggregator's ``avs-blob://``; ``file://`` only with ``allow_file_inputs``
        (local development: anyone can create a task naming any path).
        """
        self._registry = registry
        self._blobs = blobs
        self._config = config
        self._executor = executor
        self._inputs = TaskInputFetcher(
            blobs, HttpFetcher(http_timeout_s, input_deadline_s), allow_file_inputs
        )
        self._models: LruCache[tuple[bytes, str], tuple[TaskType, LoadedModel]] = LruCache(
            max_models
        )

    async def run(self, task: Task, info: ModelInfo) -> Inference:
        """Compute ``task``'s result with the model ``info`` names (in the executor)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.compute, task, info)

    def compute(self, task: Task, info: ModelInfo) -> Inference:
        """Blocking body of :meth:`run`: TaskError/ModelError say what was wrong."""
        if info.model_id != task.model_id:
            raise ModelError(
                f"model registry entry is for {hash_hex(info.model_id)}, "
                f"task names {hash_hex(task.model_id)}"
            )
        task_type, model = self._model(info)
        try:
            # A copy in the local store is not hashed again: the Merkle root check below
            # covers every byte the model reads (and the header is checked field by field).
            batch = self._checked_batch(task, task_type, rehash_cached=False)
        except TaskError:
            if not self._inputs.from_store(task.inputs_uri):
                raise
            # Perhaps a corrupt cached copy: re-hashing drops it and fetches the blob again.
            batch = self._checked_batch(task, task_type, rehash_cached=True)
        start = time.perf_counter()
        result = task_type.execute_batch(model, batch)
        return Inference(result, task_type.id, time.perf_counter() - start)

    def _checked_batch(self, task: Task, task_type: TaskType, rehash_cached: bool) -> InputBatch:
        """The task's inputs, decoded and checked against its input count and Merkle root."""
        blob = self._inputs(task.inputs_uri, rehash_cached=rehash_cached)
        batch = task_type.decode_inputs(blob)
        if len(batch) != task.input_count:
            raise TaskError(
                f"input blob at {task.inputs_uri} holds {len(batch)} inputs, "
                f"the task declares {task.input_count}"
            )
        root = rows_root(batch.array)
        if root != task.inputs_root:
            raise TaskError(
                f"input blob at {task.inputs_uri} has Merkle root {hash_hex(root)}, the task "
                f"commits to {hash_hex(task.inputs_root)}; the URI serves other inputs"
            )
        return batch

    def fetch_inputs(self, uri: str) -> bytes:
        """The input blob at ``uri`` (the Merkle root check follows in :meth:`compute`)."""
        return self._inputs(uri)

    def warm(self, info: ModelInfo) -> str:
        """Load ``info``'s model and build its session now (blocking), so the model's first
        task finds it ready; returns the task type."""
        return self._model(info)[0].id

    def _model(self, info: ModelInfo) -> tuple[TaskType, LoadedModel]:
        def load() -> tuple[TaskType, LoadedModel]:
            task_type = self._registry.get(info.task_type)
            data = self._blobs.get(ContentHash(info.content_hash), info.uri or None)
            return task_type, task_type.load_model(data, self._config)

        return self._models.get_or_make((info.content_hash, info.task_type), load)
