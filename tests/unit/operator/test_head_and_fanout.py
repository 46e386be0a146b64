"""Head-progress health (a stalled or hung chain shows) and responses to several aggregators."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from structlog.testing import capture_logs

from avs.crypto.bls import KeyPair
from avs.errors import ChainError
from avs.nodeapi import ServiceStatus, health_code
from avs.protocol import TaskResponse
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs.rpc.status import RpcStatusError
from avs_operator.fanout import FanOutSink
from avs_operator.headwatch import HeadWatch
from avs_operator.health import AGGREGATOR, CHAIN, CHAIN_HEAD, ServiceTracker


class ScriptedClock:
    """Block numbers from a script; None stands for a request that fails."""

    def __init__(self, heads: list[int | None]) -> None:
        self.heads = heads

    async def block_number(self) -> int:
        head = self.heads.pop(0)
        if head is None:
            raise ChainError("eth_blockNumber failed: timed out")
        return head


class ManualTime:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_stalled_head_degrades_health_and_recovers() -> None:
    async def scenario() -> list[bool]:
        services = ServiceTracker((CHAIN, CHAIN_HEAD, AGGREGATOR))
        services.set(CHAIN, ServiceStatus.UP)
        services.set(AGGREGATOR, ServiceStatus.UP)
        clock = ScriptedClock([5, 6, 6, None, None, 6, 7])
        now = ManualTime()
        watch = HeadWatch(clock, services, block_time=1.0, stall_blocks=3, now=now)
        stalled = []
        for t in (0.0, 1.0, 2.0, 3.5, 4.5, 5.0, 6.0):
            now.t = t
            stalled.append(await watch.check())
            if t == 4.5:
                assert services.status(CHAIN_HEAD) is ServiceStatus.DOWN
                assert health_code(services.states()) == 206  # degraded, not down
        assert services.status(CHAIN_HEAD) is ServiceStatus.UP
        return stalled

    stalled = asyncio.run(scenario())
    # Last new block at t=1 (6); stalled from t=4 (3 block times) until block 7 at t=6.
    assert stalled == [False, False, False, False, True, True, False]


def test_head_watch_logs_loss_and_recovery_once() -> None:
    async def scenario() -> None:
        services = ServiceTracker((CHAIN_HEAD,))
        now = ManualTime()
        watch = HeadWatch(ScriptedClock([1, *[None] * 6, 2]), services, 1.0, 2, now=now)
        for t in range(8):
            now.t = float(t)
            await watch.check()

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert events.count("chain_head_stalled") == 1
    assert events.count("chain_head_advancing") == 1


class Answering:
    def __init__(self, status: SubmitStatus) -> None:
        self.status = status
        self.calls = 0

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        self.calls += 1
        return SubmitResult(self.status, self.status.value)


class Down:
    def __init__(self) -> None:
        self.calls = 0

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        self.calls += 1
        raise RpcStatusError("aggregator down", grpc.StatusCode.UNAVAILABLE)


RESPONSE = TaskResponse(1, b"\x01", KeyPair.from_secret(5).sign(b"\x02" * 32), b"\x03" * 32)


def test_fan_out_sends_to_every_aggregator_and_one_acceptance_wins() -> None:
    closed, down = Answering(SubmitStatus.TASK_CLOSED), Down()
    accepting = Answering(SubmitStatus.ACCEPTED)
    result = asyncio.run(FanOutSink([closed, down, accepting]).submit_response(RESPONSE, 1.0))
    assert result.status is SubmitStatus.ACCEPTED
    assert (closed.calls, down.calls, accepting.calls) == (1, 1, 1)


def test_fan_out_raises_only_when_no_aggregator_answers() -> None:
    sink = FanOutSink([Down(), Down()])
    with pytest.raises(RpcStatusError):
        asyncio.run(sink.submit_response(RESPONSE, 1.0))
    answer = asyncio.run(
        FanOutSink([Down(), Answering(SubmitStatus.TASK_CLOSED)]).submit_response(RESPONSE, 1.0)
    )
    assert answer.status is SubmitStatus.TASK_CLOSED
