"""rows_root: the operator's fast inputs root must equal the reference inputs_root bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avs.errors import InputError
from avs.protocol import inputs_root
from avs.protocol_merkle import rows_root
from avs.tasks.demo import golden_vectors
from avs.tasks.registry import load_registry

# The roots of the shipped golden inputs, from the reference implementation (the roots
# tasks on chain commit to): a change to either implementation that moves them fails here.
GOLDEN_ROOTS = {
    "onnx-classify": "5885203a671b716c110c15d8f06004e6f95d38d08779fc4cec2ba0d32e74695e",
    "int-mlp": "f8c4105ee23ea0396fd7de01bf7e679d372ad00c679e0d528fe37c295804e55b",
}


@pytest.mark.parametrize("task_type_id", sorted(GOLDEN_ROOTS))
def test_golden_inputs_keep_their_committed_root(task_type_id: str) -> None:
    task_type = load_registry().get(task_type_id)
    batch = task_type.decode_inputs(golden_vectors(task_type_id)[0].inputs)
    assert inputs_root(batch.leaves).hex() == GOLDEN_ROOTS[task_type_id]
    assert rows_root(batch.array).hex() == GOLDEN_ROOTS[task_type_id]


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 70),
    width=st.integers(1, 40),
    dtype=st.sampled_from(["u1", "<f4", "<i4"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_equals_the_reference_for_any_shape(count: int, width: int, dtype: str, seed: int) -> None:
    raw = np.random.default_rng(seed).integers(0, 256, count * width * np.dtype(dtype).itemsize)
    rows = np.frombuffer(raw.astype(np.uint8).tobytes(), dtype=dtype).reshape(count, width)
    assert rows_root(rows) == inputs_root([row.tobytes() for row in rows])


def test_any_changed_byte_changes_the_root() -> None:
    rows = np.zeros((5, 8), dtype=np.uint8)
    base = rows_root(rows)
    for i, j in [(0, 0), (2, 7), (4, 3)]:
        changed = rows.copy()
        changed[i, j] = 1
        assert rows_root(changed) != base
    assert rows_root(rows[::-1].copy()) == base  # equal rows: order cannot show
    assert rows_root(np.arange(40, dtype=np.uint8).reshape(5, 8)[::-1]) != rows_root(
        np.arange(40, dtype=np.uint8).reshape(5, 8)
    )


def test_a_non_contiguous_view_hashes_its_rows_bytes() -> None:
    wide = np.arange(60, dtype=np.int32).reshape(6, 10)
    view = wide[::2, 1:5]
    assert rows_root(view) == inputs_root([row.tobytes() for row in view])


@pytest.mark.parametrize("shape", [(0, 4), (4,), (2, 2, 2)])
def test_no_batch_no_root(shape: tuple[int, ...]) -> None:
    with pytest.raises(InputError, match="non-empty 2-D"):
        rows_root(np.zeros(shape, dtype=np.uint8))
