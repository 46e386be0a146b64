"""The TaskType API: what a task type (built-in or third-party) implements.

A task type turns a model plus an input blob into **canonical result bytes**, the bytes
operators sign. Subclasses set ``id``/``exact``/``input_dtype`` and implement
:meth:`TaskType.load_model` checks, :meth:`TaskType.run` and :meth:`TaskType.canonicalize`;
the input container, the result layout (one byte per input, 0xFF = ABSTAIN) and the
end-to-end :meth:`TaskType.execute` are shared.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from avs.errors import TaskError
from avs.models.hashing import ContentHash, content_hash
from avs.tasks.batch import InputBatch, decode_batch, encode_batch
from avs.tasks.onnx_graph import require_integer_graph
from avs.tasks.session import ExecutionConfig, GraphOptimization, create_session

ABSTAIN = 0xFF
"""Result byte meaning "this operator declines to label this input" (signed like a label)."""
MAX_LABEL = 0xFE


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to run: its id, its pinned session and what the task type read from it."""

    model_id: ContentHash
    """Keccak-256 of the ONNX bytes (the ModelRegistry key)."""
    session: Any = field(repr=False)
    """The ``onnxruntime.InferenceSession``."""
    input_name: str
    input_width: int
    """Elements per input the model expects (its input shape is (N, input_width))."""
    providers: tuple[str, ...]
    """Providers the session actually uses, best first."""
    config: ExecutionConfig
    metadata: Mapping[str, str]
    """The ONNX model's custom metadata (e.g. ``avs.abstain_margin``); pinned by the hash."""


@dataclass(frozen=True, slots=True)
class GoldenVector:
    """A known-good case: these inputs on this model must give exactly these result bytes."""

    name: str
    model: bytes = field(repr=False)
    inputs: bytes = field(repr=False)
    result: bytes


class TaskType(ABC):
    """Base class of every task type; discovered through the ``avs.task_types`` entry points."""

    id: ClassVar[str]
    """Registry name, e.g. ``onnx-classify``; must equal the entry-point name."""
    exact: ClassVar[bool]
    """True when every honest operator computes identical bytes on any hardware (slashable)."""
    exact_ops: ClassVar[frozenset[str]] = frozenset()
    """Exact types: the ONNX ops (default domain) their models may use, checked at load."""
    exact_dtypes: ClassVar[frozenset[int]] = frozenset()
    """Exact types: the ONNX data types (``TensorProto`` numbers) of constants and Casts."""
    verifier: ClassVar[str | None] = None
    """Name of the on-chain verifier contract that can re-execute a task, if any."""
    input_dtype: ClassVar[np.dtype[np.generic]]
    """Element type of the input blob."""
    optimization: ClassVar[GraphOptimization] = GraphOptimization.BASIC
    """Pinned onnxruntime graph-optimisation level."""
    golden_file: ClassVar[str | None] = None
    """Committed golden case, ``"package:file.json"`` (see :mod:`avs.tasks.golden`)."""
    golden_keccak256: ClassVar[str | None] = None
    """Keccak-256 of the golden file's bytes, so the suite notices regenerated expectations."""

    # -- model -----------------------------------------------------------------------------
    def load_model(self, model_bytes: bytes, config: ExecutionConfig | None = None) -> LoadedModel:
        """Open ``model_bytes`` with pinned options and check it fits this task type."""
        config = config or ExecutionConfig()
        session = create_session(model_bytes, config, self.optimization)
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise TaskError(f"{self.id} models take exactly one input tensor, got {len(inputs)}")
        shape = inputs[0].shape
        if len(shape) != 2 or not isinstance(shape[1], int):
            raise TaskError(
                f"{self.id} model input must have shape (N, W) with a fixed W, got {shape}"
            )
        meta = session.get_modelmeta().custom_metadata_map
        model = LoadedModel(
            model_id=content_hash(model_bytes),
            session=session,
            input_name=inputs[0].name,
            input_width=int(shape[1]),
            providers=tuple(session.get_providers()),
            config=config,
            metadata=dict(meta),
        )
        self.check_model(model)
        if self.exact:
            # The exactness claim is what operators are slashed on: a model outside the
            # allow-list (a float Softmax behind an int output, say) is never run.
            require_integer_graph(model_bytes, self.exact_ops, self.exact_dtypes, self.id)
        return model

    def check_model(self, model: LoadedModel) -> None:  # noqa: B027 - optional hook
        """Reject a model whose inputs/outputs do not fit this task type (TaskError)."""

    # -- inputs ----------------------------------------------------------------------------
    def encode_inputs(self, rows: npt.ArrayLike) -> bytes:
        """Encode rows (N, W) as the canonical input blob."""
        blob = encode_batch(rows, self.input_dtype)
        self.decode_inputs(blob)  # the encoder never produces what the decoder rejects
        return blob

    def decode_inputs(self, blob: bytes) -> InputBatch:
        """Parse and validate an input blob; malformed input raises TaskError saying why."""
        batch = decode_batch(blob, self.input_dtype)
        self.check_inputs(batch)
        return batch

    def check_inputs(self, batch: InputBatch) -> None:  # noqa: B027 - optional hook
        """Type-specific value checks (e.g. finite floats); raise TaskError."""

    # -- execution -------------------------------------------------------------------------
    @abstractmethod
    def run(self, model: LoadedModel, inputs: InputBatch) -> npt.NDArray[Any]:
        """Run the model on the batch and return its raw output (never signed)."""

    @abstractmethod
    def canonicalize(self, model: LoadedModel, raw: npt.NDArray[Any]) -> bytes:
        """Map raw output to canonical result bytes (one byte per input by default)."""

    def execute(self, model: LoadedModel, blob: bytes) -> bytes:
        """Decode, check against the model, run and canonicalize: the bytes an operator signs."""
        return self.execute_batch(model, self.decode_inputs(blob))

    def execute_batch(self, model: LoadedModel, inputs: InputBatch) -> bytes:
        """:meth:`execute` on a batch ``decode_inputs`` already returned (decoded once)."""
        if inputs.width != model.input_width:
            raise TaskError(
                f"inputs have {inputs.width} elements each but model 0x{model.model_id.hex()} "
                f"expects {model.input_width}; the task's inputs do not fit its model"
            )
        result = self.canonicalize(model, self.run(model, inputs))
        if len(result) != len(inputs):
            raise TaskError(f"{self.id} produced {len(result)} results for {len(inputs)} inputs")
        return result

    def run_session(
        self, model: LoadedModel, feed: npt.NDArray[Any], outputs: list[str]
    ) -> list[Any]:
        """Run the session, turning onnxruntime failures into a TaskError."""
        try:
            result: list[Any] = model.session.run(outputs, {model.input_name: feed})
        except Exception as exc:  # onnxruntime raises untyped pybind errors
            raise TaskError(f"{self.id}: onnxruntime failed on these inputs: {exc}") from exc
        return result

    # -- results ---------------------------------------------------------------------------
    def decode_result(self, result: bytes) -> list[int | None]:
        """Per-input labels from result bytes; ``None`` where the operator abstained."""
        return [None if b == ABSTAIN else b for b in result]

    # -- conformance -----------------------------------------------------------------------
    def golden_vectors(self) -> Sequence[GoldenVector]:
        """Known-good (model, inputs, result) cases the conformance suite replays."""
        return ()

    def malformed_inputs(self) -> Sequence[tuple[str, bytes]]:
        """Type-specific bad input blobs (name, blob) that decode/execute must reject."""
        return ()


def labels_to_bytes(labels: npt.NDArray[Any], what: str) -> bytes:
    """One byte per label, refusing labels the result format cannot hold."""
    if labels.size and (labels.min() < 0 or labels.max() > MAX_LABEL):
        raise TaskError(f"{what}: labels must lie in 0..{MAX_LABEL} (0xFF means ABSTAIN)")
    return bytes(labels.astype(np.uint8).tolist())
