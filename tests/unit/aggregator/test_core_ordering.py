"""A task closed while its certification pass runs stays closed, in memory and in the store.

The pass checks the ready groups' signatures in a worker thread; the event loop runs on
meanwhile, so the head can pass the task's deadline (expire) or a competitor's certificate
can be recorded before the pass resumes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    THEIR_TX,
    MemoryChain,
    make_core,
    make_task,
    signed,
)

from avs_aggregator.protocols import Certification
from avs_aggregator.store import TaskState
from avs_aggregator.verification import GroupToVerify, GroupVerifier


class HeldVerifier(GroupVerifier):
    """Holds the certification pass's batch check until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def invalid_signers(self, groups: Sequence[GroupToVerify]) -> list[list[bytes]]:
        self.entered.set()
        assert self.release.wait(10)
        return super().invalid_signers(groups)


async def _ready_task_held_in_its_check(
    tmp_path: Path, chain: MemoryChain
) -> tuple[Any, Any, Any, HeldVerifier, asyncio.Task[int]]:
    """A core whose task is ready and whose certification pass waits in its batch check."""
    verifier = HeldVerifier()
    core, certifier, store = make_core(tmp_path, verifier, chain=chain)
    task = make_task(1)
    await core.add_task(task)
    for i in range(3):
        await core.submit(signed(i, task, b"\x01"))
    certifying = asyncio.create_task(core.certify_ready(wait=True))
    assert await asyncio.to_thread(verifier.entered.wait, 10)
    return core, certifier, store, verifier, certifying


async def _closed_without_sending(
    verifier: HeldVerifier, certifying: asyncio.Task[int], certifier: Any, store: Any
) -> Any:
    """Let the held pass finish; it sent nothing. Returns the task's stored row."""
    verifier.release.set()
    assert await certifying == 0
    assert certifier.calls == []
    stored = store.get_task(1)
    assert stored is not None
    return stored


def test_a_task_expired_during_the_batch_check_is_neither_sent_nor_reopened(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        chain = MemoryChain()
        core, certifier, store, verifier, certifying = await _ready_task_held_in_its_check(
            tmp_path, chain
        )
        task = make_task(1)
        assert await core.expire(task.deadline_block) == [1]
        stored = await _closed_without_sending(verifier, certifying, certifier, store)
        assert stored.state is TaskState.EXPIRED

    asyncio.run(scenario())


def test_a_task_a_competitor_certified_during_the_batch_check_is_not_sent(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        chain = MemoryChain()
        core, certifier, store, verifier, certifying = await _ready_task_held_in_its_check(
            tmp_path, chain
        )
        task = make_task(1)
        theirs = Certification(b"\x09" * 32, THEIR_TX, False)
        chain.certified[1] = theirs
        assert await core.on_certified(task.task_index, theirs)
        stored = await _closed_without_sending(verifier, certifying, certifier, store)
        assert stored.state is TaskState.CERTIFIED
        assert stored.tx_hash == THEIR_TX

    asyncio.run(scenario())


def test_a_failed_submission_of_a_task_that_expired_meanwhile_stays_expired(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task(1)
        await core.add_task(task)
        for i in range(3):
            await core.submit(signed(i, task, b"\x01"))
        gate = threading.Event()
        real = certifier.certify

        def slow_failure(*args: object) -> object:
            assert gate.wait(10)
            raise RuntimeError("TaskExpired")

        certifier.certify = slow_failure
        certifying = asyncio.create_task(core.certify_ready(wait=True))
        await asyncio.sleep(0.2)  # the submission is in flight (state submitting)
        assert await core.expire(task.deadline_block) == []  # not while submitting
        gate.set()
        assert await certifying == 0
        certifier.certify = real
        assert await core.expire(task.deadline_block) == [1]
        stored = store.get_task(1)
        assert stored is not None
        assert stored.state is TaskState.EXPIRED

    asyncio.run(scenario())
