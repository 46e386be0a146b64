"""The aggregator's view of the chain: operator sets, certificates, slashing evidence.

Implements the :class:`ChainView`, :class:`Certifier` and :class:`Challenger` protocols of
:mod:`avs_aggregator.core` over :mod:`avs.chain` (blocking; the core calls it from
worker threads).
"""

from __future__ import annotations

import threading

from avs.chain.events import FAULT_DISSENT, FAULT_EQUIVOCATION
from avs.chain.reader import ChainReader
from avs.chain.views import ModelInfo, OperatorSetState
from avs.chain.writer import ChainWriter
from avs.crypto.batch_verify import FastVerifier
from avs.errors import ContractRevert
from avs.logging import get_logger
from avs.protocol import Task, message_hash_from_digest
from avs.rpc.messages import TaskHints
from avs_aggregator.aggregation import DigestGroup, TaskAggregation
from avs_aggregator.core import CertifyResult

log = get_logger(component="aggregator.chain")


class ChainAdapter:
    """Chain reads and writes of one aggregator."""

    def __init__(self, reader: ChainReader, writer: ChainWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._models: dict[bytes, ModelInfo] = {}
        self._verifier = FastVerifier()  # evidence checks run one at a time, after certifying
        self._lock = threading.Lock()

    # -- ChainView ---------------------------------------------------------------------

    def snapshot(self, task: Task) -> OperatorSetState:
        """Operators, stakes and keys of the task's quorums at its creation block."""
        return self._reader.operator_state(task.quorums, task.created_block)

    def is_certified(self, task: Task) -> bool:
        """Whether the task already carries a certificate on chain."""
        return self._reader.is_certified(task)

    def model(self, model_id: bytes) -> ModelInfo:
        """ModelRegistry entry (cached: entries are immutable once registered)."""
        with self._lock:
            info = self._models.get(model_id)
        if info is None:
            info = self._reader.model(model_id)
            with self._lock:
                self._models[model_id] = info
        return info

    def hints(self, task: Task) -> TaskHints:
        """Task type and model URI for operators that subscribe by stream."""
        info = self.model(task.model_id)
        return TaskHints(task_type=info.task_type, model_uri=info.uri)

    # -- Certifier ---------------------------------------------------------------------

    def certify(
        self,
        task: Task,
        snapshot: OperatorSetState,
        group: DigestGroup,
    ) -> CertifyResult:
        """Build the certificate for ``group`` and submit it; another aggregator's win is fine."""
        signatures = {op: response.signature for op, response in group.responses.items()}
        certificate = self._reader.build_certificate(
            task, group.result_digest, signatures, snapshot
        )
        try:
            receipt = self._writer.respond_to_task(task, certificate)
        except ContractRevert:
            existing = self._reader.certification(task.task_index)
            if existing is None:
                raise
            return CertifyResult(existing.tx_hash, already_certified=True)
        return CertifyResult(receipt.tx_hash, already_certified=False)

    # -- Challenger --------------------------------------------------------------------

    def report(self, task: Task, certified: DigestGroup, aggregation: TaskAggregation) -> None:
        """Submit equivocation evidence always, dissent evidence on exact task types."""
        snapshot = aggregation.snapshot
        certification = None
        for first, second in aggregation.equivocations():
            op = snapshot.operators[first.operator_id]
            if self._reader.is_slashed(task.task_index, op.operator_id, FAULT_EQUIVOCATION):
                continue
            task_hash = self._reader.task_hash(task)
            if not all(
                self._verifier.verify(
                    op.pubkey_g2, message_hash_from_digest(task_hash, r.result_digest), r.signature
                )
                for r in (first, second)
            ):
                continue
            certification = certification or self._reader.certification(task.task_index)
            outcome = certification.certification_hash if certification else bytes(32)
            receipt = self._writer.slash_equivocation(
                task,
                op.address,
                op.pubkey_g2,
                (first.result_digest, first.signature),
                (second.result_digest, second.signature),
                outcome,
            )
            log.warning(
                "slashed_equivocation",
                task=task.task_index,
                operator=op.address,
                tx=f"0x{receipt.tx_hash.hex()}",
            )
        if not self.model(task.model_id).exact:
            return
        task_hash = self._reader.task_hash(task)
        for response in aggregation.dissenters(certified.result_digest):
            op = snapshot.operators[response.operator_id]
            if self._reader.is_slashed(task.task_index, op.operator_id, FAULT_DISSENT):
                continue
            # Evidence must verify on chain; a forged "dissent" would only waste gas.
            if not self._verifier.verify(
                op.pubkey_g2,
                message_hash_from_digest(task_hash, response.result_digest),
                response.signature,
            ):
                continue
            certification = certification or self._reader.certification(task.task_index)
            if certification is None:
                log.error("dissent_without_certification", task=task.task_index)
                return
            receipt = self._writer.slash_dissent(
                task,
                certification,
                op.address,
                op.pubkey_g2,
                (response.result_digest, response.signature),
            )
            log.warning(
                "slashed_dissent",
                task=task.task_index,
                operator=op.address,
                tx=f"0x{receipt.tx_hash.hex()}",
            )
