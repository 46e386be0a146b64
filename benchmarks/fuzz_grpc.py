"""Fuzz the aggregator's gRPC API over a real server, then certify an honest task.

Run: ``python benchmarks/fuzz_grpc.py --cases 2000 --json``. The real aggregator core
(in-memory chain, real signatures, store and verifier) serves on 127.0.0.1:0; random,
mutated and extreme requests go to every method (:mod:`avs.rpc.fuzz`). The report: cases
run, status codes seen per method, cases that got UNKNOWN/INTERNAL (a server failing on
input instead of judging it), whether the server still answers health checks, and whether
an honest task was certified afterwards. Exit status 1 when any of those is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from avs.crypto.bls import KeyPair
from avs.logging import configure_logging
from avs.metrics import AggregatorMetrics
from avs.models import BlobStore, content_hash
from avs.protocol import Task
from avs.rpc import convert
from avs.rpc.fuzz import BAD_CODES, make_case, send
from avs.rpc.messages import ResponseSubmission, SubmitStatus, SubscribeRequest
from avs.rpc.server import create_server
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.rpc.version import WIRE_VERSION
from avs_aggregator.codec import TaskCodec
from avs_aggregator.core import AggregatorCore
from avs_aggregator.memory import FixedOperatorChain, RecordingCertifier
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier

KEYS = [KeyPair.from_secret(0xF022 + i) for i in range(4)]
CODEC = TaskCodec(31337, "0x" + "44" * 20)


def _task(index: int) -> Task:
    return Task(
        index, b"\x01" * 32, b"\x02" * 32, 1, "avs-blob://x", b"\x00", 6000, 10, 10**6, 0,
        "0x" + "55" * 20,
    )  # fmt: skip


def _signed(key: KeyPair, task: Task, result: bytes) -> ResponseSubmission:
    message = CODEC.message_hash(CODEC.task_hash(task), result)
    return ResponseSubmission(task.task_index, key.operator_id, result, key.sign(message))


async def fuzz(cases: int, seed: int, work: Path) -> dict[str, object]:
    """Run ``cases`` fuzz cases against a fresh aggregator; the report as a dict."""
    chain = FixedOperatorChain(KEYS)
    certifier = RecordingCertifier(chain)
    core = AggregatorCore(
        TaskStore(work / "tasks.sqlite"), CODEC, chain, certifier, GroupVerifier(),
        AggregatorMetrics.create(), linger_seconds=0,
    )  # fmt: skip
    blobs = BlobStore(work / "blobs")
    server, port = create_server("127.0.0.1:0", core, blobs, 4 * 1024 * 1024)
    await server.start()
    runner = asyncio.create_task(core.run(poll_seconds=0.02))
    fuzzed, honest = _task(1), _task(2)
    await core.add_task(fuzzed)
    blobs.put(b"seed blob")
    seeds = {
        "SubmitResponse": [
            convert.submission_to_proto(_signed(KEYS[0], fuzzed, b"\x01")).SerializeToString()
        ],
        "SubscribeTasks": [
            convert.subscribe_to_proto(SubscribeRequest(KEYS[1].operator_id)).SerializeToString()
        ],
        "GetBlob": [
            aggregator_pb2.GetBlobRequest(
                version=WIRE_VERSION, content_hash=content_hash(b"seed blob")
            ).SerializeToString()
        ],
    }
    rng = random.Random(seed)
    codes: dict[str, dict[str, int]] = {}
    failures: list[dict[str, object]] = []
    started = time.monotonic()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            for number in range(cases):
                case = make_case(rng, seeds)
                code = await send(channel, case, timeout=10)
                per_method = codes.setdefault(case.method, {})
                per_method[code] = per_method.get(code, 0) + 1
                if code in BAD_CODES:
                    # The exact request, so the failure can be replayed as a regression test.
                    failures.append(
                        {
                            "case": number,
                            "method": case.method,
                            "code": code,
                            "strategy": case.strategy,
                            "messages_hex": [message.hex() for message in case.messages],
                        }
                    )
            health = health_pb2_grpc.HealthStub(channel)
            serving = (
                await health.Check(health_pb2.HealthCheckRequest(), timeout=10)
            ).status == health_pb2.HealthCheckResponse.SERVING
            await core.add_task(honest)
            stub = aggregator_pb2_grpc.AggregatorStub(channel)
            for key in KEYS[:3]:
                reply = await stub.SubmitResponse(
                    convert.submission_to_proto(_signed(key, honest, b"\x09")), timeout=30
                )
                assert convert.result_from_proto(reply).status is SubmitStatus.ACCEPTED
            async with asyncio.timeout(60):
                while not any(c.task_index == honest.task_index for c in certifier.calls):
                    await asyncio.sleep(0.02)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await server.stop(0)
    return {
        "cases": cases,
        "seed": seed,
        "seconds": round(time.monotonic() - started, 2),
        "status_codes": codes,
        "server_failures": failures,
        "server_alive": serving,
        "honest_task_certified": True,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500, help="fuzz cases to run (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    configure_logging("warning", json=True)  # stderr: stdout carries only the report
    with tempfile.TemporaryDirectory() as tmp:
        report = asyncio.run(fuzz(args.cases, args.seed, Path(tmp)))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    ok = not report["server_failures"] and report["server_alive"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
