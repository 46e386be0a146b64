"""onnxruntime sessions with pinned options, so one machine always computes the same bits.

What is pinned and why:
- ``intra_op_num_threads`` comes from :class:`ExecutionConfig` (the conformance suite checks
  that results do not depend on it); ``inter_op_num_threads = 1`` and sequential execution,
  so operators never run concurrently in a different order;
- the graph-optimisation level is a property of the task type, not of the machine;
- ``use_deterministic_compute`` (matters for CUDA kernels) and no thread spinning (shared
  edge machines should not burn idle cores);
- providers: the configured list, filtered to those this onnxruntime build offers, and
  ``CPUExecutionProvider`` always last as the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import structlog

from avs.errors import ModelError, TaskError

log = structlog.get_logger(__name__)

CPU_PROVIDER = "CPUExecutionProvider"


class GraphOptimization(Enum):
    """onnxruntime graph-optimisation levels a task type may pin."""

    DISABLE_ALL = "ORT_DISABLE_ALL"
    BASIC = "ORT_ENABLE_BASIC"
    EXTENDED = "ORT_ENABLE_EXTENDED"
    ALL = "ORT_ENABLE_ALL"


@dataclass(frozen=True, slots=True)
class ExecutionConfig:
    """How this machine runs models: a node setting, never part of a signed result."""

    providers: tuple[str, ...] = (CPU_PROVIDER,)
    """Preferred execution providers, best first (e.g. CUDAExecutionProvider); CPU is added."""
    intra_op_num_threads: int = 1
    """Threads inside one operator; results must not depend on it."""

    def __post_init__(self) -> None:
        if self.intra_op_num_threads < 1:
            raise TaskError(f"intra_op_num_threads must be >= 1, got {self.intra_op_num_threads}")


def available_providers() -> list[str]:
    """Execution providers this onnxruntime build offers."""
    import onnxruntime as ort

    return list(ort.get_available_providers())


def resolve_providers(requested: tuple[str, ...]) -> list[str]:
    """Keep the requested providers this build has, in order, and end with the CPU fallback."""
    available = set(available_providers())
    chosen = [p for p in requested if p in available and p != CPU_PROVIDER]
    missing = [p for p in requested if p not in available]
    if missing:
        log.warning("execution_providers_unavailable", missing=missing, using=[*chosen, "CPU"])
    return [*chosen, CPU_PROVIDER]


def create_session(
    model_bytes: bytes, config: ExecutionConfig, optimization: GraphOptimization
) -> Any:
    """Build an ``onnxruntime.InferenceSession`` for ``model_bytes`` with pinned options."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = config.intra_op_num_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, optimization.value)
    options.use_deterministic_compute = True
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers = resolve_providers(config.providers)
    try:
        return ort.InferenceSession(model_bytes, sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises untyped pybind errors for bad models
        raise ModelError(
            f"onnxruntime cannot load the model ({type(exc).__name__}: {exc}); "
            "check that the model id names a valid ONNX file"
        ) from exc
