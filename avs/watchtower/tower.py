"""Check certified results of exact tasks by re-execution; prove wrong ones on chain.

Every submission is simulated with ``eth_call`` first, so a watchtower never pays for a
proof the contract would refuse (a correct result, a closed window, a race it lost).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from avs.chain.evidence import ReExecutionProof
from avs.chain.reader import ChainReader
from avs.chain.views import CertifiedTask, RegisteredOperator, TaskStatus
from avs.chain.writer import ChainWriter
from avs.crypto.points import G1Point
from avs.errors import AvsError, ContractRevert
from avs.logging import get_logger
from avs.protocol import OVERTURNED_OUTCOME, REFUNDED_OUTCOME, Task, result_digest
from avs.watchtower.evidence import build_proof, first_wrong_entry
from avs.watchtower.metrics import WatchtowerMetrics
from avs.watchtower.reexecute import Reexecution, Reexecutor

log = get_logger(component="watchtower")

ResultLookup = Callable[[bytes], bytes | None]
"""Certified result digest -> its bytes, if this watcher can get them (None otherwise)."""


class Check(StrEnum):
    """What checking one certificate came to."""

    SKIPPED = "skipped"
    """Not an exact task type with a verifier, or not sampled."""
    CORRECT = "correct"
    """Re-execution agrees with the certified result."""
    OVERTURNED = "overturned"
    """The certificate was wrong and this watcher's challenge overturned it."""
    LOST_RACE = "lost_race"
    """The certificate was wrong but is no longer challengeable (someone else won)."""
    WRONG = "wrong"
    """The certificate is wrong; this watcher has no key to challenge it (check-only)."""
    UNAVAILABLE = "unavailable"
    """The certificate is wrong, but its result bytes are not available to prove where."""
    FAILED = "failed"
    """Re-execution or the chain failed (logged); retried on a later pass."""


@dataclass(frozen=True, slots=True)
class SignedResult:
    """One operator's signature on one result of a task (what the aggregator holds)."""

    operator: RegisteredOperator
    """Signer."""
    result: bytes
    """Its result bytes."""
    signature: G1Point
    """Its BLS signature on the task and result."""


class Watchtower:
    """Re-executes and, on a mismatch, challenges certificates and proves wrong results."""

    def __init__(
        self,
        reader: ChainReader,
        writer: ChainWriter | None,
        reexecutor: Reexecutor,
        results: ResultLookup,
        metrics: WatchtowerMetrics | None = None,
        sample: float = 1.0,
        rng: random.Random | None = None,
        publish: Callable[[bytes], object] | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._reexecutor = reexecutor
        self._results = results
        self.metrics = metrics or WatchtowerMetrics.create()
        """Counters of checks, evidence and failures."""
        self._sample = sample
        self._rng = rng or random.Random()  # noqa: S311 - sampling, not security
        self._publish = publish

    def publish(self, result: bytes) -> None:
        """Make certified result bytes fetchable by digest for other watchers (if a store
        was given): without them nobody can show where a wrong certificate is wrong."""
        if self._publish is not None and result:
            self._publish(result)

    def check_certificate(
        self, task: Task, certified: CertifiedTask, result: bytes | None = None
    ) -> Check:
        """Re-execute ``task``; overturn its certificate if the certified result is wrong."""
        outcome = self._check(task, certified, result)
        self.metrics.checks.labels(outcome.value).inc()
        log.info("certificate_checked", task=task.task_index, outcome=outcome.value)
        return outcome

    def _check(self, task: Task, certified: CertifiedTask, result: bytes | None) -> Check:
        try:
            if not self._reexecutor.verifiable(task) or self._rng.random() >= self._sample:
                return Check.SKIPPED
            honest = self._reexecutor.reexecute(task)
        except AvsError as exc:
            log.warning("reexecution_failed", task=task.task_index, error=str(exc))
            return Check.FAILED
        if result_digest(honest.expected) == certified.result_digest:
            return Check.CORRECT
        if result is None or result_digest(result) != certified.result_digest:
            result = self._results(certified.result_digest)
        if result is None or result_digest(result) != certified.result_digest:
            log.error("certified_result_unavailable", task=task.task_index)
            return Check.UNAVAILABLE
        return self._challenge(task, certified, result, honest)

    def _challenge(
        self, task: Task, certified: CertifiedTask, result: bytes, honest: Reexecution
    ) -> Check:
        if self._writer is None:
            log.error("certificate_wrong", task=task.task_index)
            return Check.WRONG
        index = first_wrong_entry(result, honest.expected)
        assert index is not None  # the digests differ, so some entry (or the length) does
        proof = build_proof(result, index, honest.model, honest.leaves)
        state = self._reader.operator_state(task.quorums, task.created_block)
        non_signers = set(certified.non_signer_ids)
        signers = [
            op.address for op_id, op in sorted(state.operators.items()) if op_id not in non_signers
        ]
        try:
            self._writer.challenge_certificate(task, certified, proof, signers, dry_run=True)
            receipt = self._writer.challenge_certificate(task, certified, proof, signers)
        except ContractRevert as exc:
            log.warning("challenge_refused", task=task.task_index, error=exc.error_name)
            return Check.LOST_RACE
        self.metrics.evidence.labels("challenge").inc()
        log.warning(
            "certificate_overturned",
            task=task.task_index,
            index=index,
            signers=len(signers),
            tx=f"0x{receipt.tx_hash.hex()}",
        )
        return Check.OVERTURNED

    def prove_wrong_results(self, task: Task, results: Sequence[SignedResult]) -> int:
        """Slash every signer of a result that re-execution refutes; returns how many."""
        if self._writer is None or not results or not self._reexecutor.verifiable(task):
            return 0
        honest = self._reexecutor.reexecute(task)
        slashed = 0
        for signed in results:
            index = first_wrong_entry(signed.result, honest.expected)
            if index is None:
                continue  # honest: never slashed
            slashed += self._prove_one(
                task, signed, build_proof(signed.result, index, honest.model, honest.leaves)
            )
        return slashed

    def _prove_one(self, task: Task, signed: SignedResult, proof: ReExecutionProof) -> int:
        op = signed.operator
        evidence = (result_digest(signed.result), signed.signature)
        outcome = self._outcome(task)
        assert self._writer is not None  # checked by the caller
        slash = self._writer.slash_wrong_result
        try:
            slash(task, op.address, op.pubkey_g2, evidence, proof, outcome, dry_run=True)
            receipt = slash(task, op.address, op.pubkey_g2, evidence, proof, outcome)
        except ContractRevert as exc:
            log.info(
                "wrong_result_not_provable",
                task=task.task_index,
                operator=op.address,
                error=exc.error_name,
            )
            return 0
        self.metrics.evidence.labels("wrong_result").inc()
        log.warning(
            "slashed_wrong_result",
            task=task.task_index,
            operator=op.address,
            tx=f"0x{receipt.tx_hash.hex()}",
        )
        return 1

    def _outcome(self, task: Task) -> bytes:
        """The outcome word the task's record holds now (for evidence calls)."""
        status = self._reader.task_status(task)
        if status is TaskStatus.OVERTURNED:
            return OVERTURNED_OUTCOME
        if status is TaskStatus.REFUNDED:
            return REFUNDED_OUTCOME
        if status is TaskStatus.CERTIFIED:
            certified = self._reader.certification(task.task_index, task)
            assert certified is not None
            return certified.certification_hash
        return bytes(32)
