"""Waits that cost a block: linger only for live silent signers; no refusal of a loading task."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    MemoryChain,
    make_core,
    make_task,
    signed,
)

from avs.protocol import Task
from avs.rpc.messages import SubmitStatus
from avs_aggregator.core import URGENT_BLOCKS
from avs_aggregator.operators import OperatorSetState

LONG = 60.0
"""A linger no test waits out: a certificate within a test means no linger applied."""


def test_no_linger_once_every_operator_answered_even_a_dissenter(tmp_path: Path) -> None:
    # Regression: only a unanimous result skipped the linger, so one faulty operator made
    # every certificate wait the whole linger.
    async def scenario() -> None:
        core, certifier, _store = make_core(tmp_path, linger_seconds=LONG)
        task = make_task()
        await core.add_task(task)
        for i in range(3):
            await core.submit(signed(i, task, b"\x03"))
        await core.submit(signed(3, task, b"\x09"))
        assert await core.certify_ready() == 1
        assert len(certifier.calls) == 1

    asyncio.run(scenario())


async def _second_task_awaits_a_live_operator(tmp_path: Path) -> tuple[Any, Any, Task]:
    """Task 1 answered by all four operators; task 2 by three (operator 3, live, is awaited)."""
    core, certifier, _store = make_core(tmp_path, linger_seconds=LONG)
    first, second = make_task(1), make_task(2)
    for task in (first, second):
        await core.add_task(task)
    for i in range(4):
        await core.submit(signed(i, first, b"\x03"))
    for i in range(3):
        await core.submit(signed(i, second, b"\x03"))
    return core, certifier, second


def test_lingers_for_a_live_operator_that_has_not_answered(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, second = await _second_task_awaits_a_live_operator(tmp_path)
        assert await core.certify_ready() == 1  # the first; operator 3 may still answer
        assert [call[0] for call in certifier.calls] == [1]
        await core.submit(signed(3, second, b"\x03"))
        assert await core.certify_ready() == 1
        assert certifier.calls[1] == (2, b"\x03", [])

    asyncio.run(scenario())


def test_no_linger_for_an_operator_silent_for_the_live_window(tmp_path: Path) -> None:
    async def scenario() -> None:
        # A zero window: every operator that has not just answered counts as down.
        core, certifier, _store = make_core(tmp_path, linger_seconds=LONG, live_window_seconds=0.0)
        task = make_task()
        await core.add_task(task)
        for i in range(3):
            await core.submit(signed(i, task, b"\x03"))
        assert await core.certify_ready() == 1
        assert len(certifier.calls[0][2]) == 1  # operator 3 is a non-signer

    asyncio.run(scenario())


class SlowChain(MemoryChain):  # type: ignore[misc]  # test dir on sys.path
    """Reads the operator set only once the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.reading = threading.Event()
        self.release = threading.Event()

    def snapshot(self, task: Task) -> OperatorSetState:
        self.reading.set()
        self.release.wait(timeout=30)
        state: OperatorSetState = super().snapshot(task)
        return state


def test_a_response_arriving_while_its_task_loads_waits_for_it(tmp_path: Path) -> None:
    # Regression: operators that saw the block before the aggregator had read the task's
    # operator set were told the task is unknown, backed off and missed the next block.
    async def scenario() -> None:
        chain = SlowChain()
        core, _certifier, _store = make_core(tmp_path, chain=chain)
        task = make_task()
        adding = asyncio.create_task(core.add_task(task))
        await asyncio.to_thread(chain.reading.wait, 30)
        answer = asyncio.create_task(core.submit(signed(0, task, b"\x03")))
        await asyncio.sleep(0.05)
        assert not answer.done()  # waiting for the load, not refused
        chain.release.set()
        assert await adding
        assert (await answer).status is SubmitStatus.ACCEPTED

    asyncio.run(scenario())


def test_no_linger_when_the_deadline_is_near(tmp_path: Path) -> None:
    # A task whose threshold arrived late must not spend its last blocks waiting for a
    # live operator: the certificate would land after the deadline and revert.
    async def scenario() -> None:
        core, certifier, second = await _second_task_awaits_a_live_operator(tmp_path)
        assert await core.certify_ready() == 1  # the first; the second lingers for op 3
        assert await core.expire(second.deadline_block - URGENT_BLOCKS - 1) == []
        assert await core.certify_ready() == 0  # not urgent yet: still lingering
        assert await core.expire(second.deadline_block - URGENT_BLOCKS) == []
        assert await core.certify_ready() == 1
        assert [call[0] for call in certifier.calls] == [1, 2]

    asyncio.run(scenario())


def test_the_most_urgent_ready_task_is_submitted_first(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, _store = make_core(tmp_path)
        # One submission thread, so the order the certifier sees is the order started.
        core._tx_threads = ThreadPoolExecutor(1)
        late = replace(make_task(1), deadline_block=90)
        soon = replace(make_task(2), deadline_block=30)
        for task in (late, soon):
            await core.add_task(task)
            for i in range(4):
                await core.submit(signed(i, task, b"\x03"))
        assert await core.certify_ready() == 2
        assert [call[0] for call in certifier.calls] == [2, 1]

    asyncio.run(scenario())
