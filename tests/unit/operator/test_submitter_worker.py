"""Submission retries and give-ups; the worker's path through one task with real pieces.

The aggregator here is a scripted ResponseSink (the node's own collaborator interface);
the gRPC wire itself is exercised in tests/integration/operator.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import grpc
import pytest
from opnode_cases import DOMAIN, Fixture  # type: ignore[import-not-found]  # test dir on sys.path

from avs.backoff import Backoff
from avs.crypto.bls import KeyPair
from avs.errors import ChainError, RpcError
from avs.metrics import OperatorMetrics
from avs.models.store import BlobStore
from avs.protocol import ABSTAIN, Task, TaskResponse
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs.rpc.status import RpcStatusError
from avs.tasks.registry import load_registry
from avs.tasks.session import ExecutionConfig
from avs_operator.inference import InferenceEngine
from avs_operator.intake import Arrival
from avs_operator.ports import PinnedModels, RecordCheck
from avs_operator.protection import ProtectionStore
from avs_operator.signer import Signer
from avs_operator.submitter import SubmissionRejected, Submitter
from avs_operator.worker import Outcome, TaskWorker, failure_reason

FAST = Backoff(initial=0.001, maximum=0.002)
Step = SubmitStatus | Exception


class ScriptedSink:
    """Answers each submission with the next scripted step (the last one repeats)."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)
        self.received: list[tuple[TaskResponse, float]] = []

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        self.received.append((response, timeout))
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return SubmitResult(step, f"scripted {step.value}")


def unavailable() -> RpcStatusError:
    return RpcStatusError("down", grpc.StatusCode.UNAVAILABLE)


def submit(sink: ScriptedSink, attempts: int = 4) -> SubmitResult:
    response = TaskResponse(1, b"\x01", KeyPair.from_secret(3).sign(b"\x00" * 32), b"\x00" * 32)
    return asyncio.run(Submitter(sink, 2.5, attempts, FAST).submit(response))


def test_transient_failures_and_unknown_task_are_retried() -> None:
    sink = ScriptedSink([unavailable(), SubmitStatus.UNKNOWN_TASK, SubmitStatus.ACCEPTED])
    assert submit(sink).status is SubmitStatus.ACCEPTED
    assert len(sink.received) == 3
    assert {timeout for _, timeout in sink.received} == {2.5}  # a deadline on every call


def test_duplicate_counts_as_success() -> None:
    assert submit(ScriptedSink([SubmitStatus.DUPLICATE])).status is SubmitStatus.DUPLICATE


@pytest.mark.parametrize(
    "status", [SubmitStatus.TASK_CLOSED, SubmitStatus.NOT_REGISTERED, SubmitStatus.CONFLICT]
)
def test_permanent_answers_stop_at_once(status: SubmitStatus) -> None:
    sink = ScriptedSink([status])
    with pytest.raises(SubmissionRejected, match=status.value) as info:
        submit(sink)
    assert info.value.status is status
    assert len(sink.received) == 1


def test_retries_end_with_the_last_error() -> None:
    sink = ScriptedSink([unavailable()])
    with pytest.raises(RpcStatusError):
        submit(sink, attempts=3)
    assert len(sink.received) == 3
    invalid = ScriptedSink([RpcStatusError("bad", grpc.StatusCode.INVALID_ARGUMENT)])
    with pytest.raises(RpcStatusError):
        submit(invalid)
    assert len(invalid.received) == 1
    never_known = ScriptedSink([SubmitStatus.UNKNOWN_TASK])
    with pytest.raises(SubmissionRejected, match="unknown_task"):
        submit(never_known, attempts=2)


class FixedClock:
    def __init__(self, block: int) -> None:
        self.block = block

    async def block_number(self) -> int:
        return self.block


class FixedMembership:
    def __init__(self, quorums: frozenset[int]) -> None:
        self.quorums = quorums
        self.asked: list[tuple[bytes, int]] = []

    async def quorums_at(self, operator_id: bytes, block: int) -> frozenset[int]:
        self.asked.append((operator_id, block))
        return self.quorums


class FixedRecords:
    """The chain's answer about every task (the real one reads TaskManager.taskRecord)."""

    def __init__(self, answer: RecordCheck) -> None:
        self.answer = answer

    async def check(self, task: Task) -> RecordCheck:
        return self.answer


def worker(
    tmp_path: Path,
    case: Fixture,
    keypair: KeyPair,
    sink: ScriptedSink,
    *,
    fault: str = "",
    clock: FixedClock | None = None,
    membership: FixedMembership | None = None,
    records: FixedRecords | None = None,
) -> tuple[TaskWorker, OperatorMetrics]:
    metrics = OperatorMetrics.create()
    engine = InferenceEngine(
        load_registry(), BlobStore(tmp_path / "cache"), ExecutionConfig(), allow_file_inputs=True
    )
    store = ProtectionStore(tmp_path / "protection.sqlite")
    return TaskWorker(
        resolver=PinnedModels({case.model.model_id: case.model}),
        clock=clock,
        engine=engine,
        membership=membership,
        records=records,
        signer=Signer(keypair, store, DOMAIN),
        submitter=Submitter(sink, 1.0, 2, FAST),
        metrics=metrics,
        fault=fault,
    ), metrics


def sample(metrics: OperatorMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


TaskFactory = Callable[..., Task]


def run(w: TaskWorker, task: Task) -> Outcome:
    return asyncio.run(w.handle(Arrival(task.task_index, task, "stream")))


def test_a_task_is_computed_signed_and_submitted(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.ACCEPTED])
    w, metrics = worker(tmp_path, case, keypair, sink, clock=FixedClock(999))
    assert run(w, task_factory()) is Outcome.SUBMITTED
    assert len(sink.received) == 1
    assert sink.received[0][0].result_bytes == case.golden.result
    assert sample(metrics, "avs_tasks_signed_total", outcome="signed") == 1
    assert sample(metrics, "avs_inference_seconds_count") == 1


def test_expired_tasks_are_skipped(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.ACCEPTED])
    w, metrics = worker(tmp_path, case, keypair, sink, clock=FixedClock(1_001))
    assert run(w, task_factory(deadline=1_000)) is Outcome.EXPIRED
    assert sink.received == []
    assert sample(metrics, "avs_tasks_failed_total", reason="expired") == 1


def test_wrong_label_fault_signs_shifted_labels(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.ACCEPTED])
    w, _ = worker(tmp_path, case, keypair, sink, fault="wrong_label")
    assert run(w, task_factory()) is Outcome.SUBMITTED
    signed = sink.received[0][0].result_bytes
    honest = case.golden.result
    assert signed == bytes(b if b == ABSTAIN else (b + 1) % 10 for b in honest)
    assert signed != honest


def test_failures_are_counted_by_reason_and_never_raise(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.NOT_REGISTERED])
    w, metrics = worker(tmp_path, case, keypair, sink)
    assert run(w, task_factory()) is Outcome.FAILED
    assert sample(metrics, "avs_tasks_failed_total", reason="rejected_not_registered") == 1
    unknown_model = dataclasses.replace(task_factory(8), model_id=b"\x99" * 32)
    assert run(w, unknown_model) is Outcome.FAILED
    assert sample(metrics, "avs_tasks_failed_total", reason="model_unavailable") == 1


def test_a_restart_with_a_different_result_is_refused(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    honest = ScriptedSink([SubmitStatus.ACCEPTED])
    w, _ = worker(tmp_path, case, keypair, honest)
    assert run(w, task_factory()) is Outcome.SUBMITTED
    faulty = ScriptedSink([SubmitStatus.ACCEPTED])
    w2, metrics = worker(tmp_path, case, keypair, faulty, fault="wrong_label")
    assert run(w2, task_factory()) is Outcome.FAILED
    assert faulty.received == []  # nothing left the process
    assert sample(metrics, "avs_tasks_failed_total", reason="protection_refused") == 1


def test_tasks_of_quorums_the_operator_was_not_in_are_skipped(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.ACCEPTED])
    other = FixedMembership(frozenset({1}))
    w, metrics = worker(tmp_path, case, keypair, sink, membership=other)
    task = task_factory()  # quorum 0
    assert run(w, task) is Outcome.NOT_MEMBER
    assert other.asked == [(keypair.operator_id, task.created_block)]  # at the reference block
    assert sink.received == []
    assert sample(metrics, "avs_tasks_failed_total", reason="not_member") == 1
    member = FixedMembership(frozenset({0, 1}))
    w, _ = worker(tmp_path, case, keypair, sink, membership=member)
    assert run(w, task) is Outcome.SUBMITTED


class DownChain:
    """A clock and membership whose chain is unreachable."""

    async def block_number(self) -> int:
        raise ChainError("eth_blockNumber failed: connection refused")

    async def quorums_at(self, operator_id: bytes, block: int) -> frozenset[int]:
        raise ChainError("eth_call failed: connection refused")


def test_chain_errors_on_deadline_or_membership_still_answer(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    # The aggregator has the final word on both; an unreachable chain must not cost a task.
    sink = ScriptedSink([SubmitStatus.ACCEPTED])
    metrics = OperatorMetrics.create()
    w = TaskWorker(
        resolver=PinnedModels({case.model.model_id: case.model}),
        clock=DownChain(),
        engine=InferenceEngine(
            load_registry(), BlobStore(tmp_path / "c"), ExecutionConfig(), allow_file_inputs=True
        ),
        membership=DownChain(),
        signer=Signer(keypair, ProtectionStore(tmp_path / "p.sqlite"), DOMAIN),
        submitter=Submitter(sink, 1.0, 2, FAST),
        metrics=metrics,
    )
    assert run(w, task_factory()) is Outcome.SUBMITTED
    assert len(sink.received) == 1


def test_aggregator_errors_are_labelled_by_what_failed() -> None:
    down = RpcError("GetBlob failed: aggregator unreachable")
    assert failure_reason(down, submitting=False) == "fetch_failed"
    assert failure_reason(down, submitting=True) == "submit_failed"
    closed = SubmissionRejected("closed", SubmitStatus.TASK_CLOSED)
    assert failure_reason(closed, submitting=True) == "rejected_task_closed"


def test_streamed_tasks_run_only_once_the_chain_holds_them(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    sink = ScriptedSink([SubmitStatus.ACCEPTED] * 3)
    records = FixedRecords(RecordCheck.MISMATCH)
    w, metrics = worker(tmp_path, case, keypair, sink, records=records)
    task = task_factory()
    # A lying aggregator's task: refused before any download, inference or signature.
    assert run(w, task) is Outcome.NOT_ON_CHAIN
    records.answer = RecordCheck.NOT_YET  # our node may lag behind the aggregator's
    assert run(w, task) is Outcome.RETRY
    assert sink.received == []
    assert sample(metrics, "avs_inference_seconds_count") == 0
    assert sample(metrics, "avs_tasks_failed_total", reason="not_on_chain") == 1
    records.answer = RecordCheck.PENDING
    assert run(w, task) is Outcome.SUBMITTED
    # Tasks from the chain's own events need no second look.
    records.answer = RecordCheck.MISMATCH
    chain_arrival = Arrival(task.task_index, task_factory(2), "chain")
    assert asyncio.run(w.handle(chain_arrival)) is Outcome.SUBMITTED
