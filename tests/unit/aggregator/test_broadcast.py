"""Task fan-out to streams: bounded queues drop a slow reader with a retryable error."""

from __future__ import annotations

import asyncio

import pytest

from avs.protocol import Task
from avs.rpc.messages import SubscribeRequest, TaskHints
from avs_aggregator.broadcast import AggregatorBusyError, TaskBroadcast


def task(index: int) -> Task:
    return Task(index, b"\x01" * 32, b"\x02" * 32, 1, "", b"\x00", 6000, 1, 9, 0, "0x" + "55" * 20)


def test_a_reader_that_falls_behind_is_dropped_not_buffered_without_end() -> None:
    async def scenario() -> list[int]:
        broadcast = TaskBroadcast(max_streams=4, queue_size=2)
        stream = broadcast.subscribe(SubscribeRequest(b"\x00" * 32), list)
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)  # the stream is registered and waits for tasks
        assert broadcast.open_streams == 1
        for i in range(1, 5):  # the reader takes none of them meanwhile
            broadcast.publish(task(i), TaskHints())
        got = [(await first)[0].task_index]
        with pytest.raises(AggregatorBusyError, match="fell more than 2 tasks behind"):
            await anext(stream)
        assert broadcast.open_streams == 0
        return got

    assert asyncio.run(scenario()) == [1]


def test_filters_apply_to_open_and_new_tasks() -> None:
    async def scenario() -> list[int]:
        broadcast = TaskBroadcast()
        request = SubscribeRequest(b"\x00" * 32, from_task_index=2, task_types=("int-mlp",))
        exact, other = TaskHints("int-mlp"), TaskHints("onnx-classify")
        stream = broadcast.subscribe(request, lambda: [(task(1), exact), (task(2), exact)])
        got = [(await anext(stream))[0].task_index]
        pending = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        broadcast.publish(task(3), other)
        broadcast.publish(task(4), exact)
        got.append((await pending)[0].task_index)
        await stream.aclose()
        return got

    assert asyncio.run(scenario()) == [2, 4]
