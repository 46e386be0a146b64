"""New blocks pushed over anvil's websocket wake the chain source; nothing is lost without it.

The source polls only once an hour here, so a task that arrives at all arrived because a
push (or the reconnect after an outage) woke it. The websocket goes through a loopback
forwarder the test cuts, as a node restart or a dropped connection would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from stakers.switchable_proxy import SwitchableProxy  # type: ignore[import-not-found]
from websockets.asyncio.server import ServerConnection, serve

from avs.backoff import Backoff
from avs.chain.client import ChainClient
from avs.chain.heads import HeadPush
from avs.chain.subscriber import ChainSubscriber
from avs.errors import ConfigError
from avs.metrics import OperatorMetrics
from avs.protocol import Task
from avs_operator.chainports import ChainTasks, chain_domain
from avs_operator.health import CHAIN, ServiceTracker
from avs_operator.intake import TaskIntake
from avs_operator.sources import ChainSource

from .systems import SmallSystem

HOUR = 3600.0
QUICK = Backoff(initial=0.05, factor=2.0, maximum=0.2, jitter=0.0)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def next_task(intake: TaskIntake[Task], timeout: float = 30.0) -> Task:
    async with asyncio.timeout(timeout):
        return (await intake.next()).task


def source_over(system: SmallSystem, push: HeadPush, interval: float) -> ChainSource:
    dev = system.dev
    client = dev.client
    feed = ChainTasks(
        client,
        ChainSubscriber(client, dev.deployment),
        client.block_number() + 1,  # only tasks created by the test
        0,
    )
    metrics = OperatorMetrics.create()
    services = ServiceTracker((CHAIN,))
    return ChainSource(feed, services, chain_domain(dev.deployment), metrics, interval, push=push)


async def create(system: SmallSystem) -> Task:
    return await asyncio.to_thread(system.dev.create_task, system.float_model, [0])


def test_pushed_blocks_wake_the_source_and_an_outage_loses_no_task(
    anvil: str, small_system: SmallSystem
) -> None:
    port = int(anvil.rsplit(":", 1)[1])
    proxy = SwitchableProxy(("127.0.0.1", port))
    proxy.on()
    push = HeadPush(f"ws://127.0.0.1:{proxy.port}", backoff=QUICK)
    source = source_over(small_system, push, HOUR)
    intake: TaskIntake[Task] = TaskIntake()

    async def scenario() -> None:
        runners = [asyncio.create_task(push.run()), asyncio.create_task(source.run(intake))]
        try:
            await until(lambda: push.connected)
            first = await create(small_system)
            assert (await next_task(intake)).task_index == first.task_index

            proxy.off()  # the websocket drops; blocks keep coming
            await until(lambda: not push.connected)
            missed = [await create(small_system) for _ in range(2)]
            proxy.on()
            # Resubscribing wakes the source, which reads every block since its last read.
            got = [await next_task(intake) for _ in missed]
            assert [t.task_index for t in got] == [t.task_index for t in missed]

            after = await create(small_system)
            assert (await next_task(intake)).task_index == after.task_index
            assert intake.pending() == 0
        finally:
            for runner in runners:
                runner.cancel()
            await asyncio.gather(*runners, return_exceptions=True)
            proxy.off()

    asyncio.run(scenario())


def test_without_a_websocket_the_poll_still_delivers(anvil: str, small_system: SmallSystem) -> None:
    proxy = SwitchableProxy(("127.0.0.1", 1))  # never switched on: connections refused
    push = HeadPush(f"ws://127.0.0.1:{proxy.port}", backoff=QUICK)
    source = source_over(small_system, push, 0.2)
    intake: TaskIntake[Task] = TaskIntake()

    async def scenario() -> None:
        runners = [asyncio.create_task(push.run()), asyncio.create_task(source.run(intake))]
        try:
            task = await create(small_system)
            assert (await next_task(intake)).task_index == task.task_index
            assert not push.connected
            assert push.pushes == 0
        finally:
            for runner in runners:
                runner.cancel()
            await asyncio.gather(*runners, return_exceptions=True)

    asyncio.run(scenario())


def test_hostile_messages_never_wake_nor_stop_the_subscription() -> None:
    """A node that sends garbage and other subscriptions' heads: none of it wakes the
    waiter, and the subscription stays up."""
    sent: list[str] = []

    async def node(socket: ServerConnection) -> None:
        request = json.loads(await socket.recv())
        assert request["method"] == "eth_subscribe"
        assert request["params"] == ["newHeads"]
        await socket.send("not json")
        await socket.send(json.dumps([1, 2, 3]))
        await socket.send(json.dumps({"id": request["id"], "result": "0xabc"}))
        for message in (
            "{]",
            json.dumps({"method": "eth_subscription", "params": "0xabc"}),
            json.dumps({"method": "eth_subscription", "params": {"subscription": "0xother"}}),
            json.dumps({"method": "eth_other", "params": {"subscription": "0xabc"}}),
        ):
            await socket.send(message)
        sent.append("noise")
        await socket.wait_closed()

    async def scenario() -> None:
        async with serve(node, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            push = HeadPush(f"ws://127.0.0.1:{port}", backoff=QUICK)
            runner = asyncio.create_task(push.run())
            try:
                await until(lambda: push.connected and bool(sent))
                await push.wait(0)  # the wake-up every (re)connection gives
                await asyncio.sleep(0.2)
                assert push.pushes == 0
                assert not await push.wait(0.1)
                assert push.connected
            finally:
                runner.cancel()
                await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(scenario())


def test_a_url_that_is_not_a_websocket_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a websocket URL"):
        HeadPush("http://127.0.0.1:8545")


def test_anvil_serves_websocket_subscriptions_on_its_http_port(anvil: str) -> None:
    client = ChainClient.connect(anvil)
    push = HeadPush(anvil.replace("http://", "ws://"), backoff=QUICK)

    async def scenario() -> None:
        runner = asyncio.create_task(push.run())
        try:
            await until(lambda: push.connected)
            await push.wait(0)
            await asyncio.to_thread(client.rpc, "anvil_mine", ["0x1"])
            assert await push.wait(30)
            assert push.pushes >= 1
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(scenario())
