"""Summaries for ``benchmarks/load.py``: percentiles, and the aggregator's batch-size histogram."""

from __future__ import annotations

import math
from collections.abc import Sequence

BATCH_METRIC = "avs_verify_batch_size"


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 (nearest rank) and the maximum; None for an empty sample."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": round(ordered[-1], 1)}


def summarise_batches(exposition: str) -> dict[str, object]:
    """Batches verified, mean size, and batches per size bucket, from the Prometheus text
    of ``avs_verify_batch_size`` (cumulative ``le`` buckets turned into per-bucket counts)."""
    cumulative: list[tuple[float, float]] = []
    count = total = 0.0
    for line in exposition.splitlines():
        if line.startswith(BATCH_METRIC + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            cumulative.append((math.inf if le == "+Inf" else float(le), float(line.split()[-1])))
        elif line.startswith(BATCH_METRIC + "_count"):
            count = float(line.split()[-1])
        elif line.startswith(BATCH_METRIC + "_sum"):
            total = float(line.split()[-1])
    per_bucket: dict[str, int] = {}
    previous = 0.0
    for bound, seen in sorted(cumulative):
        if seen > previous:
            name = "inf" if math.isinf(bound) else str(int(bound))
            per_bucket["<=" + name] = int(seen - previous)
        previous = seen
    return {
        "batches": int(count),
        "mean_size": round(total / count, 1) if count else None,
        "per_bucket": per_bucket,
    }


STAGE_METRIC = "avs_task_stage_seconds"


def summarise_stages(exposition: str) -> dict[str, float]:
    """Mean milliseconds per stage of a task in the aggregator (``avs_task_stage_seconds``:
    seen, collect, linger, verify, send, mined), from its sum and count."""
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for line in exposition.splitlines():
        for suffix, into in (("_sum{", sums), ("_count{", counts)):
            if line.startswith(STAGE_METRIC + suffix) and 'stage="' in line:
                stage = line.split('stage="', 1)[1].split('"', 1)[0]
                into[stage] = float(line.split()[-1])
    return {
        stage: round(sums.get(stage, 0.0) * 1000 / count, 1)
        for stage, count in counts.items()
        if count
    }
