"""The canonical int-mlp model encoding: what the on-chain verifier commits to and re-executes.

Big-endian throughout (``contracts/src/interfaces/IIntMlpVerifier.sol`` documents the same)::

    version     uint8   1
    layerCount  uint8   1..255
    inputWidth  uint16  W0
    per layer:  outWidth uint16, shift uint8 (0..31), clip int32 (-1 marks the output layer),
                outWidth int32 biases, outWidth x inWidth int8 weights (one neuron after another)

Weights are int8 and biases int32 so a challenge's calldata stays small; the verifier's
constructor enforces the same rules as :func:`encode_model` (including the int32 worst-case
bound of :func:`avs.tasks.int_mlp_reference.worst_case_bound`), so every encodable model is
deployable and re-executes exactly like the reference.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import cache

import numpy as np

from avs.crypto.keccak import keccak256
from avs.errors import TaskError
from avs.tasks.api import MAX_LABEL
from avs.tasks.int_mlp_reference import INT32_MAX, INT32_MIN, IntLayer, worst_case_bound

VERSION = 1
MAX_SHIFT = 31
MAX_WIDTH = 0xFFFF
OUTPUT_CLIP = -1
DIGITS_MODEL = "digits_int_mlp.onnx"
_HEADER = struct.Struct(">BBH")
_LAYER = struct.Struct(">HBi")


def encode_model(layers: Sequence[IntLayer]) -> bytes:
    """The canonical bytes of ``layers``; TaskError for a model the verifier would reject."""
    if not 1 <= len(layers) <= 255:
        raise TaskError(f"an int-mlp has 1..255 layers, this one has {len(layers)}")
    if worst_case_bound(layers) > INT32_MAX:
        raise TaskError("these weights can overflow int32 for byte inputs; use smaller weights")
    width = int(layers[0].weights.shape[0])
    out = bytearray(_HEADER.pack(VERSION, len(layers), _width(width)))
    for index, layer in enumerate(layers):
        last = index == len(layers) - 1
        weights = np.asarray(layer.weights)
        bias = np.asarray(layer.bias)
        if weights.ndim != 2 or weights.shape[0] != width or bias.shape != (weights.shape[1],):
            raise TaskError(
                f"layer {index}: weights {weights.shape} and bias {bias.shape} do not chain"
            )
        if last != (layer.clip is None):
            raise TaskError(f"layer {index}: only the last layer is the output layer (clip=None)")
        if weights.size and (weights.min() < -128 or weights.max() > 127):
            raise TaskError(f"layer {index}: verified int-mlp weights must be int8 (-128..127)")
        if bias.size and (bias.min() < INT32_MIN or bias.max() > INT32_MAX):
            raise TaskError(f"layer {index}: biases must be int32")
        if not 0 <= layer.shift <= MAX_SHIFT or (last and layer.shift != 0):
            raise TaskError(f"layer {index}: shift must be 0..{MAX_SHIFT} (0 on the output layer)")
        if layer.clip is not None and not 0 <= layer.clip <= INT32_MAX:
            raise TaskError(f"layer {index}: clip must be 0..{INT32_MAX}")
        if last and weights.shape[1] > MAX_LABEL + 1:
            raise TaskError(f"an int-mlp labels 0..{MAX_LABEL}: at most {MAX_LABEL + 1} classes")
        clip = OUTPUT_CLIP if layer.clip is None else layer.clip
        out += _LAYER.pack(_width(int(weights.shape[1])), layer.shift, clip)
        out += bias.astype(">i4").tobytes()
        out += weights.T.astype(np.int8).tobytes()
        width = int(weights.shape[1])
    return bytes(out)


def model_commitment(encoding: bytes) -> bytes:
    """keccak256 of the encoding: what the verifier stores (``modelCommitment()``)."""
    return keccak256(encoding)


def _width(width: int) -> int:
    if not 1 <= width <= MAX_WIDTH:
        raise TaskError(f"layer widths must be 1..{MAX_WIDTH}, got {width}")
    return width


def encoding_from_onnx(model_bytes: bytes) -> bytes:
    """The canonical encoding of an int-mlp ONNX model written by ``build_onnx``.

    Needs the ``onnx`` package (model registration tooling, not nodes).
    """
    from avs.tasks.int_mlp_build import layers_from_onnx

    return encode_model(layers_from_onnx(model_bytes))


@cache
def digits_encoding() -> bytes:
    """The canonical encoding of the shipped digits int-mlp (devnet, tests, benchmarks)."""
    from avs.tasks.demo import model_bytes

    return encoding_from_onnx(model_bytes(DIGITS_MODEL))
