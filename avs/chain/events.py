"""Contract events as frozen dataclasses (what indexers, operators and aggregators consume)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from avs.chain.client import Contract
from avs.chain.types import Log
from avs.chain.views import CertifiedTask
from avs.crypto.bls import operator_id
from avs.crypto.bn254 import g1_from_evm
from avs.crypto.points import G1Point, G2Point
from avs.logging import get_logger
from avs.protocol import Task

FAULT_EQUIVOCATION = 1
"""ISlashingManagerTypes.Fault of two signatures on different results of one task."""
FAULT_WRONG_RESULT = 2
"""ISlashingManagerTypes.Fault of a signature on a result that on-chain re-execution refutes."""
FAULT_WRONG_CERTIFICATE = 3
"""ISlashingManagerTypes.Fault of signing a certificate that was overturned."""
FAULTS = {
    FAULT_EQUIVOCATION: "equivocation",
    FAULT_WRONG_RESULT: "wrong_result",
    FAULT_WRONG_CERTIFICATE: "wrong_certificate",
}


@dataclass(frozen=True, slots=True)
class TaskCreated:
    """A task was created and its fee escrowed."""

    task: Task
    """The full task."""
    task_hash: bytes
    """Its hash."""
    block_number: int
    """Block of creation."""
    tx_hash: bytes
    """Creating transaction."""


@dataclass(frozen=True, slots=True)
class TaskRefunded:
    """An expired task's fee went back to its client."""

    task_index: int
    """Task refunded."""
    client: str
    """Refund recipient."""
    fee: int
    """Wei refunded."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class FeesClaimed:
    """An operator claimed its share of one task's fee."""

    task_index: int
    """Task."""
    operator_id: bytes
    """Claimer's id."""
    operator: str
    """Claimer's address (paid)."""
    amount: int
    """Wei."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class OperatorSlashed:
    """An operator was slashed for a proven fault."""

    task_index: int
    """Task the fault concerns."""
    operator: str
    """Operator address."""
    operator_id: bytes
    """Operator id."""
    fault: str
    """"equivocation", "wrong_result" or "wrong_certificate"."""
    wad_slashed: int
    """Fraction of its allocation slashed per quorum (1e18 = 100%)."""
    quorum_numbers: bytes
    """Quorums slashed in."""
    shares_slashed: int
    """Delegated shares removed in total."""
    challenger: str
    """Who submitted the evidence."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class CertificateOverturned:
    """On-chain re-execution proved a certificate wrong; the client was refunded."""

    task_index: int
    """Task whose certificate was overturned."""
    challenger: str
    """Who proved it (rewarded)."""
    client: str
    """Refunded client."""
    refund: int
    """Wei credited back to the client."""
    reward: int
    """Wei credited to the challenger."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class PubkeyRegistered:
    """An operator registered its BLS key (once, forever)."""

    operator: str
    """Operator address."""
    operator_id: bytes
    """keccak256(pk1)."""
    pubkey_g1: G1Point
    """G1 key."""
    pubkey_g2: G2Point
    """G2 key."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class OperatorQuorumsChanged:
    """An operator joined (registered=True) or left quorums."""

    operator: str
    """Operator address."""
    operator_id: bytes
    """Operator id."""
    quorum_numbers: bytes
    """Quorums joined or left."""
    registered: bool
    """True for joining."""
    block_number: int
    """Block."""


@dataclass(frozen=True, slots=True)
class StakeUpdated:
    """The recorded stake of an operator in a quorum changed."""

    operator_id: bytes
    """Operator id."""
    quorum_number: int
    """Quorum."""
    stake: int
    """New stake."""
    block_number: int
    """Block."""


ChainEvent = (
    TaskCreated
    | CertifiedTask
    | TaskRefunded
    | FeesClaimed
    | OperatorSlashed
    | CertificateOverturned
    | PubkeyRegistered
    | OperatorQuorumsChanged
    | StakeUpdated
)


def _task_created(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return TaskCreated(Task.from_abi(v["task"]), v["taskHash"], log.block_number, log.tx_hash)


def _task_certified(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return CertifiedTask(
        task_index=v["taskIndex"],
        result_digest=v["resultHash"],
        signatory_record_hash=v["signatoryRecordHash"],
        reference_block=v["referenceBlock"],
        non_signer_ids=tuple(v["nonSignerIds"]),
        signed_stake=tuple(v["signedStake"]),
        total_stake=tuple(v["totalStake"]),
        submitter=v["submitter"],
        block_number=log.block_number,
        tx_hash=log.tx_hash,
    )


def _refunded(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return TaskRefunded(v["taskIndex"], v["client"], v["fee"], log.block_number)


def _claimed(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return FeesClaimed(
        v["taskIndex"], v["operatorId"], v["operator"], v["amount"], log.block_number
    )


def _slashed(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return OperatorSlashed(
        task_index=v["taskIndex"],
        operator=v["operator"],
        operator_id=v["operatorId"],
        fault=FAULTS.get(v["fault"], str(v["fault"])),
        wad_slashed=v["wadSlashed"],
        quorum_numbers=v["quorumNumbers"],
        shares_slashed=v["sharesSlashed"],
        challenger=v["challenger"],
        block_number=log.block_number,
    )


def _overturned(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return CertificateOverturned(
        v["taskIndex"], v["challenger"], v["client"], v["refund"], v["reward"], log.block_number
    )


def _pubkey(v: Mapping[str, Any], log: Log) -> ChainEvent:
    # The registry accepted the key through the pairing precompile, which already checked
    # curve and subgroup; only the cheap on-curve check runs again here.
    (xi, xr), (yi, yr) = v["pubkeyG2"]
    pubkey_g1 = g1_from_evm(v["pubkeyG1"])
    return PubkeyRegistered(
        v["operator"],
        operator_id(pubkey_g1),
        pubkey_g1,
        G2Point((xr, xi), (yr, yi)),
        log.block_number,
    )


def _registered(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return OperatorQuorumsChanged(
        v["operator"], v["operatorId"], v["quorumNumbers"], True, log.block_number
    )


def _deregistered(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return OperatorQuorumsChanged(
        v["operator"], v["operatorId"], v["quorumNumbers"], False, log.block_number
    )


def _stake(v: Mapping[str, Any], log: Log) -> ChainEvent:
    return StakeUpdated(v["operatorId"], v["quorumNumber"], v["stake"], log.block_number)


Decoder = Callable[[Mapping[str, Any], Log], ChainEvent]

DECODERS: Mapping[tuple[str, str], Decoder] = {
    ("TaskManager", "TaskCreated"): _task_created,
    ("TaskManager", "TaskCertified"): _task_certified,
    ("TaskManager", "TaskRefunded"): _refunded,
    ("TaskManager", "FeesClaimed"): _claimed,
    ("TaskManager", "CertificateOverturned"): _overturned,
    ("SlashingManager", "OperatorSlashed"): _slashed,
    ("OperatorRegistry", "NewPubkeyRegistration"): _pubkey,
    ("OperatorRegistry", "OperatorAddedToQuorums"): _registered,
    ("OperatorRegistry", "OperatorRemovedFromQuorums"): _deregistered,
    ("OperatorRegistry", "OperatorStakeUpdate"): _stake,
}
"""(contract, event) -> decoder, for every event the subscriber follows."""


@dataclass(frozen=True, slots=True)
class MalformedLog:
    """A log of a followed event that does not decode (anyone can emit odd bytes)."""

    contract: str
    """Contract name."""
    event: str
    """Event name."""
    block_number: int
    """Block of the log."""
    tx_hash: bytes
    """Transaction that emitted it."""
    log_index: int
    """Position in the block."""
    reason: str
    """Why decoding failed."""


MalformedHandler = Callable[[MalformedLog], None]
"""Called once per skipped log (followers count them in ``avs_events_malformed_total``)."""


def decode_events(
    contracts: Mapping[str, Contract],
    logs: list[Log],
    on_malformed: MalformedHandler | None = None,
) -> list[ChainEvent]:
    """Decode the logs that match a known (contract, event), in chain order.

    Each log is decoded on its own: one that does not decode (say a task whose
    ``inputsURI`` is not UTF-8) is skipped with a warning and reported to
    ``on_malformed``, so it can never stop a follower from reading the logs after it.
    """
    table: dict[tuple[str, bytes], tuple[Contract, str, Decoder]] = {}
    for (name, event), decoder in DECODERS.items():
        contract = contracts[name]
        table[(contract.address, contract.abi.event(event).topic0)] = (contract, event, decoder)
    out: list[ChainEvent] = []
    for log in sorted(logs, key=lambda entry: (entry.block_number, entry.log_index)):
        if not log.topics:
            continue
        hit = table.get((log.address, log.topics[0]))
        if hit is None:
            continue
        contract, event, decoder = hit
        try:
            out.append(decoder(contract.abi.event(event).decode(log.topics, log.data), log))
        except Exception as exc:  # hostile bytes may break any decoder step
            _report_malformed(
                MalformedLog(
                    contract.name,
                    event,
                    log.block_number,
                    log.tx_hash,
                    log.log_index,
                    f"{type(exc).__name__}: {exc}"[:300],
                ),
                on_malformed,
            )
    return out


def _report_malformed(bad: MalformedLog, on_malformed: MalformedHandler | None) -> None:
    get_logger(component="chain").warning(
        "event_malformed",
        contract=bad.contract,
        event_name=bad.event,
        block=bad.block_number,
        tx=f"0x{bad.tx_hash.hex()}",
        log_index=bad.log_index,
        reason=bad.reason,
    )
    if on_malformed is not None:
        on_malformed(bad)
