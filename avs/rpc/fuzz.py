"""A fuzzer for the Aggregator gRPC API: random, mutated and extreme requests per method.

Used by the bounded fuzz test (a few seconds in ``make test``) and by
``benchmarks/fuzz_grpc.py`` (long runs). It sends raw bytes, so undecodable messages reach
the server exactly as a hostile peer would send them; the caller judges the status codes
(a healthy server answers OK or a specific code, never UNKNOWN or INTERNAL).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

from avs.rpc.handlers import SERVICE_NAME
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION

METHODS = ("SubmitResponse", "SubscribeTasks", "GetBlob", "PutBlob")
"""Every method of the Aggregator service."""
BAD_CODES = frozenset({"UNKNOWN", "INTERNAL"})
"""Codes that mean the server failed on the input instead of judging it."""
_HUGE = 512 * 1024


@dataclass(frozen=True, slots=True)
class FuzzCase:
    """One call: the method and the raw request message(s) (several for PutBlob)."""

    method: str
    """Aggregator method name."""
    messages: tuple[bytes, ...]
    """Serialized (or not even serialized) request messages."""
    strategy: str
    """How the case was made: random, mutated or fields."""


def _field_value(rng: random.Random, kind: str) -> Any:
    if kind == "uint":
        return rng.choice([0, 1, WIRE_VERSION, 2**32 - 1, rng.randrange(2**32)])
    if kind == "uint64":
        return rng.choice([0, 1, 2**63, 2**64 - 1, rng.randrange(2**64)])
    size = rng.choice([0, 1, 31, 32, 33, 64, rng.randrange(4096), _HUGE])
    return rng.randbytes(size)


def _random_fields(rng: random.Random, method: str) -> bytes:
    pb = aggregator_pb2
    v = WIRE_VERSION if rng.random() < 0.7 else _field_value(rng, "uint")
    if method == "SubmitResponse":
        return pb.SubmitResponseRequest(
            version=v,
            task_index=_field_value(rng, "uint"),
            result_bytes=_field_value(rng, "bytes"),
            signature_x=_field_value(rng, "bytes"),
            signature_y=_field_value(rng, "bytes"),
            operator_id=_field_value(rng, "bytes"),
        ).SerializeToString()
    if method == "SubscribeTasks":
        types = ["".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(40)))]
        return pb.SubscribeTasksRequest(
            version=v,
            operator_id=_field_value(rng, "bytes"),
            from_task_index=_field_value(rng, "uint"),
            task_types=types * rng.randrange(3),
        ).SerializeToString()
    if method == "GetBlob":
        return pb.GetBlobRequest(
            version=v, content_hash=_field_value(rng, "bytes"), offset=_field_value(rng, "uint64")
        ).SerializeToString()
    return pb.PutBlobChunk(
        version=v,
        content_hash=_field_value(rng, "bytes"),
        total_size=_field_value(rng, "uint64"),
        offset=_field_value(rng, "uint64"),
        data=_field_value(rng, "bytes"),
    ).SerializeToString()


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        choice = rng.random()
        if choice < 0.4 and out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif choice < 0.6 and out:
            del out[rng.randrange(len(out)) :]
        elif choice < 0.8:
            at = rng.randrange(len(out) + 1)
            out[at:at] = rng.randbytes(rng.randrange(1, 16))
        else:
            out += bytes([rng.randrange(256)]) * rng.randrange(1, 8)
    return bytes(out)


def make_case(rng: random.Random, seeds: Mapping[str, Sequence[bytes]]) -> FuzzCase:
    """One random case; ``seeds`` holds valid request bytes per method to mutate."""
    method = rng.choice(METHODS)
    strategy = rng.choice(("random", "mutated", "fields"))
    count = rng.randrange(1, 4) if method == "PutBlob" else 1
    messages = []
    for _ in range(count):
        if strategy == "random":
            messages.append(rng.randbytes(rng.choice([0, 1, 7, rng.randrange(2048)])))
        elif strategy == "mutated" and seeds.get(method):
            messages.append(_mutate(rng, rng.choice(list(seeds[method]))))
        else:
            messages.append(_random_fields(rng, method))
    return FuzzCase(method, tuple(messages), strategy)


async def send(channel: Any, case: FuzzCase, timeout: float, idle: float = 0.2) -> str:
    """Send ``case`` over ``channel`` (grpc.aio); the status code name ("OK" on success).

    Streams are read for at most a few messages, then cancelled; a stream that stays quiet
    for ``idle`` seconds counts as OK (SubscribeTasks never ends by itself).
    """
    path = f"/{SERVICE_NAME}/{case.method}"
    try:
        if case.method == "SubmitResponse":
            await channel.unary_unary(path)(case.messages[0], timeout=timeout)
        elif case.method in ("SubscribeTasks", "GetBlob"):
            call = channel.unary_stream(path)(case.messages[0], timeout=timeout)
            try:
                for _ in range(4):
                    # An open stream with nothing more to say is a fine answer.
                    async with asyncio.timeout(idle):
                        message = await call.read()
                    if message is grpc.aio.EOF:
                        break
            except TimeoutError:
                pass
            finally:
                call.cancel()
        else:

            async def requests() -> AsyncIterator[bytes]:
                for message in case.messages:
                    yield message

            await channel.stream_unary(path)(requests(), timeout=timeout)
    except grpc.aio.AioRpcError as exc:
        code: str = exc.code().name
        return code
    return "OK"
