"""The aggregator's view of the chain: operator sets, certificates, slashing evidence.

Implements the :class:`ChainView`, :class:`Certifier` and :class:`Challenger` protocols of
:mod:`avs_aggregator.core` over :mod:`avs.chain` (blocking; the core calls it from
worker threads).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from avs.chain.events import FAULT_EQUIVOCATION
from avs.chain.model_cache import ModelCache
from avs.chain.reader import ChainReader
from avs.chain.stakes import refresh, stale_operators
from avs.chain.views import CertifiedTask, ModelInfo, OperatorSetState
from avs.chain.writer import ChainWriter
from avs.crypto.batch_verify import FastVerifier
from avs.errors import ChainError, ContractRevert
from avs.logging import get_logger
from avs.protocol import Task, message_hash_from_digest
from avs.rpc.messages import TaskHints
from avs.watchtower.tower import SignedResult, Watchtower
from avs_aggregator.aggregation import DigestGroup, TaskAggregation
from avs_aggregator.protocols import Certification, CertifyResult

log = get_logger(component="aggregator.chain")
CERTIFY_READ_THREADS = 32
"""Reads running beside certificates' own (hints and delivery mode while the task record is
read): two per certificate, and the certificates of one block all prepare at once."""
SNAPSHOTS_KEPT = 64
"""Operator-set snapshots cached (by quorums and block), oldest dropped first."""


class ChainAdapter:
    """Chain reads and writes of one aggregator."""

    def __init__(
        self,
        reader: ChainReader,
        writer: ChainWriter,
        jitter_seconds: float = 0.0,
        watchtower: Watchtower | None = None,
    ) -> None:
        self._reader = reader
        self._watchtower = watchtower
        self._writer = writer
        self._jitter = jitter_seconds
        self._window: int | None = None
        self._models = ModelCache(reader)
        self._snapshots: dict[tuple[bytes, int], OperatorSetState] = {}
        self._stakes_checked: dict[bytes, int] = {}
        """Quorum set -> the head block its recorded stakes were last checked at."""
        self._verifier = FastVerifier()  # evidence checks run one at a time, after certifying
        self._lock = threading.Lock()
        self._reads = ThreadPoolExecutor(CERTIFY_READ_THREADS, thread_name_prefix="avs-reads")
        self._refreshes = ThreadPoolExecutor(1, thread_name_prefix="avs-stake-refresh")
        """Stake refreshes one at a time (each is judged once per block anyway)."""

    # -- ChainView ---------------------------------------------------------------------

    def snapshot(self, task: Task) -> OperatorSetState:
        """Operators, stakes and keys of the task's quorums at its creation block (shared by
        the tasks created in one block: a past block's operator set never changes)."""
        key = (bytes(task.quorums), task.created_block)
        with self._lock:
            state = self._snapshots.get(key)
        if state is None:
            state = self._reader.operator_state(task.quorums, task.created_block)
            with self._lock:
                self._snapshots[key] = state
                while len(self._snapshots) > SNAPSHOTS_KEPT:
                    del self._snapshots[next(iter(self._snapshots))]
        return state

    def certification(self, task: Task) -> Certification | None:
        """The task's certificate on chain (its TaskCertified event), if any."""
        event = self._reader.certification(task.task_index, task)
        return None if event is None else self.as_certification(event)

    def as_certification(self, event: CertifiedTask) -> Certification:
        """A TaskCertified event as the core sees it (was it this aggregator's?)."""
        by_self = event.submitter.lower() == self._writer.client.address.lower()
        return Certification(event.result_digest, event.tx_hash, by_self)

    def last_evidence_block(self, task: Task) -> int:
        """deadlineBlock + SlashingManager.challengeWindowBlocks (immutable: read once)."""
        if self._window is None:
            r = self._reader
            self._window = int(r.client.call1(r.slashing, "challengeWindowBlocks"))
        return task.deadline_block + self._window

    def model(self, model_id: bytes) -> ModelInfo:
        """ModelRegistry entry (cached: entries are immutable once registered)."""
        return self._models.get(model_id)

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
        """Build the certificate for ``group`` and submit it; another aggregator's win is fine.

        Competing aggregators waste gas when both send: a random pause spreads them, the
        task's record is read right before sending, and the gas estimate runs against the
        pending block (which holds a competitor's certificate still in the mempool), so a
        certificate that would revert is never signed. The record and the certificate's
        hints are read at once (one round trip on the path to the next block, not two), and
        stale stakes are refreshed after sending: a refresh lands after the certificate's
        reference block, so it only concerns later tasks.
        """
        if self._jitter > 0:
            time.sleep(random.uniform(0, self._jitter))  # noqa: S311
        started = time.monotonic()
        signatures = {op: response.signature for op, response in group.responses.items()}
        building = self._reads.submit(
            self._reader.build_certificate, task, group.result_digest, signatures, snapshot
        )
        delivery = self._reads.submit(self._reader.delivery, task.task_index)
        won = self._certified_already(task)
        certificate = building.result()
        if won is not None:
            return won
        # a consumer contract acts on the bytes, so they travel with its task's certificate
        result = group.result_bytes if delivery.result().has_consumer else None
        prepared = time.monotonic() - started
        try:
            receipt = self._writer.respond_to_task(task, certificate, result)
        except ContractRevert as exc:
            if exc.gas_used:  # mined and reverted: the client counted it in the metrics
                log.warning("certificate_reverted", task=task.task_index, gas=exc.gas_used)
            won = self._certified_already(task)
            if won is None:
                raise
            return won
        # In the background, on its own thread: the certificate is recorded (and its stage
        # timed) at once, and a refresh waiting for its receipt never holds a thread that
        # the next certificate's reads need.
        self._refreshes.submit(self._refresh_in_background, snapshot.quorum_numbers)
        return CertifyResult(
            receipt.tx_hash,
            already_certified=False,
            mined_seconds=receipt.wait_seconds,
            prepare_seconds=prepared,
        )

    def _certified_already(self, task: Task) -> CertifyResult | None:
        """The task's certificate if its on-chain record is no longer pending."""
        r = self._reader
        if r.task_record(task.task_index) == r.task_hash(task):
            return None
        event = r.certification(task.task_index, task)
        if event is None:
            raise ChainError(f"task {task.task_index} is no longer pending and not certified")
        mine = self.as_certification(event).by_self
        return CertifyResult(
            event.tx_hash, already_certified=not mine, result_digest=event.result_digest
        )

    def refresh_stakes(self, quorum_numbers: Sequence[int]) -> list[str]:
        """Lower the recorded stake of operators whose slashable stake fell (deallocations,
        withdrawals), so later certificates count only stake a slash can take. Checked once
        per block for a set of quorums (certificates of one block share the answer). Best
        effort: a failed refresh is logged and never blocks the certificate."""
        key = bytes(quorum_numbers)
        try:
            head = self._reader.client.block_number()
            with self._lock:
                if self._stakes_checked.get(key) == head:
                    return []
                self._stakes_checked[key] = head
            stale = stale_operators(self._reader, quorum_numbers)
            if stale:
                refresh(self._writer, stale)
                log.info("stakes_refreshed", operators=stale)
            return stale
        except ChainError as exc:
            log.warning("stake_refresh_failed", error=str(exc))
            return []

    def _refresh_in_background(self, quorum_numbers: Sequence[int]) -> None:
        try:
            self.refresh_stakes(quorum_numbers)
        except Exception as exc:  # in a pool thread: nobody else would see it
            log.error("stake_refresh_failed", error=f"{type(exc).__name__}: {exc}")

    # -- Challenger --------------------------------------------------------------------

    def report(self, task: Task, certified: DigestGroup, aggregation: TaskAggregation) -> None:
        """Submit equivocation evidence and, with a watchtower, re-execution evidence: the
        certificate is challenged if it is wrong, and every stored response whose result
        re-execution refutes is proven wrong. Disagreeing with the certificate is no fault."""
        self._report_equivocations(task, aggregation)
        if self._watchtower is not None:
            self._report_wrong_results(self._watchtower, task, certified, aggregation)

    def _report_wrong_results(
        self,
        tower: Watchtower,
        task: Task,
        certified: DigestGroup,
        aggregation: TaskAggregation,
    ) -> None:
        if not self.model(task.model_id).exact:
            return
        tower.publish(certified.result_bytes)
        event = self._reader.certification(task.task_index, task)
        if event is not None and event.result_digest == certified.result_digest:
            tower.check_certificate(task, event, certified.result_bytes or None)
        snapshot = aggregation.snapshot
        tower.prove_wrong_results(
            task,
            [
                SignedResult(snapshot.operators[op_id], group.result_bytes, response.signature)
                for group in aggregation.groups()
                for op_id, response in group.responses.items()
                if op_id in snapshot.operators
            ],
        )

    def _report_equivocations(self, task: Task, aggregation: TaskAggregation) -> None:
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
