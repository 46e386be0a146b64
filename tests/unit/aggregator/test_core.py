"""Aggregator core: responses in, one verified certificate out, restart-safe.

Chain access is replaced by in-memory implementations of the ChainView/Certifier
protocols (the real ones are exercised against anvil in tests/integration); signatures,
verification and the SQLite store are real.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from avs.crypto.bls import KeyPair
from avs.metrics import AggregatorMetrics
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission, SubmitStatus
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.codec import TaskCodec
from avs_aggregator.core import AggregatorCore, CertifyResult
from avs_aggregator.operators import OperatorSetState, RegisteredOperator
from avs_aggregator.store import TaskState, TaskStore
from avs_aggregator.verification import GroupVerifier

KEYS = [KeyPair.from_secret(7000 + i) for i in range(4)]
CODEC = TaskCodec(31337, "0x" + "44" * 20)


def make_task(index: int = 1) -> Task:
    return Task(
        index,
        b"\x01" * 32,
        b"\x02" * 32,
        2,
        "avs-blob://x",
        b"\x00",
        6000,
        10,
        40,
        0,
        "0x" + "55" * 20,
    )


class MemoryChain:
    """ChainView over a fixed operator set."""

    def __init__(self) -> None:
        self.certified: set[int] = set()

    def snapshot(self, task: Task) -> OperatorSetState:
        ops = {
            k.operator_id: RegisteredOperator(
                f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, {0: 10}
            )
            for i, k in enumerate(KEYS)
        }
        return OperatorSetState(task.created_block, (0,), ops, {0: 40})

    def is_certified(self, task: Task) -> bool:
        return task.task_index in self.certified


class RecordingCertifier:
    """Certifier that records what it was asked to certify."""

    def __init__(self, chain: MemoryChain) -> None:
        self.chain = chain
        self.calls: list[tuple[int, bytes, list[bytes]]] = []

    def certify(
        self,
        task: Task,
        snapshot: OperatorSetState,
        group: DigestGroup,
    ) -> CertifyResult:
        non_signers = sorted(op for op in snapshot.operators if op not in group.responses)
        self.calls.append((task.task_index, group.result_bytes, non_signers))
        self.chain.certified.add(task.task_index)
        return CertifyResult(b"\xaa" * 32, already_certified=False)


def make_core(tmp_path: Path) -> tuple[AggregatorCore, RecordingCertifier, TaskStore]:
    chain = MemoryChain()
    certifier = RecordingCertifier(chain)
    store = TaskStore(tmp_path / "tasks.sqlite")
    core = AggregatorCore(
        store,
        CODEC,
        chain,
        certifier,
        GroupVerifier(),
        AggregatorMetrics.create(),
        linger_seconds=0,
    )
    return core, certifier, store


def signed(i: int, task: Task, result: bytes, forge: bool = False) -> ResponseSubmission:
    message = CODEC.message_hash(CODEC.task_hash(task), b"forged" if forge else result)
    return ResponseSubmission(task.task_index, KEYS[i].operator_id, result, KEYS[i].sign(message))


def test_threshold_then_certificate_with_sorted_non_signers(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task()
        assert await core.add_task(task)
        assert not await core.add_task(task)
        assert core.submit(signed(0, task, b"\x03\x04")).status is SubmitStatus.ACCEPTED
        assert core.submit(signed(0, task, b"\x03\x04")).status is SubmitStatus.DUPLICATE
        assert core.submit(signed(1, task, b"\x03\x04")).status is SubmitStatus.ACCEPTED
        assert await core.certify_ready() == 0  # 20 of 40 < 60 %
        assert core.submit(signed(2, task, b"\x03\x04")).status is SubmitStatus.ACCEPTED
        assert await core.certify_ready() == 1
        assert certifier.calls == [(1, b"\x03\x04", [KEYS[3].operator_id])]
        late = core.submit(signed(3, task, b"\x03\x04"))
        assert late.status is SubmitStatus.TASK_CLOSED
        stored = store.get_task(1)
        assert stored is not None
        assert stored.state is TaskState.CERTIFIED

    asyncio.run(scenario())


def test_invalid_signature_is_excluded_before_certifying(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, _store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        for i in range(3):
            core.submit(signed(i, task, b"\x09\x09", forge=(i == 1)))
        assert await core.certify_ready() == 0  # forged signer dropped: 20 of 40
        rejected = core.submit(signed(1, task, b"\x09\x09"))
        assert rejected.status is SubmitStatus.INVALID_SIGNATURE
        core.submit(signed(3, task, b"\x09\x09"))
        assert await core.certify_ready() == 1
        assert certifier.calls[0][2] == [KEYS[1].operator_id]

    asyncio.run(scenario())


def test_unknown_task_and_operator(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, _c, _s = make_core(tmp_path)
        task = make_task()
        assert core.submit(signed(0, task, b"\x01")).status is SubmitStatus.UNKNOWN_TASK
        await core.add_task(task)
        stranger = KeyPair.from_secret(99)
        msg = CODEC.message_hash(CODEC.task_hash(task), b"\x01")
        reply = core.submit(
            ResponseSubmission(1, stranger.operator_id, b"\x01", stranger.sign(msg))
        )
        assert reply.status is SubmitStatus.NOT_REGISTERED

    asyncio.run(scenario())


def test_restart_resumes_from_the_store(tmp_path: Path) -> None:
    async def first_run() -> None:
        core, _c, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        core.submit(signed(0, task, b"\x05"))
        core.submit(signed(1, task, b"\x05"))
        store.close()

    async def second_run() -> None:
        core, certifier, _store = make_core(tmp_path)
        assert await core.recover() == 1
        task = make_task()
        assert core.submit(signed(1, task, b"\x05")).status is SubmitStatus.DUPLICATE
        core.submit(signed(2, task, b"\x05"))
        assert await core.certify_ready() == 1
        assert certifier.calls[0][2] == [KEYS[3].operator_id]

    asyncio.run(first_run())
    asyncio.run(second_run())


def test_deadline_expires_open_tasks(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, _c, store = make_core(tmp_path)
        await core.add_task(make_task())
        assert await core.expire(39) == []
        assert await core.expire(40) == [1]
        stored = store.get_task(1)
        assert stored is not None
        assert stored.state is TaskState.EXPIRED

    asyncio.run(scenario())
