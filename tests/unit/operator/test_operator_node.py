"""The node pipeline: sources -> dedup -> workers, and draining in-flight tasks on stop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

import grpc
from opnode_cases import DOMAIN, Fixture  # type: ignore[import-not-found]  # test dir on sys.path

from avs.backoff import Backoff
from avs.crypto.bls import KeyPair
from avs.metrics import OperatorMetrics
from avs.models.store import BlobStore
from avs.protocol import Task, TaskResponse
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs.rpc.status import RpcStatusError
from avs.tasks.registry import load_registry
from avs.tasks.session import ExecutionConfig
from avs_operator.inference import InferenceEngine
from avs_operator.intake import TaskIntake
from avs_operator.node import OperatorNode
from avs_operator.ports import PinnedModels
from avs_operator.protection import ProtectionStore
from avs_operator.signer import Signer
from avs_operator.submitter import Submitter
from avs_operator.worker import Outcome, TaskWorker


class ListSource:
    """Offers fixed tasks once, then idles (as a source does between tasks)."""

    def __init__(self, name: str, tasks: Sequence[Task]) -> None:
        self.name = name
        self.tasks = tasks
        self.offered = asyncio.Event()

    async def run(self, intake: TaskIntake[Task]) -> None:
        for task in self.tasks:
            intake.offer(task.task_index, task, self.name, key=DOMAIN.task_hash(task))
        self.offered.set()
        await asyncio.Event().wait()


class GatedSink:
    """Records submissions; each waits until ``gate`` opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.arrived = asyncio.Event()
        self.received: list[TaskResponse] = []

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        self.received.append(response)
        self.arrived.set()
        await self.gate.wait()
        return SubmitResult(SubmitStatus.ACCEPTED, "")


def build(
    tmp_path: Path,
    case: Fixture,
    keypair: KeyPair,
    sink: GatedSink,
    sources: Sequence[ListSource],
    grace: float,
) -> OperatorNode:
    worker = TaskWorker(
        resolver=PinnedModels({case.model.model_id: case.model}),
        clock=None,
        engine=InferenceEngine(
            load_registry(), BlobStore(tmp_path / "c"), ExecutionConfig(), allow_file_inputs=True
        ),
        signer=Signer(keypair, ProtectionStore(tmp_path / "p.sqlite"), DOMAIN),
        submitter=Submitter(sink, 5.0, 1),
        metrics=OperatorMetrics.create(),
    )
    return OperatorNode(sources=sources, worker=worker, concurrency=2, shutdown_grace=grace)


def test_both_sources_deliver_each_task_once(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: Callable[..., Task]
) -> None:
    tasks = [task_factory(1), task_factory(2)]
    sink = GatedSink()
    sink.gate.set()  # nothing blocks: a second copy, if queued, would run and submit too
    sources = [ListSource("chain", tasks), ListSource("stream", tasks)]
    node = build(tmp_path, case, keypair, sink, sources, 60)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(node.run(stop))
        while not (all(s.offered.is_set() for s in sources) and node.intake.pending() == 0):
            await asyncio.sleep(0.01)
        stop.set()  # every queued copy has been taken; stopping drains them all
        await running

    asyncio.run(scenario())
    assert sorted(r.task_index for r in sink.received) == [1, 2]
    assert node.outcomes == {1: Outcome.SUBMITTED, 2: Outcome.SUBMITTED}


def test_stop_lets_in_flight_tasks_finish(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: Callable[..., Task]
) -> None:
    tasks = [task_factory(1), task_factory(2)]
    sink = GatedSink()
    node = build(tmp_path, case, keypair, sink, [ListSource("stream", tasks)], 60)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(node.run(stop))
        while len(sink.received) < 2:
            await asyncio.sleep(0.01)
        stop.set()  # both tasks are in flight, blocked in submission
        await asyncio.sleep(0)
        sink.gate.set()  # they may finish during the grace period
        await running

    asyncio.run(scenario())
    assert node.outcomes == {1: Outcome.SUBMITTED, 2: Outcome.SUBMITTED}


def test_tasks_still_running_after_the_grace_period_are_cancelled(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: Callable[..., Task]
) -> None:
    sink = GatedSink()
    node = build(tmp_path, case, keypair, sink, [ListSource("stream", [task_factory(1)])], 0.05)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(node.run(stop))
        await sink.arrived.wait()
        stop.set()  # the gate never opens
        await running

    asyncio.run(scenario())
    assert node.outcomes == {}
    # The signature was recorded before it left: a restart may resend, never re-sign differently.
    assert ProtectionStore(tmp_path / "p.sqlite").count() == 1


class FlakySink:
    """Fails with UNAVAILABLE ``failures`` times, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.accepted = asyncio.Event()

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        self.calls += 1
        if self.calls <= self.failures:
            raise RpcStatusError("aggregator down", grpc.StatusCode.UNAVAILABLE)
        self.accepted.set()
        return SubmitResult(SubmitStatus.ACCEPTED, "")


class StepClock:
    """A chain head that moves one block per read (each retry decision reads it once)."""

    def __init__(self, first: int) -> None:
        self.head = first - 1

    async def block_number(self) -> int:
        self.head += 1
        return self.head


def run_flaky(
    tmp_path: Path,
    case: Fixture,
    keypair: KeyPair,
    task: Task,
    sink: FlakySink,
    expected_calls: int,
) -> OperatorNode:
    worker = TaskWorker(
        resolver=PinnedModels({case.model.model_id: case.model}),
        clock=None,
        engine=InferenceEngine(
            load_registry(), BlobStore(tmp_path / "c"), ExecutionConfig(), allow_file_inputs=True
        ),
        signer=Signer(keypair, ProtectionStore(tmp_path / "p.sqlite"), DOMAIN),
        submitter=Submitter(sink, 5.0, 1),
        metrics=OperatorMetrics.create(),
    )
    node = OperatorNode(
        sources=[ListSource("chain", [task])],
        worker=worker,
        retry_backoff=Backoff(initial=0.01, maximum=0.01),
        clock=StepClock(task.created_block),
    )

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(node.run(stop))
        while not (
            sink.accepted.is_set()
            or (task.task_index in node.outcomes and sink.calls >= expected_calls)
        ):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # room for a (wrong) extra retry to show up
        stop.set()
        await running

    asyncio.run(scenario())
    return node


def test_a_transient_failure_is_retried_later(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: Callable[..., Task]
) -> None:
    sink = FlakySink(failures=1)
    node = run_flaky(tmp_path, case, keypair, task_factory(4), sink, 2)
    assert sink.calls == 2
    assert node.outcomes == {4: Outcome.SUBMITTED}


def test_retries_continue_until_the_deadline_block(
    tmp_path: Path, case: Fixture, keypair: KeyPair, task_factory: Callable[..., Task]
) -> None:
    # Created at block 10, deadline 16: retry decisions read heads 10..15 (retry) and 16
    # (give up), so the task is tried 7 times, however many attempts that takes.
    sink = FlakySink(failures=100)
    node = run_flaky(tmp_path, case, keypair, task_factory(5, deadline=16), sink, 7)
    assert sink.calls == 7
    assert node.outcomes == {5: Outcome.RETRY}
