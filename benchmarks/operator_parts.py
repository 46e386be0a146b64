"""What the operator's fixed per-task floor is made of: each part of its path timed alone.

Used by ``benchmarks/operator.py`` for the overhead rows' notes: the node's path minus
the model run is these parts, so the sum shows how far the 20 % target is from reach
for a model of a given cost, and which part to attack next.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from avs.crypto.bls import KeyPair
from avs.protocol import Task, message_hash_from_digest, result_digest
from avs.protocol_merkle import rows_root
from avs.tasks.api import TaskType
from avs_operator.protection import ProtectionStore
from avs_operator.signer import ChainDomain
from benchmarks.common import median_time


def wall_median(fn: Callable[[], object], reps: int) -> float:
    """Median wall time of ``fn()`` in seconds (for parts that wait on the disk)."""
    spent = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def floor_note(
    task_type: TaskType,
    blob: bytes,
    tasks: Iterator[Task],
    domain: ChainDomain,
    store_path: Path,
    reps: int,
) -> str:
    """The parts of one task's path besides the model run, in ms (CPU; the record also wall)."""
    batch = task_type.decode_inputs(blob)
    task = next(tasks)
    keypair = KeyPair.from_secret(4343)
    t_hash = domain.task_hash(task)
    digest = result_digest(bytes(len(batch)))
    store = ProtectionStore(store_path)
    indices = iter(range(1, 1 << 62))

    def record() -> None:
        store.authorize(next(indices).to_bytes(32, "big"), 1, digest)

    cpu = {
        "inputs root": median_time(lambda: rows_root(batch.array), reps),
        "decode + checks": median_time(lambda: task_type.decode_inputs(blob), reps),
        "task hash": median_time(lambda: domain.task_hash(task), reps),
        "BLS sign": median_time(
            lambda: keypair.sign(message_hash_from_digest(t_hash, digest)), reps
        ),
        "durable record": median_time(record, reps),
    }
    record_wall = wall_median(record, reps)
    store.close()
    parts = ", ".join(f"{name} {seconds * 1e3:.3g}" for name, seconds in cpu.items())
    return (
        f"parts besides the model run, CPU ms: {parts} (sum {sum(cpu.values()) * 1e3:.3g}; "
        f"the record's wall time with its fsync: {record_wall * 1e3:.3g})"
    )
