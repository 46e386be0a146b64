"""A 200-operator quorum answering two tasks at once: every response is checked and
recorded, none refused as busy (the core's default backlog held 256, so the second task's
responses were shed while the first task's were being checked)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    CODEC,
    NO_WAIT,
    MemoryChain,
    RecordingCertifier,
    make_task,
)

from avs.crypto.bls import KeyPair
from avs.metrics import AggregatorMetrics
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission, SubmitStatus
from avs_aggregator.core import AggregatorCore
from avs_aggregator.operators import OperatorSetState, RegisteredOperator
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier

OPERATORS = 200
KEYS = [KeyPair.from_secret(8100 + i) for i in range(OPERATORS)]


class LargeChain(MemoryChain):  # type: ignore[misc]  # MemoryChain is untyped here
    """MemoryChain with a quorum of 200 equal-stake operators."""

    def snapshot(self, task: Task) -> OperatorSetState:
        ops = {
            k.operator_id: RegisteredOperator(
                f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, {0: 10}
            )
            for i, k in enumerate(KEYS)
        }
        return OperatorSetState(task.created_block, (0,), ops, {0: 10 * OPERATORS})


def test_two_tasks_of_200_operators_at_once_are_all_recorded(tmp_path: Path) -> None:
    chain = LargeChain()
    core = AggregatorCore(
        TaskStore(tmp_path / "tasks.sqlite"),
        CODEC,
        chain,
        RecordingCertifier(chain),
        GroupVerifier(),
        AggregatorMetrics.create(),
        linger_seconds=0,
        backoff=NO_WAIT,
    )  # fmt: skip — the core's default backlog bound is what this test is about
    tasks = [make_task(1), make_task(2)]
    result = b"\x05\x06"
    submissions = []
    for task in tasks:
        message = CODEC.message_hash(CODEC.task_hash(task), result)
        submissions += [
            ResponseSubmission(task.task_index, k.operator_id, result, k.sign(message))
            for k in KEYS
        ]

    async def scenario() -> list[SubmitStatus]:
        for task in tasks:
            assert await core.add_task(task)
        replies = await asyncio.gather(*(core.submit(s) for s in submissions))
        return [r.status for r in replies]

    statuses = asyncio.run(scenario())
    assert statuses == [SubmitStatus.ACCEPTED] * len(submissions)
