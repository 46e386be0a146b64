"""Typed read access to a deployment: tasks, operators, stakes, certificate hints, models."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from avs.chain.certificate import assemble_certificate, non_signers
from avs.chain.client import ChainClient
from avs.chain.delivery import DeliveryRecord
from avs.chain.deployment import Deployment
from avs.chain.events import PubkeyRegistered, TaskCreated, decode_events
from avs.chain.handles import DeploymentHandles
from avs.chain.subscriber import MAX_BLOCK_RANGE
from avs.chain.types import Log
from avs.chain.views import (
    CertifiedTask,
    ModelInfo,
    OperatorSetState,
    RegisteredOperator,
    TaskStatus,
)
from avs.crypto.bn254 import g1_from_evm
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, G2Point
from avs.errors import ChainError
from avs.protocol import (
    OVERTURNED_OUTCOME,
    REFUNDED_OUTCOME,
    CertificateHints,
    QuorumCertificate,
    Task,
    task_hash,
)

ZERO32 = bytes(32)


class ChainReader(DeploymentHandles):
    """Reads a deployment through one client; caches G2 keys learned from events."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        super().__init__(client, deployment)
        d = deployment
        self._g2: dict[bytes, G2Point] = {}
        self._g2_scanned = d.block - 1
        self._g2_lock = threading.Lock()

    # ------------------------------------------------------------------ tasks

    def task_hash(self, task: Task) -> bytes:
        """The task's hash as this deployment computes it (pure; no RPC)."""
        return task_hash(self.deployment.chain_id, self.tasks.address, task)

    def task_record(self, task_index: int) -> bytes:
        """TaskManager.taskRecord(taskIndex)."""
        return bytes(self.client.call1(self.tasks, "taskRecord", task_index))

    def task_status(self, task: Task) -> TaskStatus:
        """Pending, certified, refunded, overturned, or unknown (also when fields differ)."""
        record = self.task_record(task.task_index)
        th = self.task_hash(task)
        if record == ZERO32:
            return TaskStatus.UNKNOWN
        if record == th:
            return TaskStatus.PENDING
        if record == keccak256(th + REFUNDED_OUTCOME):
            return TaskStatus.REFUNDED
        if record == keccak256(th + OVERTURNED_OUTCOME):
            return TaskStatus.OVERTURNED
        certified = self.certification(task.task_index, task)
        if certified is not None and record == keccak256(th + certified.certification_hash):
            return TaskStatus.CERTIFIED
        return TaskStatus.UNKNOWN

    def is_certified(self, task: Task) -> bool:
        """Whether a certificate for ``task`` was accepted."""
        return self.task_status(task) is TaskStatus.CERTIFIED

    def next_task_index(self) -> int:
        """Index the next task will get."""
        return int(self.client.call1(self.tasks, "nextTaskIndex"))

    def _indexed_logs(self, event: str, task_index: int, lo: int, hi: int) -> list[Log]:
        """TaskManager ``event`` logs for ``task_index`` in [lo, hi], in RPC-friendly chunks."""
        topic0 = self.tasks.abi.event(event).topic0
        logs: list[Log] = []
        while lo <= hi:
            end = min(hi, lo + MAX_BLOCK_RANGE - 1)
            logs += self.client.get_logs(
                [self.tasks.address], [topic0], lo, end, topic1=task_index.to_bytes(32, "big")
            )
            lo = end + 1
        return logs

    def created_task(self, task_index: int) -> Task | None:
        """The task with ``task_index`` from its TaskCreated event (None if not found)."""
        logs = self._indexed_logs(
            "TaskCreated", task_index, self.deployment.block, self.client.block_number()
        )
        for event in decode_events(self.event_contracts, logs):
            if isinstance(event, TaskCreated):
                return event.task
        return None

    def certification(self, task_index: int, task: Task | None = None) -> CertifiedTask | None:
        """The TaskCertified event of ``task_index`` (None if not certified). With ``task``,
        only its [created, deadline] blocks are searched (certificates land there)."""
        lo = task.created_block if task else self.deployment.block
        head = self.client.block_number()
        hi = min(task.deadline_block, head) if task else head
        logs = self._indexed_logs("TaskCertified", task_index, lo, hi)
        for event in decode_events(self.event_contracts, logs):
            if isinstance(event, CertifiedTask):
                return event
        return None

    def delivery(self, task_index: int, block: int | str | None = None) -> DeliveryRecord:
        """The task's delivery to a consumer contract (state NONE: it has no consumer); at
        ``block`` ("pending": with the transactions waiting in the mempool), else the latest."""
        return DeliveryRecord.from_abi(
            self.client.call1(self.tasks, "deliveryOf", task_index, block=block)
        )

    def published_result(self, task_index: int, task: Task | None = None) -> bytes | None:
        """The certified result bytes of a task with a consumer, from its ResultPublished
        event (checked against the stored hash), or None before certification."""
        lo = task.created_block if task else self.deployment.block
        head = self.client.block_number()
        hi = min(task.deadline_block, head) if task else head
        logs = self._indexed_logs("ResultPublished", task_index, lo, hi)
        stored = bytes(self.client.call1(self.tasks, "deliveryResultHash", task_index))
        for value in self.tasks.decode_logs(logs, "ResultPublished"):
            result = bytes(value["result"])
            if keccak256(result) == stored:
                return result
        return None

    def fee_claimed(self, operator_id: bytes, task_index: int) -> bool:
        """Whether the operator claimed its fee share of the task."""
        return bool(self.client.call1(self.tasks, "isFeeClaimed", operator_id, task_index))

    # ------------------------------------------------------------------ operators

    def operator_id(self, operator: str) -> bytes:
        """operatorId of ``operator`` (32 zero bytes if it has no key)."""
        return bytes(self.client.call1(self.registry, "getOperatorId", operator))

    def pubkey_g1(self, operator: str) -> G1Point:
        """Registered G1 key of ``operator``."""
        return g1_from_evm(self.client.call1(self.registry, "getOperatorPubkeyG1", operator))

    def pubkeys_g2(self, required: Iterable[bytes] = ()) -> Mapping[bytes, G2Point]:
        """G2 keys of registered operators (from NewPubkeyRegistration events; cached).

        If an id in ``required`` is missing, the cache is rebuilt from the deployment block
        (the chain may have been reorganised or reverted under it).
        """
        with self._g2_lock:
            head = self.client.block_number()
            if any(op_id not in self._g2 for op_id in required):
                self._g2.clear()
                self._g2_scanned = self.deployment.block - 1
            topic0 = self.registry.abi.event("NewPubkeyRegistration").topic0
            while self._g2_scanned < head:
                lo = self._g2_scanned + 1
                hi = min(head, lo + MAX_BLOCK_RANGE - 1)
                logs = self.client.get_logs([self.registry.address], [topic0], lo, hi)
                for event in decode_events(self.event_contracts, logs):
                    if isinstance(event, PubkeyRegistered):
                        self._g2[event.operator_id] = event.pubkey_g2
                self._g2_scanned = hi
            return dict(self._g2)

    def quorum_bitmap(self, operator_id: bytes, block: int | None = None) -> int:
        """Quorum bitmap of an operator (now, or at ``block``)."""
        if block is None:
            return int(self.client.call1(self.registry, "getCurrentQuorumBitmap", operator_id))
        return int(
            self.client.call1(self.registry, "getQuorumBitmapAtBlockNumber", operator_id, block)
        )

    def stake(self, operator_id: bytes, quorum: int, block: int | None = None) -> int:
        """Recorded stake of an operator in a quorum (now, or at ``block``)."""
        if block is None:
            return int(self.client.call1(self.registry, "getCurrentStake", operator_id, quorum))
        return int(
            self.client.call1(self.registry, "getStakeAtBlockNumber", operator_id, quorum, block)
        )

    def total_stake(self, quorum: int) -> int:
        """Current total recorded stake of a quorum."""
        return int(self.client.call1(self.registry, "getCurrentTotalStake", quorum))

    def operator_state(self, quorum_numbers: Sequence[int], block: int) -> OperatorSetState:
        """Members, stakes and keys of ``quorum_numbers`` at ``block``: one view call
        (``OperatorStateRetriever.getOperatorSetSnapshot``, run at the latest block over the
        registry's own histories) plus the G2 keys learned from registration events."""
        members, totals = self.client.call(
            self.retriever,
            "getOperatorSetSnapshot",
            self.registry.address,
            bytes(quorum_numbers),
            block,
        )
        keys_g2 = self.pubkeys_g2(required=[bytes(row[1]) for row in members])
        operators = {}
        for address, raw_id, pubkey, bitmap, stakes in members:
            op_id = bytes(raw_id)
            if op_id not in keys_g2:
                raise ChainError(f"no NewPubkeyRegistration event for operator 0x{op_id.hex()}")
            operators[op_id] = RegisteredOperator(
                address,
                op_id,
                g1_from_evm(pubkey),
                keys_g2[op_id],
                {
                    q: int(stake)
                    for q, stake in zip(quorum_numbers, stakes, strict=True)
                    if int(bitmap) >> q & 1
                },
            )
        return OperatorSetState(
            reference_block=block,
            quorum_numbers=tuple(quorum_numbers),
            operators=operators,
            total_stakes={q: int(t) for q, t in zip(quorum_numbers, totals, strict=True)},
        )

    def certificate_hints(
        self, quorum_numbers: Sequence[int], reference_block: int, non_signer_ids: Sequence[bytes]
    ) -> CertificateHints:
        """History indices for a certificate with these non-signers (ascending ids)."""
        bitmap_ix, apk_ix, total_ix, stake_ix = self.client.call1(
            self.retriever,
            "getCheckSignaturesIndices",
            self.registry.address,
            reference_block,
            bytes(quorum_numbers),
            list(non_signer_ids),
        )
        return CertificateHints(
            tuple(bitmap_ix), tuple(apk_ix), tuple(total_ix), tuple(tuple(x) for x in stake_ix)
        )

    def build_certificate(
        self,
        task: Task,
        result_digest: bytes,
        signatures: Mapping[bytes, G1Point],
        state: OperatorSetState | None = None,
    ) -> QuorumCertificate:
        """A certificate for ``signatures`` (operator id -> signature) on ``task``."""
        state = state or self.operator_state(task.quorums, task.created_block)
        missing = non_signers(state, {i for i in signatures if i in state.operators})
        hints = self.certificate_hints(task.quorums, task.created_block, missing)
        return assemble_certificate(task.task_index, result_digest, state, signatures, hints)

    def check_signatures(
        self,
        msg_hash: bytes,
        quorum_numbers: Sequence[int],
        reference_block: int,
        certificate: QuorumCertificate,
    ) -> tuple[tuple[int, ...], tuple[int, ...], bytes]:
        """TaskManager.checkSignatures: (signed stake, total stake, signatory record hash)."""
        (signed, total), record = self.client.call(
            self.tasks,
            "checkSignatures",
            msg_hash,
            bytes(quorum_numbers),
            reference_block,
            certificate.as_abi(),
        )
        return tuple(signed), tuple(total), bytes(record)

    # ------------------------------------------------------------------ restaking core

    def withdrawable_shares(self, staker: str) -> int:
        """Shares ``staker`` could withdraw from the deployment's strategy now."""
        (withdrawable,), _ = self.client.call(
            self.delegation, "getWithdrawableShares", staker, [self.deployment.strategy]
        )
        return int(withdrawable)

    def deposit_shares(self, staker: str) -> int:
        """``staker``'s deposit shares in the strategy (what ``queueWithdrawals`` takes)."""
        _, (deposit,) = self.client.call(
            self.delegation, "getWithdrawableShares", staker, [self.deployment.strategy]
        )
        return int(deposit)

    def operator_shares(self, operator: str) -> int:
        """Shares delegated to ``operator`` in the deployment's strategy."""
        (shares,) = self.client.call1(
            self.delegation, "getOperatorShares", operator, [self.deployment.strategy]
        )
        return int(shares)

    def max_magnitude(self, operator: str) -> int:
        """The operator's max magnitude in the strategy (1e18 until slashed)."""
        return int(
            self.client.call1(
                self.allocations, "getMaxMagnitude", operator, self.deployment.strategy
            )
        )

    def allocated_stake(self, operator: str, quorum: int) -> int:
        """Allocated stake of ``operator`` in ``quorum`` as the allocation manager computes it."""
        ((stake,),) = self.client.call1(
            self.allocations,
            "getAllocatedStake",
            (self.deployment.contracts["ServiceManager"], quorum),
            [operator],
            [self.deployment.strategy],
        )
        return int(stake)

    def slashable_stake(self, operator: str, quorum: int, future_block: int) -> int:
        """Stake of ``operator`` in ``quorum`` that a slash can still take at ``future_block``."""
        ((stake,),) = self.client.call1(
            self.allocations,
            "getMinimumSlashableStake",
            (self.deployment.contracts["ServiceManager"], quorum),
            [operator],
            [self.deployment.strategy],
            future_block,
        )
        return int(stake)

    def allocation_delay(self, operator: str) -> int | None:
        """The operator's allocation delay in blocks (None: not set, i.e. not an operator)."""
        is_set, delay = self.client.call(self.allocations, "getAllocationDelay", operator)
        return int(delay) if is_set else None

    def allocation(self, operator: str, quorum: int) -> tuple[int, int, int]:
        """(magnitude in force, pending change, block it takes effect or 0) of ``operator``'s
        allocation to ``quorum`` in the strategy."""
        current, diff, effect_block = self.client.call1(
            self.allocations,
            "getAllocation",
            operator,
            (self.deployment.contracts["ServiceManager"], quorum),
            self.deployment.strategy,
        )
        return int(current), int(diff), int(effect_block)

    def token_balance(self, owner: str) -> int:
        """Staking-token balance."""
        return int(self.client.call1(self.token, "balanceOf", owner))

    # ------------------------------------------------------------------ models and slashing

    def model(self, model_id: bytes) -> ModelInfo:
        """A registered model."""
        (c_hash, fee, active, exact, verifier, task_type, uri) = self.client.call1(
            self.models, "getModel", model_id
        )
        return ModelInfo(model_id, c_hash, fee, active, exact, verifier, task_type, uri)

    def is_slashed(self, task_index: int, operator_id: bytes, fault: int) -> bool:
        """Whether the operator was slashed for ``fault`` (:data:`avs.chain.events.FAULTS`)."""
        return bool(self.client.call1(self.slashing, "isSlashed", task_index, operator_id, fault))
