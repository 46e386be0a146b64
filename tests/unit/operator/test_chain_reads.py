"""The node's per-task chain reads: a head the poll just read is reused for deadline checks,
membership is read once per mined block, and a subscribed push stretches the poll timer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from avs.chain.client import ChainClient
from avs.chain.heads import HeadPush
from avs.chain.reader import ChainReader
from avs.metrics import OperatorMetrics
from avs.protocol import Task
from avs_operator.chainreads import ChainBlocks, ChainMembership
from avs_operator.health import CHAIN, ServiceTracker
from avs_operator.intake import TaskIntake
from avs_operator.signer import ChainDomain
from avs_operator.sources import ChainSource

OPERATOR = b"\x01" * 32


class Head:
    """A chain client that answers block_number, counting the calls."""

    def __init__(self, head: int) -> None:
        self.head = head
        self.calls = 0

    def block_number(self) -> int:
        self.calls += 1
        return self.head


class Bitmaps:
    """A reader whose operator is in quorum 0 at even blocks and in none at odd ones."""

    def __init__(self) -> None:
        self.calls = 0

    def quorum_bitmap(self, operator_id: bytes, block: int | None = None) -> int:
        self.calls += 1
        return 1 if block is not None and block % 2 == 0 else 0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_head_noted_by_the_poll_is_reused_only_while_fresh() -> None:
    chain, clock = Head(50), Clock()
    blocks = ChainBlocks(cast(ChainClient, chain), max_age_s=0.5, now=clock)
    blocks.note(42)
    assert asyncio.run(blocks.block_number()) == 42
    assert chain.calls == 0
    clock.now += 0.5
    assert asyncio.run(blocks.block_number()) == 50  # stale: asked again
    assert chain.calls == 1
    assert asyncio.run(blocks.block_number()) == 50  # the read it just made is fresh
    assert chain.calls == 1


def test_without_a_max_age_every_check_asks_the_chain() -> None:
    chain = Head(7)
    blocks = ChainBlocks(cast(ChainClient, chain))
    blocks.note(3)
    assert asyncio.run(blocks.block_number()) == 7
    assert asyncio.run(blocks.block_number()) == 7
    assert chain.calls == 2


def test_membership_is_read_once_per_seen_block_and_never_kept_for_a_future_one() -> None:
    reader, blocks = Bitmaps(), ChainBlocks(cast(ChainClient, Head(0)))
    blocks.note(10)
    membership = ChainMembership(cast(ChainReader, reader), blocks)

    async def quorums(block: int) -> frozenset[int]:
        return await membership.quorums_at(OPERATOR, block)

    assert asyncio.run(quorums(10)) == frozenset({0})
    assert asyncio.run(quorums(9)) == frozenset()
    assert asyncio.run(quorums(10)) == frozenset({0})
    assert reader.calls == 2
    asyncio.run(quorums(12))  # past every head seen: read again next time
    asyncio.run(quorums(12))
    assert reader.calls == 4


class QuietPush(HeadPush):
    """A subscription that never pushes; records how long each poll waited for one."""

    def __init__(self, connected: bool) -> None:
        super().__init__("ws://127.0.0.1:1")
        self.connected = connected
        self.waits: list[float] = []

    async def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        await asyncio.sleep(0)
        return False


class EmptyFeed:
    async def poll(self) -> Sequence[Task]:
        return []


def polls_waited(connected: bool) -> list[float]:
    push = QuietPush(connected)
    source = ChainSource(
        EmptyFeed(),
        ServiceTracker((CHAIN,)),
        ChainDomain(31337, "0x" + "11" * 20),
        OperatorMetrics.create(),
        interval=0.25,
        push=push,
        push_interval=2.0,
    )

    async def scenario() -> None:
        running = asyncio.create_task(source.run(TaskIntake()))
        while len(push.waits) < 3:
            await asyncio.sleep(0)
        running.cancel()

    asyncio.run(scenario())
    return push.waits[:3]


def test_a_subscribed_push_wakes_the_poll_and_the_timer_only_covers_a_lost_push() -> None:
    assert polls_waited(connected=True) == [2.0, 2.0, 2.0]
    assert polls_waited(connected=False) == [0.25, 0.25, 0.25]
