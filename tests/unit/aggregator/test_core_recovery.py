"""Aggregator core recovery paths: restarts mid-submission, competitors, retries, evidence.

Each test replays a failure the chaos runs found (issue 13): evidence lost after a crash,
a losing aggregator dropping its evidence, false expiries, retries that hammered an outage.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    KEYS,
    THEIR_TX,
    MemoryChain,
    RecordingChallenger,
    make_core,
    make_task,
    signed,
)

from avs.crypto.keccak import keccak256
from avs.protocol import Task
from avs.rpc.messages import SubmitStatus
from avs_aggregator.core import AggregatorCore
from avs_aggregator.protocols import Certification
from avs_aggregator.store import CertifiedBy, TaskState, TaskStore

RESULT, LIE, OTHER_LIE = b"\x05", b"\x06", b"\x07"
LIAR = bytes(KEYS[3].operator_id)


def store_state(store: TaskStore, index: int = 1) -> tuple[TaskState, CertifiedBy | None]:
    row = store.get_task(index)
    assert row is not None
    return row.state, row.certified_by


async def answer(
    core: AggregatorCore, task: Task, honest: int = 3, equivocate: bool = True
) -> None:
    """``honest`` operators sign RESULT; operator 3 then signs two other results."""
    for i in range(honest):
        await core.submit(signed(i, task, RESULT))
    if equivocate:
        await core.submit(signed(3, task, LIE))
        assert (await core.submit(signed(3, task, OTHER_LIE))).status is SubmitStatus.CONFLICT


async def collect_with_equivocation(tmp_path: Path, chain: MemoryChain) -> None:
    """A first aggregator run that stores the responses, then stops."""
    core, _certifier, store = make_core(tmp_path, chain=chain)
    task = make_task()
    await core.add_task(task)
    await answer(core, task)
    store.close()


def test_restart_mid_submission_when_chain_says_certified_still_reports(tmp_path: Path) -> None:
    chain = MemoryChain()

    async def crashed_after_mining() -> None:
        await collect_with_equivocation(tmp_path, chain)
        store = TaskStore(tmp_path / "tasks.sqlite")
        store.set_state(1, TaskState.SUBMITTING, result_digest=keccak256(RESULT))
        store.close()
        chain.certified[1] = Certification(keccak256(RESULT), b"\xaa" * 32, by_self=True)

    async def restart() -> None:
        challenger = RecordingChallenger()
        core, certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        await core.recover()
        assert certifier.calls == []  # never re-certified
        assert store_state(store) == (TaskState.CERTIFIED, CertifiedBy.SELF)
        assert await core.settle_evidence() == 1
        assert challenger.reports == [(1, keccak256(RESULT), [LIAR])]
        assert store_state(store) == (TaskState.SETTLED, CertifiedBy.SELF)

    asyncio.run(crashed_after_mining())
    asyncio.run(restart())


def test_restart_mid_submission_when_chain_says_not_certified_certifies(tmp_path: Path) -> None:
    chain = MemoryChain()

    async def crashed_before_mining() -> None:
        await collect_with_equivocation(tmp_path, chain)
        store = TaskStore(tmp_path / "tasks.sqlite")
        store.set_state(1, TaskState.SUBMITTING, result_digest=keccak256(RESULT))
        store.close()

    async def restart() -> None:
        challenger = RecordingChallenger()
        core, certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        assert await core.recover() == 1
        assert store_state(store)[0] is TaskState.OPEN
        assert await core.certify_ready() == 1
        assert [call[0] for call in certifier.calls] == [1]
        await core.settle_evidence()
        assert challenger.reports == [(1, keccak256(RESULT), [LIAR])]

    asyncio.run(crashed_before_mining())
    asyncio.run(restart())


def test_evidence_owed_by_a_certified_task_survives_a_restart(tmp_path: Path) -> None:
    chain = MemoryChain()

    async def evidence_fails_then_crash() -> None:
        challenger = RecordingChallenger()
        challenger.fail = 1
        core, _certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        task = make_task()
        await core.add_task(task)
        await answer(core, task)
        assert await core.certify_ready() == 1
        assert await core.settle_evidence() == 0  # the RPC is down
        assert store_state(store)[0] is TaskState.CERTIFIED
        store.close()

    async def restart() -> None:
        challenger = RecordingChallenger()
        core, certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        chain.down = True  # restarted during an outage: the evidence waits for the chain
        assert await core.recover() == 1
        assert await core.settle_evidence() == 0
        chain.down = False
        assert await core.settle_evidence() == 1
        assert certifier.calls == []
        assert challenger.reports == [(1, keccak256(RESULT), [LIAR])]
        assert store_state(store)[0] is TaskState.SETTLED
        assert await core.recover() == 0  # settled tasks are not resumed again

    asyncio.run(evidence_fails_then_crash())
    asyncio.run(restart())


def test_losing_aggregator_submits_its_evidence_and_records_the_winner(tmp_path: Path) -> None:
    async def scenario() -> None:
        chain = MemoryChain()
        challenger = RecordingChallenger()
        core, certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        task = make_task()
        await core.add_task(task)
        await answer(core, task)
        # The competitor's certificate lands while ours is being built.
        chain.certified[1] = Certification(keccak256(RESULT), THEIR_TX, by_self=False)
        assert await core.certify_ready() == 1
        assert len(certifier.calls) == 1
        assert store_state(store) == (TaskState.CERTIFIED, CertifiedBy.OTHER)
        await core.settle_evidence()
        assert challenger.reports == [(1, keccak256(RESULT), [LIAR])]
        row = store.get_task(1)
        assert row is not None
        assert row.tx_hash == THEIR_TX

    asyncio.run(scenario())


def test_task_certified_by_another_is_never_reported_expired(tmp_path: Path) -> None:
    async def scenario() -> None:
        chain = MemoryChain()
        challenger = RecordingChallenger()
        core, certifier, store = make_core(tmp_path, challenger=challenger, chain=chain)
        task = make_task()
        await core.add_task(task)
        await answer(core, task, honest=1, equivocate=False)  # below the threshold
        chain.certified[1] = Certification(keccak256(RESULT), THEIR_TX, by_self=False)
        assert await core.expire(task.deadline_block) == []
        assert store_state(store) == (TaskState.CERTIFIED, CertifiedBy.OTHER)
        assert certifier.calls == []
        assert await core.settle_evidence() == 1
        assert [r[0] for r in challenger.reports] == [1]

    asyncio.run(scenario())


def test_expiry_waits_for_the_chain_when_it_cannot_tell(tmp_path: Path) -> None:
    async def scenario() -> None:
        chain = MemoryChain()
        core, _certifier, store = make_core(tmp_path, chain=chain)
        task = make_task()
        await core.add_task(task)
        chain.down = True
        assert await core.expire(task.deadline_block) == []
        assert store_state(store)[0] is TaskState.OPEN
        chain.down = False
        assert await core.expire(task.deadline_block + 1) == [1]

    asyncio.run(scenario())


def test_certificate_seen_on_chain_closes_the_open_task(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        await core.submit(signed(0, task, RESULT))
        seen = Certification(keccak256(RESULT), THEIR_TX, by_self=False)
        assert await core.on_certified(1, seen)
        assert not await core.on_certified(1, seen)
        assert (await core.submit(signed(1, task, RESULT))).status is SubmitStatus.TASK_CLOSED
        assert await core.certify_ready() == 0
        assert certifier.calls == []
        assert store_state(store) == (TaskState.CERTIFIED, CertifiedBy.OTHER)

    asyncio.run(scenario())


def test_failed_certificate_is_retried(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        await answer(core, task, equivocate=False)
        certifier.fail = 2
        assert await core.certify_ready() == 0
        assert store_state(store)[0] is TaskState.OPEN
        assert await core.certify_ready() == 0
        assert await core.certify_ready() == 1
        assert store_state(store) == (TaskState.CERTIFIED, CertifiedBy.SELF)

    asyncio.run(scenario())


def test_evidence_is_retried_until_the_challenge_window_closes(tmp_path: Path) -> None:
    async def scenario() -> None:
        challenger = RecordingChallenger()
        challenger.fail = 100
        core, _certifier, store = make_core(tmp_path, challenger=challenger)
        task = make_task()
        await core.add_task(task)
        await answer(core, task, equivocate=False)
        await core.certify_ready()
        await core.expire(task.deadline_block)
        assert await core.settle_evidence() == 0
        assert challenger.fail == 99
        assert store_state(store)[0] is TaskState.CERTIFIED
        await core.expire(task.deadline_block + 21)  # window: 20 blocks after the deadline
        assert await core.settle_evidence() == 1
        assert challenger.fail == 99  # not tried again once the window closed
        assert store_state(store)[0] is TaskState.SETTLED

    asyncio.run(scenario())
