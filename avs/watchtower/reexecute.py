"""Re-execute a task of an exact task type locally, with the same task-type code as operators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from avs.chain.client import ChainClient
from avs.chain.model_cache import ModelCache
from avs.chain.reader import ChainReader
from avs.chain.verifiers import committed_model
from avs.chain.views import ModelInfo
from avs.errors import TaskError
from avs.lru import LruCache
from avs.models.hashing import ContentHash, hash_hex
from avs.models.store import BlobStore
from avs.protocol import Task, inputs_root
from avs.tasks.api import LoadedModel, TaskType
from avs.tasks.registry import get_task_type

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MODELS_KEPT = 8
"""Loaded models (sessions and committed encodings) a watchtower keeps in memory."""

InputFetcher = Callable[[str], bytes]
"""Task inputs URI -> the input blob (checked against the task's inputsRoot here)."""


@dataclass(frozen=True, slots=True)
class Reexecution:
    """The honest result of one task, and what a proof about it needs."""

    expected: bytes
    """The canonical result the task type computes."""
    leaves: tuple[bytes, ...]
    """The task's inputs (Merkle leaves of its inputsRoot)."""
    model: bytes
    """The canonical model encoding its verifier committed to."""


class Reexecutor:
    """Computes honest results of exact tasks; caches models and committed encodings."""

    def __init__(self, reader: ChainReader, blobs: BlobStore, fetch_inputs: InputFetcher) -> None:
        self._reader = reader
        self._blobs = blobs
        self._fetch_inputs = fetch_inputs
        self._models = ModelCache(reader)
        # Anyone can register exact models and create tasks on them: keep the loaded ones
        # bounded (least recently used dropped first), as the operator's engine does.
        self._loaded: LruCache[bytes, tuple[TaskType, LoadedModel, bytes]] = LruCache(MODELS_KEPT)

    @property
    def client(self) -> ChainClient:
        """The chain client of the reader."""
        return self._reader.client

    def model(self, model_id: bytes) -> ModelInfo:
        """The registry entry (cached: entries are immutable)."""
        return self._models.get(model_id)

    def verifiable(self, task: Task) -> bool:
        """Whether the task's model is exact and has an on-chain verifier."""
        info = self.model(task.model_id)
        return info.exact and info.verifier != ZERO_ADDRESS

    def reexecute(self, task: Task) -> Reexecution:
        """The honest result of ``task`` (TaskError/ModelError say what could not be done)."""
        info = self.model(task.model_id)
        if not self.verifiable(task):
            raise TaskError(f"task {task.task_index}: model {hash_hex(task.model_id)} is not exact")
        task_type, loaded, encoding = self._load(info)
        blob = self._fetch_inputs(task.inputs_uri)
        batch = task_type.decode_inputs(blob)
        if len(batch) != task.input_count or inputs_root(batch.leaves) != task.inputs_root:
            raise TaskError(
                f"task {task.task_index}: the inputs at {task.inputs_uri[:200]!r} are not the "
                "ones its inputsRoot commits to"
            )
        return Reexecution(task_type.execute(loaded, blob), batch.leaves, encoding)

    def _load(self, info: ModelInfo) -> tuple[TaskType, LoadedModel, bytes]:
        def load() -> tuple[TaskType, LoadedModel, bytes]:
            task_type = get_task_type(info.task_type)
            data = self._blobs.get(ContentHash(info.content_hash), info.uri or None)
            encoding = committed_model(
                self._reader.client, info.verifier, self._reader.deployment.block
            )
            return task_type, task_type.load_model(data), encoding

        return self._loaded.get_or_make(info.model_id, load)
