"""Build re-execution proofs: find a wrong entry and prove its input against inputsRoot."""

from __future__ import annotations

from collections.abc import Sequence

from avs.chain.evidence import ReExecutionProof
from avs.errors import InputError
from avs.protocol import merkle_proof


def first_wrong_entry(result: bytes, expected: bytes, entry_size: int = 1) -> int | None:
    """Index of the first entry of ``result`` that differs from ``expected`` (None if equal).

    A result of the wrong length is wrong as a whole: index 0 is returned, and the contract
    accepts such a result without re-execution.
    """
    if len(result) != len(expected):
        return 0
    for index in range(len(expected) // entry_size):
        span = slice(index * entry_size, (index + 1) * entry_size)
        if result[span] != expected[span]:
            return index
    return None


def build_proof(
    result: bytes, index: int, model: bytes, leaves: Sequence[bytes]
) -> ReExecutionProof:
    """The proof that entry ``index`` of ``result`` is wrong, for inputs ``leaves``."""
    if not 0 <= index < len(leaves):
        raise InputError(f"input index {index} out of range for {len(leaves)} inputs")
    return ReExecutionProof(
        result=result,
        index=index,
        model=model,
        input=leaves[index],
        input_proof=tuple(merkle_proof(leaves, index)),
    )
