"""What the ModelRegistry holds: registered task types and models, read for the developer CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from avs.chain.reader import ChainReader
from avs.chain.subscriber import MAX_BLOCK_RANGE
from avs.chain.views import ModelInfo


@dataclass(frozen=True, slots=True)
class TaskTypeStatus:
    """A task type as the ModelRegistry sees it."""

    registered: bool
    exact: bool


def task_type_status(reader: ChainReader, task_type: str) -> TaskTypeStatus:
    """ModelRegistry.taskTypeInfo(taskType)."""
    registered, exact = reader.client.call(reader.models, "taskTypeInfo", task_type)
    return TaskTypeStatus(bool(registered), bool(exact))


def registered_models(reader: ChainReader) -> list[ModelInfo]:
    """Every registered model (from ModelRegistered events), with its current state."""
    return [reader.model(model_id) for model_id in registered_model_ids(reader)]


def registered_model_ids(
    reader: ChainReader, keep: int | None = None, stop: Callable[[], bool] = lambda: False
) -> list[bytes]:
    """Ids of the registered models, oldest registration first (only the newest ``keep``
    when given); the scan of ModelRegistered logs ends early once ``stop()`` is true."""
    event = reader.models.abi.event("ModelRegistered")
    head = reader.client.block_number()
    ids: dict[bytes, None] = {}
    lo = reader.deployment.block
    while lo <= head and not stop():
        hi = min(head, lo + MAX_BLOCK_RANGE - 1)
        logs = reader.client.get_logs([reader.models.address], [event.topic0], lo, hi)
        for values in reader.models.decode_logs(logs, "ModelRegistered"):
            ids[bytes(values["modelId"])] = None
            if keep is not None and len(ids) > keep:
                del ids[next(iter(ids))]
        lo = hi + 1
    return list(ids)
