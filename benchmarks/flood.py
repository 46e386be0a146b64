"""The aggregator's submit path under a flood of forged responses (keyless attacker).

Every response is verified on arrival (one pairing check on cached key lines), so a forged
response can no longer displace or block a genuine one; what a flood can still do is take
CPU. This measures honest responses/s through ``AggregatorCore.submit`` alone (baseline)
and with ``FORGED_PER_HONEST`` forged responses interleaved (same operator ids, signatures
from a stranger's key), in the same run.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import g1_mul, hash_to_g1
from avs.crypto.points import G1Point, R
from avs.metrics import AggregatorMetrics
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission, SubmitStatus
from avs_aggregator.codec import TaskCodec
from avs_aggregator.core import AggregatorCore
from avs_aggregator.memory import FixedOperatorChain, RecordingCertifier
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier
from benchmarks.common import Row, median_time, row

FORGED_PER_HONEST = 4
CODEC = TaskCodec(31337, "0x" + "44" * 20)
RESULT = b"\x07" * 8
Load = list[tuple[ResponseSubmission, SubmitStatus]]
"""Submissions in arrival order, each with the status it must get."""


def _sign(message: bytes, sk: int) -> G1Point:
    return g1_mul(hash_to_g1(message), sk)


def _task(index: int) -> Task:
    return Task(
        index, b"\x01" * 32, b"\x02" * 32, 8, "avs-blob://x", b"\x00", 10_000, 1, 10**9, 0,
        "0x" + "55" * 20,
    )  # fmt: skip


def _workload(
    rng: random.Random, keys: list[KeyPair], sks: list[int], index: int, forged: int
) -> Load:
    """Submissions for task ``index`` in arrival order, each with the status it must get."""
    task = _task(index)
    message = CODEC.message_hash(CODEC.task_hash(task), RESULT)
    out: list[tuple[ResponseSubmission, SubmitStatus]] = []
    for key, sk in zip(keys, sks, strict=True):
        for _ in range(forged):
            fake = ResponseSubmission(
                index, key.operator_id, RESULT, _sign(message, rng.randrange(1, R))
            )
            out.append((fake, SubmitStatus.INVALID_SIGNATURE))
        out.append(
            (
                ResponseSubmission(index, key.operator_id, RESULT, _sign(message, sk)),
                SubmitStatus.ACCEPTED,
            )
        )
    return out


def flood_rows(operators: int, reps: int) -> list[Row]:
    """Rows ``submit_honest_32`` (baseline) vs ``submit_honest_under_forged_flood_32``."""
    rng = random.Random(12)
    sks = [rng.randrange(1, R) for _ in range(operators)]
    keys = [KeyPair.from_secret(sk) for sk in sks]
    verifier = GroupVerifier()  # shared: operators' key lines are cached, as in a live aggregator
    loads = {
        forged: [_workload(rng, keys, sks, i + 1, forged) for i in range(reps + 1)]
        for forged in (0, FORGED_PER_HONEST)
    }

    def runner(forged: int) -> Callable[[], None]:
        queue = list(loads[forged])

        def run() -> None:
            asyncio.run(_submit_all(keys, verifier, queue.pop(0)))

        return run

    honest = median_time(runner(0), reps)
    flooded = median_time(runner(FORGED_PER_HONEST), reps)
    per_task = operators * (1 + FORGED_PER_HONEST)
    return [
        row(
            f"submit_honest_under_forged_flood_{operators}",
            operators / honest,
            operators / flooded,
            "responses/s",
            f"honest responses/s through AggregatorCore.submit with {FORGED_PER_HONEST} forged "
            f"responses (same operator ids) before each honest one; baseline: no flood. "
            f"Forged rejected at {per_task / flooded - operators / flooded:.0f}/s; every honest "
            "response was ACCEPTED, every forged one INVALID_SIGNATURE",
        )
    ]


async def _submit_all(
    keys: list[KeyPair],
    verifier: GroupVerifier,
    load: list[tuple[ResponseSubmission, SubmitStatus]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        chain = FixedOperatorChain(keys)
        core = AggregatorCore(
            TaskStore(Path(tmp) / "tasks.sqlite"), CODEC, chain, RecordingCertifier(chain),
            verifier, AggregatorMetrics.create(), linger_seconds=3600,
        )  # fmt: skip
        await core.add_task(_task(load[0][0].task_index))
        for submission, expected in load:
            status = (await core.submit(submission)).status
            assert status is expected, (status, expected)
