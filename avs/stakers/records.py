"""The chain events the stakers' view is computed from, as typed frozen records.

One record class per event the view needs, with the event's position (:class:`EventRef`) so
records sort in chain order and the slashing history can name its transaction. Records
round-trip through :mod:`avs.stakers.codec` for the SQLite cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True, order=True)
class EventRef:
    """Where an event sits in the chain."""

    block: int
    """Block number."""
    log_index: int
    """Position of the log in its block."""
    tx_hash: bytes
    """Transaction that emitted it."""


@dataclass(frozen=True, slots=True)
class QuorumCreated:
    """OperatorRegistry.QuorumCreated: a quorum (= operator set) and its strategy."""

    KIND: ClassVar[str] = "quorum_created"
    at: EventRef
    """Position."""
    quorum: int
    """Quorum number."""
    strategy: str
    """Strategy its stake is measured in."""
    minimum_stake: int
    """Minimum stake to join."""


@dataclass(frozen=True, slots=True)
class PubkeyRegistered:
    """OperatorRegistry.NewPubkeyRegistration: an operator's id, once and forever."""

    KIND: ClassVar[str] = "pubkey_registered"
    at: EventRef
    """Position."""
    operator: str
    """Operator address."""
    operator_id: bytes
    """keccak256 of its G1 key."""


@dataclass(frozen=True, slots=True)
class QuorumsChanged:
    """OperatorRegistry.OperatorAddedToQuorums (joined=True) or OperatorRemovedFromQuorums."""

    KIND: ClassVar[str] = "quorums_changed"
    at: EventRef
    """Position."""
    operator: str
    """Operator address."""
    operator_id: bytes
    """Operator id."""
    quorums: tuple[int, ...]
    """Quorums joined or left."""
    joined: bool
    """True for a registration, False for a deregistration."""


@dataclass(frozen=True, slots=True)
class OperatorEjected:
    """OperatorRegistry.OperatorEjected: the ejector removed the operator from quorums."""

    KIND: ClassVar[str] = "operator_ejected"
    at: EventRef
    """Position."""
    operator: str
    """Operator address."""
    quorums: tuple[int, ...]
    """Quorums it was ejected from."""


@dataclass(frozen=True, slots=True)
class StakeUpdated:
    """OperatorRegistry.OperatorStakeUpdate: the stake recorded for a certificate check."""

    KIND: ClassVar[str] = "stake_updated"
    at: EventRef
    """Position."""
    operator_id: bytes
    """Operator id."""
    quorum: int
    """Quorum number."""
    stake: int
    """New stake (0 on leaving the quorum)."""


@dataclass(frozen=True, slots=True)
class ModelRegistered:
    """ModelRegistry.ModelRegistered: whether wrong results on the model's tasks are provable."""

    KIND: ClassVar[str] = "model_registered"
    at: EventRef
    """Position."""
    model_id: bytes
    """Model registry key."""
    task_type: str
    """Task type id."""
    exact: bool
    """Exact task type (wrong results provable by on-chain re-execution)."""


@dataclass(frozen=True, slots=True)
class TaskCreated:
    """TaskManager.TaskCreated (the fields the view uses)."""

    KIND: ClassVar[str] = "task_created"
    at: EventRef
    """Position."""
    task_index: int
    """Task index."""
    model_id: bytes
    """Model."""
    quorums: tuple[int, ...]
    """Quorum numbers."""
    created_block: int
    """Creation block = the certificate's reference block."""
    deadline_block: int
    """Last block a certificate is accepted in."""
    fee: int
    """Escrowed fee (wei)."""


@dataclass(frozen=True, slots=True)
class TaskCertified:
    """TaskManager.TaskCertified: who did not sign, and the stakes that did."""

    KIND: ClassVar[str] = "task_certified"
    at: EventRef
    """Position (at.block is the certification block)."""
    task_index: int
    """Task index."""
    result_hash: bytes
    """keccak256 of the certified result bytes (the bytes are not on chain)."""
    reference_block: int
    """Reference block of the operator set."""
    non_signer_ids: tuple[bytes, ...]
    """Operators of the task's quorums that did not sign, ascending."""
    signed_stake: tuple[int, ...]
    """Signed stake per task quorum."""
    total_stake: tuple[int, ...]
    """Total stake per task quorum."""


@dataclass(frozen=True, slots=True)
class TaskRefunded:
    """TaskManager.TaskRefunded: an expired task's fee went back to its client."""

    KIND: ClassVar[str] = "task_refunded"
    at: EventRef
    """Position."""
    task_index: int
    """Task index."""
    fee: int
    """Wei refunded."""


@dataclass(frozen=True, slots=True)
class CertificateOverturned:
    """TaskManager.CertificateOverturned: re-execution proved the certificate wrong."""

    KIND: ClassVar[str] = "certificate_overturned"
    at: EventRef
    """Position."""
    task_index: int
    """Task index."""
    challenger: str
    """Who proved it."""


@dataclass(frozen=True, slots=True)
class FeesClaimed:
    """TaskManager.FeesClaimed: one operator claimed its share of one task's fee."""

    KIND: ClassVar[str] = "fees_claimed"
    at: EventRef
    """Position."""
    task_index: int
    """Task index."""
    operator_id: bytes
    """Claimer's id."""
    amount: int
    """Wei paid."""


@dataclass(frozen=True, slots=True)
class OperatorSlashed:
    """SlashingManager.OperatorSlashed: a proven fault and what it cost."""

    KIND: ClassVar[str] = "operator_slashed"
    at: EventRef
    """Position (at.tx_hash is the slashing transaction)."""
    task_index: int
    """Task the fault concerns."""
    operator: str
    """Operator address."""
    operator_id: bytes
    """Operator id."""
    fault: str
    """"equivocation", "wrong_result" or "wrong_certificate"."""
    wad: int
    """Fraction slashed per quorum (1e18 = 100%)."""
    quorums: tuple[int, ...]
    """Quorums it was slashed in."""
    shares_slashed: int
    """Delegated shares removed in total."""
    challenger: str
    """Who submitted the evidence."""


@dataclass(frozen=True, slots=True)
class DelegationChanged:
    """DelegationManager.StakerDelegated (delegated=True) or StakerUndelegated."""

    KIND: ClassVar[str] = "delegation_changed"
    at: EventRef
    """Position."""
    staker: str
    """Staker address."""
    operator: str
    """Operator address."""
    delegated: bool
    """True when the staker delegated to the operator, False when it left."""


@dataclass(frozen=True, slots=True)
class OperatorMetadataUpdated:
    """DelegationManager.OperatorMetadataURIUpdated: the operator's metadata URI."""

    KIND: ClassVar[str] = "operator_metadata"
    at: EventRef
    """Position."""
    operator: str
    """Operator address."""
    uri: str
    """Metadata URI (attacker-written: see avs.stakers.metadata)."""


Record = (
    QuorumCreated
    | PubkeyRegistered
    | QuorumsChanged
    | OperatorEjected
    | StakeUpdated
    | ModelRegistered
    | TaskCreated
    | TaskCertified
    | TaskRefunded
    | CertificateOverturned
    | FeesClaimed
    | OperatorSlashed
    | DelegationChanged
    | OperatorMetadataUpdated
)
"""Any record."""

RECORD_TYPES: tuple[type[Record], ...] = (
    QuorumCreated,
    PubkeyRegistered,
    QuorumsChanged,
    OperatorEjected,
    StakeUpdated,
    ModelRegistered,
    TaskCreated,
    TaskCertified,
    TaskRefunded,
    CertificateOverturned,
    FeesClaimed,
    OperatorSlashed,
    DelegationChanged,
    OperatorMetadataUpdated,
)
