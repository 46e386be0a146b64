"""The aggregator under attack and after a crash, with real processes on a devnet.

Malformed requests get the right gRPC status and change nothing; a SIGKILLed aggregator
restarted mid-run loses no task and certifies none twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import pytest

from avs.crypto.bls import KeyPair
from avs.devnet.runner import expired_count, wait_settled
from avs.devnet.session import Devnet
from avs.rpc.tls import ClientTls
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc

WINDOW = 30
Reply = aggregator_pb2.SubmitResponseReply


@pytest.fixture
def stub(devnet: Devnet) -> Iterator[aggregator_pb2_grpc.AggregatorStub]:
    # The devnet's aggregator speaks TLS with the devnet's throwaway CA.
    credentials = ClientTls(devnet.layout.ca_file).credentials()
    channel = grpc.secure_channel(f"127.0.0.1:{devnet.aggregator_port}", credentials)
    yield aggregator_pb2_grpc.AggregatorStub(channel)
    channel.close()


def request(
    task_index: int, key: KeyPair, result: bytes = b"\x01"
) -> aggregator_pb2.SubmitResponseRequest:
    sig = key.sign(b"\x00" * 32)
    return aggregator_pb2.SubmitResponseRequest(
        version=1,
        task_index=task_index,
        result_bytes=result,
        signature_x=sig.x.to_bytes(32, "big"),
        signature_y=sig.y.to_bytes(32, "big"),
        operator_id=key.operator_id,
    )


def test_malformed_requests_get_the_right_status_and_change_nothing(
    devnet: Devnet, stub: aggregator_pb2_grpc.AggregatorStub
) -> None:
    # One task no honest majority can certify (100 % threshold, one faulty operator): it
    # stays open for the whole window, so requests about it reach the aggregation logic.
    (stuck,) = devnet.submit(devnet.prepare(range(100, 101), 4), 10_000, WINDOW)
    normal = devnet.submit(devnet.prepare(range(2), 4), 6_667, WINDOW)
    index = stuck.task.task_index
    stranger = KeyPair.from_secret(424242)

    bad_point = request(index, stranger)
    bad_point.signature_y = (5).to_bytes(32, "big")
    with pytest.raises(grpc.RpcError) as err:
        stub.SubmitResponse(bad_point, timeout=10)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    short_id = request(index, stranger)
    short_id.operator_id = b"\x01" * 5
    with pytest.raises(grpc.RpcError) as err:
        stub.SubmitResponse(short_id, timeout=10)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    oversized = request(index, stranger, result=b"\x01" * (5 * 1024 * 1024))
    with pytest.raises(grpc.RpcError) as err:
        stub.SubmitResponse(oversized, timeout=10)
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED

    reply = stub.SubmitResponse(request(987_654, stranger), timeout=10)
    assert reply.status == Reply.STATUS_UNKNOWN_TASK

    _wait_until_known(stub, index, stranger)
    reply = stub.SubmitResponse(request(index, stranger), timeout=10)
    assert reply.status == Reply.STATUS_NOT_REGISTERED

    seen = wait_settled(devnet, normal, timeout=60)
    assert all(s.task.task_index in seen.certified for s in normal)
    assert index not in seen.certified


def _wait_until_known(
    stub: aggregator_pb2_grpc.AggregatorStub, index: int, key: KeyPair, tries: int = 50
) -> None:
    import time

    for _ in range(tries):
        if stub.SubmitResponse(request(index, key), timeout=10).status != Reply.STATUS_UNKNOWN_TASK:
            return
        time.sleep(0.2)
    raise AssertionError(f"the aggregator never learned of task {index}")


def test_aggregator_killed_mid_run_loses_nothing(devnet: Devnet) -> None:
    first = devnet.submit(devnet.prepare(range(10, 16), 8), 6_667, WINDOW)
    devnet.kill_aggregator()
    second = devnet.submit(devnet.prepare(range(16, 22), 8), 6_667, WINDOW)
    devnet.start_aggregator()
    submitted = first + second
    seen = wait_settled(devnet, submitted, timeout=90)
    indices = {s.task.task_index for s in submitted}
    assert indices <= set(seen.certified), "every task certified after the restart"
    assert expired_count(submitted, seen) == 0
    # certified once: across both aggregator lives, no task got a second certificate
    # submission (a repeat would revert and be logged with outcome "already_certified")
    outcomes: dict[int, list[str]] = {}
    for line in (devnet.layout.logs / "aggregator.log").read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == "task_certified" and record["task"] in indices:
                outcomes.setdefault(record["task"], []).append(record["outcome"])
    assert all(found == ["certified"] for found in outcomes.values()), outcomes
