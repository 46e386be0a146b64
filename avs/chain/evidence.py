"""Re-execution evidence for SlashingManager: the calldata shapes of wrong-result proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from avs.chain.views import CertifiedTask


@dataclass(frozen=True, slots=True)
class ReExecutionProof:
    """``ISlashingManagerTypes.ReExecutionProof``: one input re-executed on chain."""

    result: bytes
    """The full signed or certified result bytes."""
    index: int
    """The input whose entry is claimed wrong."""
    model: bytes
    """The canonical model encoding the model's verifier committed to."""
    input: bytes
    """Input ``index``'s canonical bytes (its Merkle leaf)."""
    input_proof: tuple[bytes, ...]
    """Merkle siblings from the leaf to the task's inputsRoot."""

    def as_abi(self) -> tuple[Any, ...]:
        """The ReExecutionProof tuple."""
        return (self.result, self.index, self.model, self.input, list(self.input_proof))


def certification_abi(certified: CertifiedTask) -> tuple[Any, ...]:
    """``ISlashingManagerTypes.Certification`` of a TaskCertified event."""
    return (
        certified.result_digest,
        list(certified.non_signer_ids),
        list(certified.signed_stake),
    )
