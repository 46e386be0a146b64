"""``onnx-classify``: a float classifier; the result is the top-1 label or ABSTAIN per input.

Float inference is not bit-exact across machines, so probabilities never enter the signed
bytes. Per input: ``label = argmax(scores)`` (first index on ties), but ABSTAIN (0xFF) when
``top1 - top2 < margin`` or any score is not finite. Two honest operators then disagree only
on inputs whose margin lies within rounding noise of the threshold, which is why this type
is not ``exact`` (dissent is not slashable).

The model takes float32 inputs (N, W) and has a float output (N, K), 2 <= K <= 255, named
``probabilities`` (or the first float 2-D output); class ``k`` is column ``k``. The margin is
read from the model's ONNX metadata ``avs.abstain_margin`` (so the model hash pins it), else
:data:`DEFAULT_MARGIN`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from avs.errors import TaskError
from avs.tasks.api import ABSTAIN, MAX_LABEL, GoldenVector, LoadedModel, TaskType
from avs.tasks.batch import HEADER_SIZE, InputBatch
from avs.tasks.session import GraphOptimization

DEFAULT_MARGIN = 0.1
MARGIN_KEY = "avs.abstain_margin"
SCORES_OUTPUT = "probabilities"


class OnnxClassify(TaskType):
    """Top-1 label per input with an abstain margin; float32 inputs."""

    id: ClassVar[str] = "onnx-classify"
    exact: ClassVar[bool] = False
    input_dtype: ClassVar[np.dtype[np.generic]] = np.dtype("<f4")
    # BASIC = constant folding and redundant-node removal only: no hardware-specific fusions,
    # so machines with different CPU features stay as close as onnxruntime allows.
    optimization: ClassVar[GraphOptimization] = GraphOptimization.BASIC

    golden_file: ClassVar[str | None] = "avs.tasks.models.golden:digits_mlp.json"
    golden_keccak256: ClassVar[str | None] = (
        "0x6af40236f13d669711c58108d710be8040fd0d7d5c28a1271d6870e778c75927"
    )

    def check_model(self, model: LoadedModel) -> None:
        """Require float32 input and a float score output; validate the margin metadata."""
        kind = model.session.get_inputs()[0].type
        if kind != "tensor(float)":
            raise TaskError(f"{self.id} models take a float32 input, this one takes {kind}")
        self.scores_output(model)
        self.margin(model)

    def scores_output(self, model: LoadedModel) -> str:
        """Name of the output holding per-class scores."""
        candidates: list[str] = [
            str(o.name)
            for o in model.session.get_outputs()
            if o.type in ("tensor(float)", "tensor(double)") and len(o.shape) == 2
        ]
        if SCORES_OUTPUT in candidates:
            return SCORES_OUTPUT
        if not candidates:
            raise TaskError(f"{self.id} model has no float (N, K) score output")
        return candidates[0]

    def margin(self, model: LoadedModel) -> float:
        """The abstain margin pinned in the model metadata (or the default)."""
        text = model.metadata.get(MARGIN_KEY)
        if text is None:
            return DEFAULT_MARGIN
        try:
            value = float(text)
        except ValueError as exc:
            raise TaskError(f"model metadata {MARGIN_KEY}={text!r} is not a number") from exc
        if not 0.0 <= value < 1.0:
            raise TaskError(f"model metadata {MARGIN_KEY}={value} must lie in [0, 1)")
        return value

    def check_inputs(self, batch: InputBatch) -> None:
        """Reject NaN and infinities: they make every downstream comparison meaningless."""
        if not np.isfinite(batch.array).all():
            bad = int(np.argwhere(~np.isfinite(batch.array))[0][0])
            raise TaskError(f"input {bad} holds NaN or infinity; inputs must be finite float32")

    def run(self, model: LoadedModel, inputs: InputBatch) -> npt.NDArray[Any]:
        """Per-class scores, shape (N, K)."""
        (scores,) = self.run_session(model, inputs.array, [self.scores_output(model)])
        out = np.asarray(scores)
        if out.ndim != 2 or out.shape[0] != len(inputs):
            raise TaskError(f"{self.id}: model returned scores of shape {out.shape}")
        return out

    def canonicalize(self, model: LoadedModel, raw: npt.NDArray[Any]) -> bytes:
        """Top-1 index per row, ABSTAIN where the top-2 gap is under the margin."""
        return canonical_labels(raw, self.margin(model))

    def golden_vectors(self) -> Sequence[GoldenVector]:
        """The shipped digits MLP's golden vectors."""
        from avs.tasks.demo import golden_vectors

        return golden_vectors(OnnxClassify.id)

    def malformed_inputs(self) -> Sequence[tuple[str, bytes]]:
        """A NaN input (finite-value check)."""
        nan_blob = bytearray(self.encode_inputs(np.zeros((2, 64), dtype=np.float32)))
        nan_blob[HEADER_SIZE + 64 * 4 : HEADER_SIZE + 64 * 4 + 4] = np.float32("nan").tobytes()
        return [("nan_value", bytes(nan_blob))]


def canonical_labels(scores: npt.NDArray[Any], margin: float) -> bytes:
    """The onnx-classify canonicalisation, as a pure function of the scores and the margin."""
    if scores.ndim != 2 or not 2 <= scores.shape[1] <= MAX_LABEL + 1:
        raise TaskError(f"scores must have shape (N, K) with 2 <= K <= 255, got {scores.shape}")
    values = scores.astype(np.float64)
    top1 = np.argmax(values, axis=1)
    ordered = np.sort(values, axis=1)
    gap = ordered[:, -1] - ordered[:, -2]
    finite = np.isfinite(values).all(axis=1)
    labels = np.where(finite & (gap >= margin), top1, ABSTAIN)
    return labels.astype(np.uint8).tobytes()
