"""Decoded logs (avs.chain.logscan) -> stakers' records; which events of which contracts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from avs.chain.compiled import load_artifact
from avs.chain.events import FAULTS
from avs.chain.logscan import DecodedLog
from avs.crypto.keccak import keccak256
from avs.stakers.records import (
    CertificateOverturned,
    DelegationChanged,
    EventRef,
    FeesClaimed,
    ModelRegistered,
    OperatorEjected,
    OperatorMetadataUpdated,
    OperatorSlashed,
    PubkeyRegistered,
    QuorumCreated,
    QuorumsChanged,
    Record,
    StakeUpdated,
    TaskCertified,
    TaskCreated,
    TaskRefunded,
)

Converter = Callable[[EventRef, Mapping[str, Any]], Record]


def _quorums(value: Any) -> tuple[int, ...]:
    return tuple(bytes(value))


def _task_created(at: EventRef, v: Mapping[str, Any]) -> Record:
    # Task tuple order: taskIndex, modelId, inputsRoot, inputCount, inputsURI, quorumNumbers,
    # thresholdBps, createdBlock, deadlineBlock, fee, client (ITaskManagerTypes.Task)
    task = v["task"]
    return TaskCreated(
        at=at,
        task_index=int(task[0]),
        model_id=bytes(task[1]),
        quorums=_quorums(task[5]),
        created_block=int(task[7]),
        deadline_block=int(task[8]),
        fee=int(task[9]),
    )


def _task_certified(at: EventRef, v: Mapping[str, Any]) -> Record:
    return TaskCertified(
        at=at,
        task_index=int(v["taskIndex"]),
        result_hash=bytes(v["resultHash"]),
        reference_block=int(v["referenceBlock"]),
        non_signer_ids=tuple(bytes(i) for i in v["nonSignerIds"]),
        signed_stake=tuple(int(s) for s in v["signedStake"]),
        total_stake=tuple(int(s) for s in v["totalStake"]),
    )


def _operator_id(pubkey_g1: Any) -> bytes:
    """keccak256(x || y) of the event's G1 key (the event carries the key, not the id)."""
    x, y = pubkey_g1
    return keccak256(int(x).to_bytes(32, "big") + int(y).to_bytes(32, "big"))


def _slashed(at: EventRef, v: Mapping[str, Any]) -> Record:
    return OperatorSlashed(
        at=at,
        task_index=int(v["taskIndex"]),
        operator=str(v["operator"]),
        operator_id=bytes(v["operatorId"]),
        fault=FAULTS.get(int(v["fault"]), str(v["fault"])),
        wad=int(v["wadSlashed"]),
        quorums=_quorums(v["quorumNumbers"]),
        shares_slashed=int(v["sharesSlashed"]),
        challenger=str(v["challenger"]),
    )


CONVERTERS: Mapping[tuple[str, str], Converter] = {
    ("OperatorRegistry", "QuorumCreated"): lambda at, v: QuorumCreated(
        at, int(v["quorumNumber"]), str(v["strategy"]), int(v["minimumStake"])
    ),
    ("OperatorRegistry", "NewPubkeyRegistration"): lambda at, v: PubkeyRegistered(
        at, str(v["operator"]), _operator_id(v["pubkeyG1"])
    ),
    ("OperatorRegistry", "OperatorAddedToQuorums"): lambda at, v: QuorumsChanged(
        at, str(v["operator"]), bytes(v["operatorId"]), _quorums(v["quorumNumbers"]), True
    ),
    ("OperatorRegistry", "OperatorRemovedFromQuorums"): lambda at, v: QuorumsChanged(
        at, str(v["operator"]), bytes(v["operatorId"]), _quorums(v["quorumNumbers"]), False
    ),
    ("OperatorRegistry", "OperatorEjected"): lambda at, v: OperatorEjected(
        at, str(v["operator"]), _quorums(v["quorumNumbers"])
    ),
    ("OperatorRegistry", "OperatorStakeUpdate"): lambda at, v: StakeUpdated(
        at, bytes(v["operatorId"]), int(v["quorumNumber"]), int(v["stake"])
    ),
    ("ModelRegistry", "ModelRegistered"): lambda at, v: ModelRegistered(
        at, bytes(v["modelId"]), str(v["taskType"]), bool(v["exact"])
    ),
    ("TaskManager", "TaskCreated"): _task_created,
    ("TaskManager", "TaskCertified"): _task_certified,
    ("TaskManager", "TaskRefunded"): lambda at, v: TaskRefunded(
        at, int(v["taskIndex"]), int(v["fee"])
    ),
    ("TaskManager", "CertificateOverturned"): lambda at, v: CertificateOverturned(
        at, int(v["taskIndex"]), str(v["challenger"])
    ),
    ("TaskManager", "FeesClaimed"): lambda at, v: FeesClaimed(
        at, int(v["taskIndex"]), bytes(v["operatorId"]), int(v["amount"])
    ),
    ("SlashingManager", "OperatorSlashed"): _slashed,
    ("DelegationManager", "StakerDelegated"): lambda at, v: DelegationChanged(
        at, str(v["staker"]), str(v["operator"]), True
    ),
    ("DelegationManager", "StakerUndelegated"): lambda at, v: DelegationChanged(
        at, str(v["staker"]), str(v["operator"]), False
    ),
}
"""(contract, event) -> record builder: every event the stakers' view reads."""


def _metadata_event(event: str) -> bool:
    """Whether the compiled DelegationManager emits ``event`` with a metadataURI string."""
    abi_event = load_artifact("DelegationManager").abi.events.get(event)
    return abi_event is not None and "metadataURI" in abi_event.names


def _metadata(at: EventRef, v: Mapping[str, Any]) -> Record:
    return OperatorMetadataUpdated(at, str(v["operator"]), str(v["metadataURI"]))


# The operator's metadata URI: EigenLayer's OperatorMetadataURIUpdated, or (older cores)
# the URI given to registerAsOperator in OperatorRegistered. Read only where the compiled
# core emits it, so the view works with either.
for _event in ("OperatorMetadataURIUpdated", "OperatorRegistered"):
    if _metadata_event(_event):
        CONVERTERS = {**CONVERTERS, ("DelegationManager", _event): _metadata}


def watched_events() -> dict[str, tuple[str, ...]]:
    """Contract name -> event names to scan."""
    out: dict[str, list[str]] = {}
    for contract, event in CONVERTERS:
        out.setdefault(contract, []).append(event)
    return {name: tuple(events) for name, events in out.items()}


def to_record(log: DecodedLog) -> Record:
    """The record of one decoded log (the log must be one of :data:`CONVERTERS`)."""
    at = EventRef(log.block_number, log.log_index, log.tx_hash)
    return CONVERTERS[(log.contract, log.event)](at, log.args)
