"""The load benchmark's summaries: percentiles and the aggregator's batch-size histogram."""

from __future__ import annotations

import sys
from pathlib import Path

from prometheus_client import generate_latest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from avs.metrics import AggregatorMetrics
from benchmarks.load_report import percentiles, summarise_batches


def test_percentiles_use_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentiles(values) == {"p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}
    assert percentiles([7.0]) == {"p50": 7.0, "p95": 7.0, "p99": 7.0, "max": 7.0}
    assert percentiles([])["p50"] is None


def test_batch_sizes_are_read_from_the_aggregators_exposition() -> None:
    metrics = AggregatorMetrics.create()
    for size in (1, 1, 3, 200):
        metrics.verify_batch_size.observe(size)
    summary = summarise_batches(generate_latest(metrics.registry).decode())
    assert summary == {
        "batches": 4,
        "mean_size": 51.2,
        "per_bucket": {"<=1": 2, "<=4": 1, "<=256": 1},
    }


def test_no_batches_is_an_empty_summary() -> None:
    assert summarise_batches("") == {"batches": 0, "mean_size": None, "per_bucket": {}}
