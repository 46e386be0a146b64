"""Hostile peers against the real aggregator (core + gRPC server on port 0)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import grpc
import pytest

from avs.crypto.bls import KeyPair
from avs.models import content_hash
from avs.rpc import convert
from avs.rpc.fuzz import BAD_CODES, METHODS, FuzzCase, make_case, send
from avs.rpc.messages import SubmitStatus, SubscribeRequest
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.rpc.version import WIRE_VERSION
from avs_aggregator.broadcast import TaskBroadcast

from .served_core import KEYS, make_task, serve, signed

pytestmark = pytest.mark.integration
STRANGER = KeyPair.from_secret(0xBAD)


async def submit(stub: aggregator_pb2_grpc.AggregatorStub, submission: object) -> SubmitStatus:
    reply = await stub.SubmitResponse(convert.submission_to_proto(submission), timeout=30)  # type: ignore[arg-type]
    return convert.result_from_proto(reply).status


def test_keyless_flood_never_blocks_the_genuine_responses(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with serve(tmp_path) as served, grpc.aio.insecure_channel(served.target) as channel:
            stub = aggregator_pb2_grpc.AggregatorStub(channel)
            task = make_task(1)
            await served.core.add_task(task)
            # Every operator id is public: forge each one first, same and other results.
            for key in KEYS:
                for result in (b"\x05", b"\x06"):
                    forged = signed(key, task, result, signer=STRANGER)
                    assert await submit(stub, forged) is SubmitStatus.INVALID_SIGNATURE
            for key in KEYS[:3]:
                assert await submit(stub, signed(key, task, b"\x05")) is SubmitStatus.ACCEPTED
            await served.certified(1)
            (call,) = served.certifier.calls
            assert call.non_signers == [KEYS[3].operator_id]

    asyncio.run(scenario())


def test_undecodable_requests_are_invalid_argument_for_every_method(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with serve(tmp_path) as served, grpc.aio.insecure_channel(served.target) as channel:
            for method in METHODS:
                code = await send(channel, FuzzCase(method, (b"\xff\xff\xff\xff",), "random"), 10)
                assert code == "INVALID_ARGUMENT", method

    asyncio.run(scenario())


def test_get_blob_checks_the_offset_before_reading(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with serve(tmp_path) as served, grpc.aio.insecure_channel(served.target) as channel:
            data = bytes(range(256)) * 2000
            digest = served.blobs.put(data)
            stub = aggregator_pb2_grpc.AggregatorStub(channel)

            async def get(offset: int, blob: bytes = digest) -> list[aggregator_pb2.BlobChunk]:
                request = aggregator_pb2.GetBlobRequest(
                    version=WIRE_VERSION, content_hash=blob, offset=offset
                )
                return [chunk async for chunk in stub.GetBlob(request, timeout=30)]

            (at_end,) = await get(len(data))
            assert (at_end.data, at_end.total_size) == (b"", len(data))
            tail = await get(len(data) - 10)
            assert b"".join(c.data for c in tail) == data[-10:]
            assert b"".join(c.data for c in await get(0)) == data
            for offset, blob, code in (
                (len(data) + 1, digest, grpc.StatusCode.INVALID_ARGUMENT),
                (2**64 - 1, digest, grpc.StatusCode.INVALID_ARGUMENT),
                (0, content_hash(b"absent"), grpc.StatusCode.NOT_FOUND),
            ):
                with pytest.raises(grpc.aio.AioRpcError) as err:
                    await get(offset, blob)
                assert err.value.code() is code

    asyncio.run(scenario())


def test_task_streams_are_limited_in_number(tmp_path: Path) -> None:
    async def scenario() -> None:
        broadcast = TaskBroadcast(max_streams=1, queue_size=8)
        async with (
            serve(tmp_path, broadcast) as served,
            grpc.aio.insecure_channel(served.target) as channel,
        ):
            await served.core.add_task(make_task(1))
            stub = aggregator_pb2_grpc.AggregatorStub(channel)
            request = convert.subscribe_to_proto(SubscribeRequest(KEYS[0].operator_id))
            first = stub.SubscribeTasks(request, timeout=30)
            assert (await first.read()).task_index == 1
            second = stub.SubscribeTasks(request, timeout=30)
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await second.read()
            assert err.value.code() is grpc.StatusCode.UNAVAILABLE
            first.cancel()

    asyncio.run(scenario())


def test_fuzzed_requests_never_crash_and_an_honest_task_still_certifies(tmp_path: Path) -> None:
    """Random, mutated and extreme requests for every method, bounded to a few seconds."""

    async def scenario() -> None:
        async with serve(tmp_path) as served, grpc.aio.insecure_channel(served.target) as channel:
            task = make_task(7)
            await served.core.add_task(task)
            served.blobs.put(b"seed blob")
            seeds = {
                "SubmitResponse": [
                    convert.submission_to_proto(signed(KEYS[0], task, b"\x01")).SerializeToString()
                ],
                "SubscribeTasks": [
                    convert.subscribe_to_proto(
                        SubscribeRequest(KEYS[1].operator_id)
                    ).SerializeToString()
                ],
                "GetBlob": [
                    aggregator_pb2.GetBlobRequest(
                        version=WIRE_VERSION, content_hash=content_hash(b"seed blob")
                    ).SerializeToString()
                ],
            }
            rng = random.Random(12)
            seen: dict[str, int] = {}
            loop = asyncio.get_running_loop()
            give_up = loop.time() + 4
            while loop.time() < give_up:
                case = make_case(rng, seeds)
                code = await send(channel, case, timeout=10)
                seen[code] = seen.get(code, 0) + 1
                assert code not in BAD_CODES, (case.method, case.strategy, case.messages[0][:64])
            assert "INVALID_ARGUMENT" in seen
            for key in KEYS[1:]:
                stub = aggregator_pb2_grpc.AggregatorStub(channel)
                assert await submit(stub, signed(key, task, b"\x09")) is SubmitStatus.ACCEPTED
            await served.certified(7)

    asyncio.run(scenario())
