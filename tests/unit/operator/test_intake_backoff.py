"""Task intake deduplicates across sources; retry backs off and gives up."""

from __future__ import annotations

import asyncio

import pytest

from avs.backoff import Backoff, retry
from avs_operator.intake import TaskIntake


def test_second_source_is_ignored() -> None:
    async def scenario() -> list[tuple[int, str]]:
        intake: TaskIntake[str] = TaskIntake()
        assert intake.offer(1, "t1", "chain")
        assert not intake.offer(1, "t1", "stream")
        assert intake.offer(2, "t2", "stream")
        got = [await intake.next(), await intake.next()]
        assert intake.pending() == 0
        return [(a.task_index, a.source) for a in got]

    assert asyncio.run(scenario()) == [(1, "chain"), (2, "stream")]


def test_memory_is_bounded() -> None:
    intake: TaskIntake[int] = TaskIntake(memory=2)
    for i in range(3):
        intake.offer(i, i, "chain")
    assert intake.offer(0, 0, "chain")  # forgotten, so accepted again
    assert not intake.offer(2, 2, "chain")


def test_retry_until_success_then_give_up() -> None:
    calls: list[int] = []
    fast = Backoff(initial=0.001, maximum=0.002)

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("down")
        return "ok"

    assert asyncio.run(retry(flaky, 5, lambda e: isinstance(e, ConnectionError), fast)) == "ok"
    assert len(calls) == 3

    async def always_down() -> str:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        asyncio.run(retry(always_down, 2, lambda e: True, fast))

    async def fatal() -> str:
        calls.append(1)
        raise ValueError("bad request")

    calls.clear()
    with pytest.raises(ValueError, match="bad request"):
        asyncio.run(retry(fatal, 5, lambda e: isinstance(e, ConnectionError), fast))
    assert len(calls) == 1


def test_backoff_grows_and_caps() -> None:
    b = Backoff(initial=1, factor=2, maximum=5, jitter=0)
    assert [b.delay(i) for i in range(5)] == [1, 2, 4, 5, 5]
