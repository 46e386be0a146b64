"""The canonical input blob: round trips, leaves, and precise rejection of malformed blobs."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from avs.errors import TaskError
from avs.tasks.batch import HEADER_SIZE, decode_batch, encode_batch

U8 = np.dtype(np.uint8)
F32 = np.dtype("<f4")


@given(hnp.arrays(U8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=16)))
def test_uint8_round_trip_and_leaves_are_rows(rows: np.ndarray) -> None:
    blob = encode_batch(rows, U8)
    batch = decode_batch(blob, U8)
    assert np.array_equal(batch.array, rows)
    assert batch.leaves == tuple(row.tobytes() for row in rows)
    assert encode_batch(batch.array, U8) == blob


@given(
    hnp.arrays(
        F32,
        st.tuples(st.integers(1, 8), st.integers(1, 8)),
        elements=st.floats(width=32, allow_nan=False, allow_infinity=False),
    )
)
def test_float32_round_trip_is_bit_exact(rows: np.ndarray) -> None:
    batch = decode_batch(encode_batch(rows, F32), F32)
    assert batch.array.tobytes() == rows.tobytes()


def test_leaves_are_the_body_slices_and_the_batch_cannot_change() -> None:
    rows = np.arange(12, dtype=np.int32).reshape(3, 4)
    blob = bytearray(encode_batch(rows, np.dtype("<i4")))
    batch = decode_batch(blob, np.dtype("<i4"))
    body = bytes(blob[HEADER_SIZE:])
    assert batch.leaves == (body[:16], body[16:32], body[32:])
    assert len(batch) == 3
    blob[HEADER_SIZE] ^= 0xFF  # the caller's buffer changes after decoding ...
    assert batch.leaves[0] == body[:16]  # ... the batch does not
    with pytest.raises(ValueError, match="read-only"):
        batch.array[0, 0] = 7
    assert batch.array.flags.aligned  # onnxruntime and numpy take their fast paths


def test_header_layout_is_big_endian_counts() -> None:
    blob = encode_batch(np.zeros((3, 5), dtype=np.uint8), U8)
    assert blob[:HEADER_SIZE] == b"AVSI" + bytes([1, 1]) + struct.pack(">II", 3, 5)
    assert len(blob) == HEADER_SIZE + 15


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:5], "shorter than the 14-byte header"),
        (lambda b: b"JUNK" + b[4:], "not an AVS input blob"),
        (lambda b: b[:4] + b"\x02" + b[5:], "version 2 is unsupported"),
        (lambda b: b[:5] + b"\x09" + b[6:], "dtype code 9 is unknown"),
        (lambda b: b[:5] + b"\x02" + b[6:], "holds float32 elements"),
        (lambda b: b[:6] + struct.pack(">I", 0) + b[10:], "declares 0 inputs"),
        (lambda b: b[:-1], "truncated or trailing"),
        (lambda b: b + b"\x00", "truncated or trailing"),
    ],
)
def test_malformed_blobs_say_what_is_wrong(mutate: object, message: str) -> None:
    good = encode_batch(np.ones((2, 4), dtype=np.uint8), U8)
    with pytest.raises(TaskError, match=message):
        decode_batch(mutate(good), U8)  # type: ignore[operator]


def test_encode_refuses_out_of_range_and_floats_for_bytes() -> None:
    with pytest.raises(TaskError, match=r"\[0, 255\]"):
        encode_batch(np.array([[256]]), U8)
    with pytest.raises(TaskError, match="round them first"):
        encode_batch(np.array([[1.5]]), U8)
    with pytest.raises(TaskError, match="non-empty 2-D"):
        encode_batch(np.zeros((0, 4)), U8)
