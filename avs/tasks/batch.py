"""The canonical input blob: a fixed-width batch of 1..N inputs of one element type.

Layout (all integers big-endian, elements little-endian as numpy writes them)::

    magic   4 bytes  b"AVSI"
    version 1 byte   1
    dtype   1 byte   1 = uint8, 2 = float32 (IEEE-754, little-endian), 3 = int32 (LE)
    count   4 bytes  number of inputs N (>= 1)
    width   4 bytes  elements per input W (>= 1)
    body    N * W * itemsize bytes, row-major

Input ``i``'s bytes (its Merkle leaf, see ``avs.protocol.inputs_root``) are row ``i`` of
the body. A blob with any other length, an unknown dtype or trailing bytes is rejected.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from avs.errors import TaskError

MAGIC = b"AVSI"
VERSION = 1
_HEADER = struct.Struct(">4sBBII")
HEADER_SIZE = _HEADER.size
MAX_COUNT = 1 << 20
"""Most inputs in one batch: bounds memory for a hostile blob, far above any real task."""
MAX_WIDTH = 1 << 24

DTYPES: dict[int, np.dtype[np.generic]] = {
    1: np.dtype(np.uint8),
    2: np.dtype("<f4"),
    3: np.dtype("<i4"),
}
_CODES = {dtype: code for code, dtype in DTYPES.items()}


@dataclass(frozen=True, slots=True)
class InputBatch:
    """A decoded, validated batch: one row per input."""

    array: npt.NDArray[np.generic]
    """Shape (N, W), the task type's element dtype; read-only."""

    @property
    def leaves(self) -> tuple[bytes, ...]:
        """The canonical bytes of each input (row ``i``), the leaves of the inputs Merkle root.

        Made on demand: the operator's hot path hashes the rows in place instead
        (:func:`avs.protocol_merkle.rows_root`).
        """
        return tuple(row.tobytes() for row in self.array)

    def __len__(self) -> int:
        """Number of inputs N."""
        return int(self.array.shape[0])

    @property
    def width(self) -> int:
        """Elements per input W."""
        return int(self.array.shape[1])


def dtype_code(dtype: np.dtype[np.generic]) -> int:
    """The header code of ``dtype``; raises TaskError for a dtype the format lacks."""
    code = _CODES.get(np.dtype(dtype))
    if code is None:
        raise TaskError(f"dtype {dtype} has no input-blob code; use uint8, float32 or int32")
    return code


def encode_batch(array: npt.ArrayLike, dtype: np.dtype[np.generic]) -> bytes:
    """Encode a 2-D array (N, W) as a canonical input blob of element type ``dtype``."""
    rows = np.asarray(array)
    if rows.ndim != 2 or rows.shape[0] < 1 or rows.shape[1] < 1:
        raise TaskError(f"inputs must be a non-empty 2-D array (N, W), got shape {rows.shape}")
    if rows.dtype.kind == "f" and dtype.kind in "iu":
        raise TaskError(f"cannot encode float inputs as {dtype}; round them first")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)  # type: ignore[type-var]  # kind checked just above
        if rows.size and (rows.min() < info.min or rows.max() > info.max):
            raise TaskError(f"input values must lie in [{info.min}, {info.max}] for {dtype}")
    body = np.ascontiguousarray(rows, dtype=dtype).tobytes()
    header = _HEADER.pack(MAGIC, VERSION, dtype_code(dtype), rows.shape[0], rows.shape[1])
    return header + body


def decode_batch(blob: bytes | bytearray, dtype: np.dtype[np.generic]) -> InputBatch:
    """Parse and check a canonical input blob whose elements must be ``dtype``."""
    if len(blob) < HEADER_SIZE:
        raise TaskError(
            f"input blob has {len(blob)} bytes, shorter than the {HEADER_SIZE}-byte header; "
            "encode inputs with the task type's encode_inputs"
        )
    magic, version, code, count, width = _HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise TaskError(f"input blob starts with {magic!r}, not {MAGIC!r}: not an AVS input blob")
    if version != VERSION:
        raise TaskError(f"input blob version {version} is unsupported; this node reads {VERSION}")
    blob_dtype = DTYPES.get(code)
    if blob_dtype is None:
        raise TaskError(f"input blob dtype code {code} is unknown; known: {sorted(DTYPES)}")
    if blob_dtype != dtype:
        raise TaskError(f"input blob holds {blob_dtype} elements; this task type needs {dtype}")
    if not 1 <= count <= MAX_COUNT:
        raise TaskError(f"input blob declares {count} inputs; a batch holds 1..{MAX_COUNT}")
    if not 1 <= width <= MAX_WIDTH:
        raise TaskError(f"input blob declares width {width}; must be 1..{MAX_WIDTH}")
    row_size = width * dtype.itemsize
    expected = HEADER_SIZE + count * row_size
    if len(blob) != expected:
        raise TaskError(
            f"input blob has {len(blob)} bytes; header says {count} x {width} {dtype} "
            f"= {expected} bytes (truncated or trailing data)"
        )
    # A read-only view of the body (a mutable buffer is copied, so the batch cannot change
    # under its checks). The 14-byte header leaves wider elements misaligned, which costs
    # onnxruntime and numpy more than one aligned copy of the body.
    frozen = blob if type(blob) is bytes else bytes(blob)
    array = np.frombuffer(frozen, dtype=dtype, offset=HEADER_SIZE).reshape(count, width)
    if not array.flags.aligned:
        array = array.copy()
        array.flags.writeable = False
    return InputBatch(array=array)
