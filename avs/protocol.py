"""Protocol values and THE digest encodings shared by Python and Solidity.

Every signature in the system is over ``message_hash(task_hash(chain_id, task_manager,
task), result_bytes)``; :func:`task_hash` binds it to one chain, one TaskManager and one
task. The Solidity side (``ITaskManager.Task``, ``TaskManager.taskHash``/``messageHash``)
computes the same bytes; integration tests compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address

from avs.crypto.bn254 import g1_to_bytes, g1_to_evm, g2_to_evm
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, G2Point
from avs.errors import InputError

TASK_ABI_TYPE = "(uint32,bytes32,bytes32,uint32,string,bytes,uint16,uint32,uint32,uint96,address)"
"""ABI type of ``ITaskManager.Task``; field order is the struct's, never change it."""
MAX_BPS = 10_000
ABSTAIN = 0xFF
"""Result byte of an input the operator declined to label (onnx-classify margin rule)."""


@dataclass(frozen=True, slots=True)
class Task:
    """An inference task: one model, a batch of inputs, quorums and a deadline."""

    task_index: int
    """uint32 index assigned by ``createTask``."""
    model_id: bytes
    """bytes32 ModelRegistry key."""
    inputs_root: bytes
    """bytes32 Merkle root over keccak256 of each input (:func:`inputs_root`)."""
    input_count: int
    """uint32 number of inputs N in the batch."""
    inputs_uri: str
    """Where the input blob is fetched (file://, http(s)://, avs-blob://0x<keccak256>)."""
    quorum_numbers: bytes
    """One byte per quorum (= operator set id)."""
    threshold_bps: int
    """uint16 share of each quorum's stake that must sign, in basis points."""
    created_block: int
    """uint32 block of creation; also the reference block for stakes."""
    deadline_block: int
    """uint32 last block at which a certificate is accepted."""
    fee: int
    """uint96 fee escrowed in wei, paid pro rata to signers."""
    client: str
    """Address that created (and paid for) the task."""

    def __post_init__(self) -> None:
        for name, size in (("model_id", 32), ("inputs_root", 32)):
            if len(getattr(self, name)) != size:
                raise InputError(f"task {name} must be {size} bytes")
        if not 0 <= self.threshold_bps <= MAX_BPS:
            raise InputError(f"threshold_bps must be in [0, {MAX_BPS}], got {self.threshold_bps}")
        if self.input_count < 1:
            raise InputError("a task carries at least one input")
        # One spelling of the address, whichever source (ABI decode, proto, JSON) built it,
        # so tasks compare equal across sources.
        try:
            object.__setattr__(self, "client", to_checksum_address(self.client))
        except ValueError as exc:
            raise InputError(f"task client {self.client!r} is not an address") from exc

    def as_abi(self) -> tuple[Any, ...]:
        """The struct as the tuple eth-abi encodes."""
        return (
            self.task_index,
            self.model_id,
            self.inputs_root,
            self.input_count,
            self.inputs_uri,
            self.quorum_numbers,
            self.threshold_bps,
            self.created_block,
            self.deadline_block,
            self.fee,
            self.client,
        )

    @classmethod
    def from_abi(cls, values: Sequence[Any]) -> Task:
        """Build a Task from the decoded struct tuple (e.g. an event or call result)."""
        (index, model, root, count, uri, quorums, bps, created, deadline, fee, client) = values
        return cls(
            task_index=int(index),
            model_id=bytes(model),
            inputs_root=bytes(root),
            input_count=int(count),
            inputs_uri=str(uri),
            quorum_numbers=bytes(quorums),
            threshold_bps=int(bps),
            created_block=int(created),
            deadline_block=int(deadline),
            fee=int(fee),
            client=str(client),
        )

    @property
    def quorums(self) -> tuple[int, ...]:
        """Quorum numbers as integers."""
        return tuple(self.quorum_numbers)


def encode_task(task: Task) -> bytes:
    """``abi.encode(task)``: the canonical bytes of a task (also used to persist it)."""
    return abi_encode([TASK_ABI_TYPE], [task.as_abi()])


def decode_task(data: bytes) -> Task:
    """Inverse of :func:`encode_task`."""
    try:
        (values,) = abi_decode([TASK_ABI_TYPE], data)
    except Exception as exc:
        raise InputError(f"bytes are not an ABI-encoded Task: {exc}") from exc
    return Task.from_abi(values)


def task_hash(chain_id: int, task_manager: str, task: Task) -> bytes:
    """keccak256(abi.encode(chainId, taskManager, task))."""
    return keccak256(
        abi_encode(["uint256", "address", TASK_ABI_TYPE], [chain_id, task_manager, task.as_abi()])
    )


def result_digest(result_bytes: bytes) -> bytes:
    """keccak256 of the canonical result bytes."""
    return keccak256(result_bytes)


def message_hash(task_hash_: bytes, result_bytes: bytes) -> bytes:
    """keccak256(abi.encode(taskHash, keccak256(resultBytes))): what operators sign."""
    return message_hash_from_digest(task_hash_, result_digest(result_bytes))


def message_hash_from_digest(task_hash_: bytes, digest: bytes) -> bytes:
    """keccak256(abi.encode(taskHash, resultDigest))."""
    if len(task_hash_) != 32 or len(digest) != 32:
        raise InputError("task hash and result digest must be 32 bytes each")
    return keccak256(task_hash_ + digest)


def inputs_root(leaves: Sequence[bytes]) -> bytes:
    """Binary keccak Merkle root over keccak256(leaf_i); an odd node is carried up unchanged.

    One leaf: the root is keccak256(leaf). Interior nodes are keccak256(left || right).
    """
    if not leaves:
        raise InputError("a task needs at least one input")
    level = [keccak256(leaf) for leaf in leaves]
    while len(level) > 1:
        nxt = [keccak256(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Sibling hashes from leaf ``index`` up to the root (skipping carried-up levels)."""
    if not 0 <= index < len(leaves):
        raise InputError(f"leaf index {index} out of range for {len(leaves)} leaves")
    level = [keccak256(leaf) for leaf in leaves]
    proof: list[bytes] = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        nxt = [keccak256(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level, index = nxt, index // 2
    return proof


# --------------------------------------------------------------------------- certificates

REFUNDED_OUTCOME = (1).to_bytes(32, "big")
"""Outcome word of a refunded task in TaskManager's record (``TaskHashing.REFUNDED``)."""
OVERTURNED_OUTCOME = (2).to_bytes(32, "big")
"""Outcome word of an overturned task (``TaskHashing.OVERTURNED``)."""


@dataclass(frozen=True, slots=True)
class TaskResponse:
    """One operator's signed result for a task."""

    task_index: int
    """Index of the task."""
    result_bytes: bytes
    """Canonical result bytes of the task type."""
    signature: G1Point
    """BLS signature on :func:`message_hash` of the task and result."""
    operator_id: bytes
    """32-byte id of the signer."""


@dataclass(frozen=True, slots=True)
class CertificateHints:
    """History indices ``checkSignatures`` reads at the reference block (one SLOAD each)."""

    non_signer_quorum_bitmap_indices: tuple[int, ...]
    """Per non-signer: index in its quorum-bitmap history."""
    quorum_apk_indices: tuple[int, ...]
    """Per quorum: index in its aggregate-key history."""
    total_stake_indices: tuple[int, ...]
    """Per quorum: index in its total-stake history."""
    non_signer_stake_indices: tuple[tuple[int, ...], ...]
    """Per quorum, per non-signer in that quorum (in non-signer order): stake history index."""


@dataclass(frozen=True, slots=True)
class QuorumCertificate:
    """A quorum certificate for one result of one task (ABI ``NonSignerStakesAndSignature``)."""

    task_index: int
    """The task certified."""
    result_digest: bytes
    """keccak256 of the certified canonical result bytes."""
    non_signer_pubkeys: tuple[G1Point, ...]
    """G1 keys of the non-signers, strictly ascending by operator id."""
    quorum_apks: tuple[G1Point, ...]
    """Per task quorum: its aggregate G1 key at the reference block."""
    apk_g2: G2Point
    """Sum of the signers' G2 keys, once per task quorum each signer belongs to."""
    sigma: G1Point
    """Sum of the signers' signatures, once per task quorum each signer belongs to."""
    hints: CertificateHints
    """History indices for the contract."""

    @property
    def non_signer_ids(self) -> tuple[bytes, ...]:
        """Operator ids of the non-signers (ascending)."""
        return tuple(keccak256(g1_to_bytes(pk)) for pk in self.non_signer_pubkeys)

    def as_abi(self) -> tuple[Any, ...]:
        """The ``NonSignerStakesAndSignature`` tuple eth-abi encodes."""
        h = self.hints
        return (
            list(h.non_signer_quorum_bitmap_indices),
            [g1_to_evm(p) for p in self.non_signer_pubkeys],
            [g1_to_evm(p) for p in self.quorum_apks],
            g2_to_evm(self.apk_g2),
            g1_to_evm(self.sigma),
            list(h.quorum_apk_indices),
            list(h.total_stake_indices),
            [list(ix) for ix in h.non_signer_stake_indices],
        )


def signatory_record_hash(reference_block: int, non_signer_ids: Sequence[bytes]) -> bytes:
    """keccak256(abi.encodePacked(uint32 referenceBlock, bytes32[] nonSignerIds))."""
    return keccak256(reference_block.to_bytes(4, "big") + b"".join(non_signer_ids))


def certification_hash(
    result_digest: bytes, signatory_record: bytes, signed_stake: Sequence[int]
) -> bytes:
    """keccak256(abi.encode(resultHash, signatoryRecordHash, uint96[] signedStake))."""
    return keccak256(
        abi_encode(
            ["bytes32", "bytes32", "uint96[]"],
            [result_digest, signatory_record, list(signed_stake)],
        )
    )


def fee_share(fee: int, stakes: Sequence[int], signed_stake: Sequence[int]) -> int:
    """An operator's fee share of a certified task, exactly as ``TaskManager.claimFees``.

    Each of the n quorums gets fee // n (the last one also the remainder), split pro rata
    to the operator's stake in it at the reference block over the quorum's signed stake.
    """
    n = len(signed_stake)
    per_quorum = fee // n
    amount = 0
    for i, (stake, signed) in enumerate(zip(stakes, signed_stake, strict=True)):
        if stake:
            quorum_fee = fee - per_quorum * (n - 1) if i == n - 1 else per_quorum
            amount += quorum_fee * stake // signed
    return amount
