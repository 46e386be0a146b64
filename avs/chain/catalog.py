"""What the ModelRegistry holds: registered task types and models, read for the developer CLI."""

from __future__ import annotations

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
    event = reader.models.abi.event("ModelRegistered")
    head = reader.client.block_number()
    ids: list[bytes] = []
    lo = reader.deployment.block
    while lo <= head:
        hi = min(head, lo + MAX_BLOCK_RANGE - 1)
        logs = reader.client.get_logs([reader.models.address], [event.topic0], lo, hi)
        for values in reader.models.decode_logs(logs, "ModelRegistered"):
            model_id = bytes(values["modelId"])
            if model_id not in ids:
                ids.append(model_id)
        lo = hi + 1
    return [reader.model(model_id) for model_id in ids]
