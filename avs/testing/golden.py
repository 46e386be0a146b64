"""Golden vectors pinned by hash: they come from a committed file, not from the code under test."""

from __future__ import annotations

from collections.abc import Sequence

from avs.errors import AvsError
from avs.models.hashing import content_hash, hash_hex, parse_content_hash
from avs.tasks.api import GoldenVector, TaskType
from avs.tasks.golden import parse_golden, read_golden_bytes

UNPINNED = (
    "golden vectors are not pinned: commit a golden file in the package (avs.tasks.golden "
    "format) and declare golden_file = 'package:file.json' and golden_keccak256 = '0x...' "
    "on the class, so the code under test cannot regenerate its own expectations"
)


class GoldenNotPinned(Exception):
    """The type's golden vectors are not backed by its committed, hash-pinned golden file."""


def verify_pinned_golden(task: TaskType, vectors: Sequence[GoldenVector]) -> str:
    """Check the declared golden file's hash and that ``vectors`` replay its case.

    Returns a detail line; raises :class:`GoldenNotPinned` saying what is wrong.
    """
    if task.golden_file is None or task.golden_keccak256 is None:
        raise GoldenNotPinned(UNPINNED)
    try:
        data = read_golden_bytes(task.golden_file)
        pinned = parse_content_hash(task.golden_keccak256)
        case = parse_golden(data, f"golden file {task.golden_file}")
    except AvsError as exc:
        raise GoldenNotPinned(str(exc)) from exc
    actual = content_hash(data)
    if actual != pinned:
        raise GoldenNotPinned(
            f"golden file {task.golden_file} hashes to {hash_hex(actual)} but the class pins "
            f"{hash_hex(pinned)}: the expectations changed; review the change before re-pinning"
        )
    replayed = any(
        content_hash(v.model) == case.model_keccak256
        and v.inputs == case.inputs
        and v.result == case.result
        for v in vectors
    )
    if not replayed:
        raise GoldenNotPinned(
            f"golden_vectors() does not replay the pinned case of {task.golden_file} "
            "(same model hash, inputs and result)"
        )
    return f"{task.golden_file} pinned at {hash_hex(pinned)[:18]}.. and replayed"
