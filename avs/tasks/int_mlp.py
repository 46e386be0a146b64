"""``int-mlp``: an integer-only classifier whose result is bit-exact on every machine.

Inputs are bytes (uint8 elements); the model (see :mod:`avs.tasks.int_mlp_build`) uses
only int32 MatMul/Add, ReLU-as-Clip, BitShift and ArgMax, so onnxruntime on any CPU or
GPU, the numpy reference (:mod:`avs.tasks.int_mlp_reference`) and a Solidity re-execution
compute the same labels. The result is one label byte per input; there is no ABSTAIN, and a
signature on any other result is provably wrong (slashable dissent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from avs.errors import TaskError
from avs.tasks.api import GoldenVector, LoadedModel, TaskType, labels_to_bytes
from avs.tasks.batch import HEADER_SIZE, InputBatch
from avs.tasks.int_mlp_reference import ALLOWED_DTYPES, ALLOWED_OPS
from avs.tasks.session import GraphOptimization

LABEL_OUTPUT = "label"


class IntMlp(TaskType):
    """Exact integer MLP: uint8 inputs, one label byte per input."""

    id: ClassVar[str] = "int-mlp"
    exact: ClassVar[bool] = True
    exact_ops: ClassVar[frozenset[str]] = ALLOWED_OPS
    exact_dtypes: ClassVar[frozenset[int]] = ALLOWED_DTYPES
    input_dtype: ClassVar[np.dtype[np.generic]] = np.dtype(np.uint8)
    # No graph rewriting at all: exactness must come from the ops, never from the optimiser.
    optimization: ClassVar[GraphOptimization] = GraphOptimization.DISABLE_ALL

    golden_file: ClassVar[str | None] = "avs.tasks.models.golden:digits_int_mlp.json"
    golden_keccak256: ClassVar[str | None] = (
        "0x177423302aec45db2c6b45829cd5a948ab5dc1cece5401db09229acb4e190ed6"
    )

    def check_model(self, model: LoadedModel) -> None:
        """Require a uint8 input and an int64 ``label`` output of shape (N,)."""
        kind = model.session.get_inputs()[0].type
        if kind != "tensor(uint8)":
            raise TaskError(f"{self.id} models take a uint8 input, this one takes {kind}")
        outputs = {o.name: o for o in model.session.get_outputs()}
        label = outputs.get(LABEL_OUTPUT)
        if label is None or label.type != "tensor(int64)" or len(label.shape) != 1:
            raise TaskError(f"{self.id} models need an int64 output {LABEL_OUTPUT!r} of shape (N,)")

    def run(self, model: LoadedModel, inputs: InputBatch) -> npt.NDArray[Any]:
        """Labels (N,) as int64."""
        (labels,) = self.run_session(model, inputs.array, [LABEL_OUTPUT])
        out = np.asarray(labels)
        if out.shape != (len(inputs),):
            raise TaskError(f"{self.id}: model returned labels of shape {out.shape}")
        return out

    def canonicalize(self, model: LoadedModel, raw: npt.NDArray[Any]) -> bytes:  # noqa: ARG002
        """One byte per label (the model is not needed: labels are already exact)."""
        return labels_to_bytes(raw, self.id)

    def golden_vectors(self) -> Sequence[GoldenVector]:
        """The shipped digits int-mlp's golden vectors."""
        from avs.tasks.demo import golden_vectors

        return golden_vectors(IntMlp.id)

    def malformed_inputs(self) -> Sequence[tuple[str, bytes]]:
        """A float blob where bytes are required."""
        blob = bytearray(self.encode_inputs(np.zeros((1, 64), dtype=np.uint8)))
        blob[5] = 2  # dtype code of float32
        return [
            ("float_dtype", bytes(blob) + bytes(64 * 3)),
            ("header_only", bytes(blob[:HEADER_SIZE])),
        ]
