"""Linger: wait for late live signers after the threshold, never for the answered or the down."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_fakes import make_core, make_task, signed  # type: ignore[import-not-found]

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


def test_lingers_for_a_live_operator_that_has_not_answered(tmp_path: Path) -> None:
    async def scenario() -> None:
        core, certifier, _store = make_core(tmp_path, linger_seconds=LONG)
        first, second = make_task(1), make_task(2)
        for task in (first, second):
            await core.add_task(task)
        for i in range(4):
            await core.submit(signed(i, first, b"\x03"))
        for i in range(3):
            await core.submit(signed(i, second, b"\x03"))
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
