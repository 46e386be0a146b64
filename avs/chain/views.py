"""Frozen values the reader and writer hand to callers (operators, stakes, models, tasks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from avs.crypto.bls import aggregate_g1
from avs.crypto.points import G1Point, G2Point
from avs.protocol import Task, certification_hash, signatory_record_hash


class TaskStatus(StrEnum):
    """Where a task stands on chain."""

    UNKNOWN = "unknown"
    """No such task index, or the fields differ from the created task."""
    PENDING = "pending"
    """Created, not certified, not refunded."""
    CERTIFIED = "certified"
    """A certificate was accepted."""
    REFUNDED = "refunded"
    """Expired and refunded to the client."""
    OVERTURNED = "overturned"
    """Certified, then proven wrong by on-chain re-execution; the client was refunded."""


@dataclass(frozen=True, slots=True)
class RegisteredOperator:
    """An operator of a task's quorums at a reference block."""

    address: str
    """Ethereum address."""
    operator_id: bytes
    """keccak256 of pk1."""
    pubkey_g1: G1Point
    """Registered G1 key."""
    pubkey_g2: G2Point
    """Registered G2 key."""
    stakes: Mapping[int, int]
    """Stake per quorum number the operator belongs to at the block."""


@dataclass(frozen=True, slots=True)
class OperatorSetState:
    """Every operator of some quorums at one block, with each quorum's total stake."""

    reference_block: int
    """The block the state was read at."""
    quorum_numbers: tuple[int, ...]
    """Quorums covered."""
    operators: Mapping[bytes, RegisteredOperator]
    """Operators by id."""
    total_stakes: Mapping[int, int]
    """Total stake per quorum."""

    def members(self, quorum: int) -> list[RegisteredOperator]:
        """Operators of ``quorum``, ascending by id."""
        return sorted(
            (op for op in self.operators.values() if quorum in op.stakes),
            key=lambda op: op.operator_id,
        )

    def quorum_apk(self, quorum: int) -> G1Point:
        """Aggregate G1 key of ``quorum`` (matches the registry's APK history)."""
        return aggregate_g1(op.pubkey_g1 for op in self.members(quorum))


@dataclass(frozen=True, slots=True)
class CertifiedTask:
    """A TaskCertified event: everything claims, challenges and indexers need."""

    task_index: int
    """Task certified."""
    result_digest: bytes
    """Certified keccak256(resultBytes)."""
    signatory_record_hash: bytes
    """keccak256(abi.encodePacked(referenceBlock, nonSignerIds))."""
    reference_block: int
    """The task's creation block."""
    non_signer_ids: tuple[bytes, ...]
    """Non-signers, ascending."""
    signed_stake: tuple[int, ...]
    """Signed stake per task quorum."""
    total_stake: tuple[int, ...]
    """Total stake per task quorum."""
    submitter: str
    """Who submitted the certificate."""
    block_number: int
    """Block of certification."""
    tx_hash: bytes
    """Certifying transaction."""

    @property
    def certification_hash(self) -> bytes:
        """The outcome word stored in TaskManager's record."""
        return certification_hash(self.result_digest, self.signatory_record_hash, self.signed_stake)

    def check(self) -> None:
        """Assert the event is self-consistent (signatory hash matches the non-signers)."""
        expected = signatory_record_hash(self.reference_block, self.non_signer_ids)
        if expected != self.signatory_record_hash:
            raise ValueError("TaskCertified event: signatory record hash mismatch")


@dataclass(frozen=True, slots=True)
class FeeClaim:
    """One task an operator claims its fee share of (``ITaskManager.FeeClaim``)."""

    task: Task
    """The task."""
    certified: CertifiedTask
    """Its certification."""

    def as_abi(self) -> tuple[Any, ...]:
        """The FeeClaim tuple."""
        return (
            self.task.as_abi(),
            self.certified.result_digest,
            list(self.certified.non_signer_ids),
            list(self.certified.signed_stake),
        )


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A ModelRegistry entry."""

    model_id: bytes
    """Registry key."""
    content_hash: bytes
    """Content hash of the ONNX file."""
    fee_per_input: int
    """Wei per input."""
    active: bool
    """Accepts new tasks."""
    exact: bool
    """Task type is exact (dissent slashable)."""
    verifier: str
    """Optional verifier contract (zero address if none)."""
    task_type: str
    """Task type id."""
    uri: str
    """Download location."""


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A queued withdrawal (EigenLayer's ``IDelegationManagerTypes.Withdrawal``)."""

    staker: str
    """Whose shares are withdrawn."""
    delegated_to: str
    """Operator at queue time (its slashes still apply)."""
    withdrawer: str
    """Who may complete it (the staker)."""
    nonce: int
    """Per-staker counter."""
    start_block: int
    """Block queued."""
    strategies: tuple[str, ...]
    """Strategies withdrawn from."""
    scaled_shares: tuple[int, ...]
    """Shares per strategy normalised by the operator's max magnitude."""

    @classmethod
    def from_abi(cls, value: Any) -> Withdrawal:
        """From the decoded Withdrawal tuple."""
        staker, delegated_to, withdrawer, nonce, start_block, strategies, scaled = value
        return cls(
            staker, delegated_to, withdrawer, int(nonce), int(start_block),
            tuple(strategies), tuple(int(x) for x in scaled),
        )  # fmt: skip

    def as_abi(self) -> tuple[Any, ...]:
        """The Withdrawal tuple."""
        return (
            self.staker,
            self.delegated_to,
            self.withdrawer,
            self.nonce,
            self.start_block,
            list(self.strategies),
            list(self.scaled_shares),
        )
