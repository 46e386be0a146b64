"""Aggregator core: responses in, one verified certificate out, restart-safe.

Chain access is replaced by in-memory implementations of the ChainView/Certifier
protocols (the real ones are exercised against anvil in tests/integration); signatures,
verification and the SQLite store are real.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    CODEC,
    KEYS,
    make_core,
    make_task,
    signed,
)

from avs.crypto.batch_verify import FastVerifier
from avs.crypto.bls import KeyPair
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission, SubmitStatus
from avs_aggregator.broadcast import AggregatorBusyError
from avs_aggregator.codec import signature_bytes
from avs_aggregator.store import StoredResponse, TaskState
from avs_aggregator.verification import GroupToVerify, GroupVerifier


class PausingVerifier(GroupVerifier):
    """A real verifier whose certificate batch check waits until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.batch_started = threading.Event()
        self.release = threading.Event()

    def invalid_signers(self, groups: Sequence[GroupToVerify]) -> list[list[bytes]]:
        # Arriving responses are checked one signer per group; a certificate's group has many.
        if any(len(group.signers) > 1 for group in groups):
            self.batch_started.set()
            self.release.wait(timeout=30)
        return super().invalid_signers(groups)


def forged_other(i: int, task: Task) -> ResponseSubmission:
    """Operator ``i``'s id on another result, signed with a key that is not theirs."""
    message = CODEC.message_hash(CODEC.task_hash(task), b"\xee")
    stranger = KeyPair.from_secret(424242)
    return ResponseSubmission(task.task_index, KEYS[i].operator_id, b"\xee", stranger.sign(message))


def test_threshold_then_certificate_with_sorted_non_signers(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task()
        assert await core.add_task(task)
        assert not await core.add_task(task)
        assert (await core.submit(signed(0, task, b"\x03\x04"))).status is SubmitStatus.ACCEPTED
        assert (await core.submit(signed(0, task, b"\x03\x04"))).status is SubmitStatus.DUPLICATE
        assert (await core.submit(signed(1, task, b"\x03\x04"))).status is SubmitStatus.ACCEPTED
        assert await core.certify_ready() == 0  # 20 of 40 < 60 %
        assert (await core.submit(signed(2, task, b"\x03\x04"))).status is SubmitStatus.ACCEPTED
        assert await core.certify_ready() == 1
        assert certifier.calls == [(1, b"\x03\x04", [KEYS[3].operator_id])]
        late = await core.submit(signed(3, task, b"\x03\x04"))
        assert late.status is SubmitStatus.TASK_CLOSED
        stored = store.get_task(1)
        assert stored is not None
        assert stored.state is TaskState.CERTIFIED

    asyncio.run(scenario())


def test_forged_response_never_displaces_or_blocks_the_genuine_one(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        # Operator ids are public: a keyless attacker submits in operator 1's name first,
        # once with the genuine result and once with another one.
        for forged in (signed(1, task, b"\x09\x09", forge=True), forged_other(1, task)):
            assert (await core.submit(forged)).status is SubmitStatus.INVALID_SIGNATURE
        for i in range(3):
            assert (await core.submit(signed(i, task, b"\x09\x09"))).status is (
                SubmitStatus.ACCEPTED
            )
        assert await core.certify_ready() == 1
        assert certifier.calls[0][2] == [KEYS[3].operator_id]
        assert {r.operator_id for r in store.responses(1)} == {k.operator_id for k in KEYS[:3]}

    asyncio.run(scenario())


def test_forged_response_after_the_genuine_one_is_no_conflict(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, _certifier, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        assert (await core.submit(signed(0, task, b"\x01"))).status is SubmitStatus.ACCEPTED
        reply = await core.submit(forged_other(0, task))
        assert reply.status is SubmitStatus.INVALID_SIGNATURE
        assert len(store.responses(1)) == 1
        # Two verified signatures on different results: equivocation, kept once.
        for other in (b"\x02", b"\x03"):
            reply = await core.submit(signed(0, task, other))
            assert reply.status is SubmitStatus.CONFLICT
        assert len(store.responses(1)) == 2  # the first and one piece of evidence

    asyncio.run(scenario())


def test_certificate_holds_only_signatures_checked_before_it(tmp_path: Path) -> None:
    """A response arriving while the certificate's batch check runs never slips in unchecked."""

    async def scenario() -> None:
        verifier = PausingVerifier()
        core, certifier, _store = make_core(tmp_path, verifier)
        task = make_task()
        await core.add_task(task)
        for i in range(3):
            await core.submit(signed(i, task, b"\x07"))
        certifying = asyncio.create_task(core.certify_ready())
        await asyncio.to_thread(verifier.batch_started.wait)
        late = await core.submit(signed(3, task, b"\x07", forge=True))
        assert late.status is SubmitStatus.INVALID_SIGNATURE
        verifier.release.set()
        assert await certifying == 1
        (group,) = certifier.groups
        message = CODEC.message_hash(CODEC.task_hash(task), b"\x07")
        checker = FastVerifier()
        for operator_id, response in group.responses.items():
            key = next(k for k in KEYS if k.operator_id == operator_id)
            assert checker.verify(key.pubkey_g2, message, response.signature)
        assert KEYS[3].operator_id not in group.responses

    asyncio.run(scenario())


def test_altered_store_row_is_caught_by_the_certificate_batch_check(tmp_path: Path) -> None:
    async def first_run() -> None:
        core, _c, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        for i in range(2):
            await core.submit(signed(i, task, b"\x05"))
        forged = signed(2, task, b"\x05", forge=True)
        store.add_response(
            StoredResponse(1, forged.operator_id, b"\x05", signature_bytes(forged.signature))
        )
        store.close()

    async def second_run() -> None:
        core, certifier, _store = make_core(tmp_path)
        assert await core.recover() == 1
        assert await core.certify_ready() == 0  # the altered row is dropped: 20 of 40
        task = make_task()
        assert (await core.submit(signed(2, task, b"\x05"))).status is SubmitStatus.ACCEPTED
        assert await core.certify_ready() == 1
        assert certifier.calls[0][2] == [KEYS[3].operator_id]

    asyncio.run(first_run())
    asyncio.run(second_run())


def test_verification_backlog_is_bounded(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, _c, store = make_core(tmp_path, max_pending_verifications=0)
        task = make_task()
        await core.add_task(task)
        with pytest.raises(AggregatorBusyError):
            await core.submit(signed(0, task, b"\x01"))
        assert store.responses(1) == []

    asyncio.run(scenario())


def test_unknown_task_and_operator(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, _c, _s = make_core(tmp_path)
        task = make_task()
        assert (await core.submit(signed(0, task, b"\x01"))).status is SubmitStatus.UNKNOWN_TASK
        await core.add_task(task)
        stranger = KeyPair.from_secret(99)
        msg = CODEC.message_hash(CODEC.task_hash(task), b"\x01")
        reply = await core.submit(
            ResponseSubmission(1, stranger.operator_id, b"\x01", stranger.sign(msg))
        )
        assert reply.status is SubmitStatus.NOT_REGISTERED

    asyncio.run(scenario())


def test_restart_resumes_from_the_store(tmp_path: Path) -> None:
    async def first_run() -> None:
        core, _c, store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        await core.submit(signed(0, task, b"\x05"))
        await core.submit(signed(1, task, b"\x05"))
        store.close()

    async def second_run() -> None:
        core, certifier, _store = make_core(tmp_path)
        assert await core.recover() == 1
        task = make_task()
        assert (await core.submit(signed(1, task, b"\x05"))).status is SubmitStatus.DUPLICATE
        await core.submit(signed(2, task, b"\x05"))
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


def test_certified_while_the_head_is_still_the_tasks_own_block(tmp_path: Path) -> None:
    # Regression: the core waited for a block after the task's before sending, so no
    # certificate could land in the next block.
    async def scenario() -> None:
        core, certifier, _store = make_core(tmp_path)
        task = make_task()
        await core.add_task(task)
        assert await core.expire(task.created_block) == []  # the head the follower saw
        for i in range(3):
            await core.submit(signed(i, task, b"\x03\x04"))
        assert await core.certify_ready() == 1
        assert [call[0] for call in certifier.calls] == [task.task_index]

    asyncio.run(scenario())
