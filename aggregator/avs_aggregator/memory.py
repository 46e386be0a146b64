"""In-memory implementations of the core's chain protocols, for tests and benchmarks.

:class:`FixedOperatorChain` is a :class:`~avs_aggregator.protocols.ChainView` over a fixed
operator set (one quorum, equal stakes); :class:`RecordingCertifier` is a
:class:`~avs_aggregator.protocols.Certifier` that records what it was asked to certify. The real
implementations (:mod:`avs_aggregator.chain_adapter`) are exercised against anvil.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from avs.crypto.bls import KeyPair
from avs.protocol import Task
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.operators import OperatorSetState, RegisteredOperator
from avs_aggregator.protocols import Certification, CertifyResult


class FixedOperatorChain:
    """ChainView: every task's quorum 0 holds ``keys``, each with ``stake``."""

    def __init__(self, keys: Sequence[KeyPair], stake: int = 10) -> None:
        """Operators ``keys`` (addresses 0x..00, 0x..01, ...), ``stake`` each."""
        self.keys = list(keys)
        self.stake = stake
        self.certified: dict[int, Certification] = {}

    def snapshot(self, task: Task) -> OperatorSetState:
        """The fixed operator set, at the task's creation block."""
        ops = {
            k.operator_id: RegisteredOperator(
                f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, {0: self.stake}
            )
            for i, k in enumerate(self.keys)
        }
        return OperatorSetState(task.created_block, (0,), ops, {0: self.stake * len(self.keys)})

    def certification(self, task: Task) -> Certification | None:
        """What :class:`RecordingCertifier` certified for ``task``, if anything."""
        return self.certified.get(task.task_index)

    def last_evidence_block(self, task: Task) -> int:
        """The deadline plus a 20-block challenge window."""
        return task.deadline_block + 20


@dataclass(frozen=True, slots=True)
class CertifyCall:
    """One certificate the core asked for."""

    task_index: int
    """Task certified."""
    group: DigestGroup
    """The signers and result exactly as handed over."""
    non_signers: list[bytes]
    """Operators of the snapshot not in the group, ascending."""


@dataclass(slots=True)
class RecordingCertifier:
    """Certifier that records every call and marks the task certified on ``chain``."""

    chain: FixedOperatorChain
    calls: list[CertifyCall] = field(default_factory=list)

    def certify(self, task: Task, snapshot: OperatorSetState, group: DigestGroup) -> CertifyResult:
        """Record the call; the 'transaction hash' is fixed."""
        non_signers = sorted(op for op in snapshot.operators if op not in group.responses)
        self.calls.append(CertifyCall(task.task_index, group, non_signers))
        tx = b"\xaa" * 32
        self.chain.certified[task.task_index] = Certification(group.result_digest, tx, True)
        return CertifyResult(tx, already_certified=False)
