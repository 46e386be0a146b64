"""The int-mlp semantics in plain integer numpy: the spec a Solidity verifier re-executes.

A model is a list of :class:`IntLayer`. Input: unsigned bytes x (N, W0). For each hidden
layer (every layer but the last)::

    z = x @ W + b                       exact integer arithmetic
    a = min(max(z, 0) >> shift, clip)   ReLU, floor-divide by 2**shift, saturate

and for the last layer ``logits = a @ W + b``; ``label = argmax(logits)``, the FIRST index
on ties. The builder guarantees (and :func:`forward` checks) that every intermediate fits
in int32, so int32 ONNX execution, this int64 reference and Solidity int256 agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from avs.errors import TaskError

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1

ALLOWED_OPS = frozenset({"Cast", "MatMul", "Add", "Clip", "BitShift", "ArgMax", "Identity"})
"""Every op an int-mlp graph may use: all integer, all exact (checked at model load)."""
ALLOWED_DTYPES = frozenset({2, 6, 7, 12})
"""ONNX data types of its constants and Casts: uint8, int32, int64, uint32."""
INPUT_MAX = 255


@dataclass(frozen=True, slots=True)
class IntLayer:
    """One affine layer with integer weights; hidden layers also shift and clip."""

    weights: npt.NDArray[np.int64]
    """Shape (in, out); values in int8 range [-127, 127] for the shipped models."""
    bias: npt.NDArray[np.int64]
    """Shape (out,)."""
    shift: int = 0
    """Right shift after ReLU (hidden layers)."""
    clip: int | None = None
    """Saturation bound after the shift; ``None`` marks the output layer (no activation)."""


def worst_case_bound(layers: Sequence[IntLayer]) -> int:
    """Largest |value| any pre-activation can take for inputs in [0, 255]."""
    bound = 0
    in_max = INPUT_MAX
    for layer in layers:
        column = np.abs(layer.weights).sum(axis=0) * in_max + np.abs(layer.bias)
        bound = max(bound, int(column.max()))
        in_max = layer.clip if layer.clip is not None else in_max
    return bound


def forward(x: npt.ArrayLike, layers: Sequence[IntLayer]) -> npt.NDArray[np.int64]:
    """Labels (N,) for unsigned-byte inputs ``x`` (N, W0), following the spec above."""
    act = np.asarray(x).astype(np.int64)
    if act.ndim != 2:
        raise TaskError(f"int-mlp inputs must be 2-D (N, W), got shape {act.shape}")
    if act.size and (act.min() < 0 or act.max() > INPUT_MAX):
        raise TaskError("int-mlp inputs must be bytes (0..255)")
    for index, layer in enumerate(layers):
        z = act @ layer.weights.astype(np.int64) + layer.bias.astype(np.int64)
        if z.size and (z.min() < INT32_MIN or z.max() > INT32_MAX):
            raise TaskError(f"layer {index} leaves int32 range: the model is not a valid int-mlp")
        if layer.clip is None:
            if index != len(layers) - 1:
                raise TaskError(f"layer {index} has no clip but is not the output layer")
            labels: npt.NDArray[np.int64] = np.argmax(z, axis=1).astype(np.int64)
            return labels
        act = np.minimum(np.maximum(z, 0) >> layer.shift, layer.clip)
    raise TaskError("an int-mlp needs an output layer (clip=None) last")
