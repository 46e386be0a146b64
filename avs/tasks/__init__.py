"""Task types: how a model plus an input blob become the canonical bytes operators sign.

Public API: :class:`TaskType` (subclass it to add a type), :class:`ExecutionConfig`,
:class:`InputBatch`, :class:`LoadedModel`, :class:`GoldenVector`, :data:`ABSTAIN`, and the
entry-point registry (:func:`load_registry`, :func:`get_task_type`). See
docs/task-types.md.
"""

from avs.tasks.api import ABSTAIN, GoldenVector, LoadedModel, TaskType
from avs.tasks.batch import InputBatch
from avs.tasks.registry import TaskTypeRegistry, get_task_type, load_registry
from avs.tasks.session import ExecutionConfig, GraphOptimization

__all__ = [
    "ABSTAIN",
    "ExecutionConfig",
    "GoldenVector",
    "GraphOptimization",
    "InputBatch",
    "LoadedModel",
    "TaskType",
    "TaskTypeRegistry",
    "get_task_type",
    "load_registry",
]
