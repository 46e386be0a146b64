"""Per-stage latency of a devnet run: stage histograms read from /metrics pages, merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import generate_latest

from avs.devnet.stages import (
    merge,
    metrics_port,
    parse_stage_buckets,
    quantile,
    slowest,
    stage_table,
)
from avs.metrics import AggregatorMetrics, OperatorMetrics


def page(observations: dict[str, list[float]], operator: bool = True) -> str:
    metrics = OperatorMetrics.create() if operator else AggregatorMetrics.create()
    for stage, values in observations.items():
        for value in values:
            metrics.stage_seconds.labels(stage=stage).observe(value)
    return generate_latest(metrics.registry).decode()


def test_operators_pages_merge_into_one_histogram_per_stage() -> None:
    first = parse_stage_buckets(page({"inference": [0.004] * 10, "sign": [0.02]}))
    second = parse_stage_buckets(page({"inference": [0.004] * 10}))
    merged = merge([first, second])
    assert merged["inference"][float("inf")] == 20
    assert merged["sign"][float("inf")] == 1
    assert "seen" not in merged  # never observed: no row


def test_quantiles_interpolate_within_the_bucket() -> None:
    buckets = {0.01: 0.0, 0.02: 10.0, 0.05: 10.0, float("inf"): 10.0}
    assert quantile(buckets, 0.5) == pytest.approx(0.015)
    assert quantile(buckets, 1.0) == pytest.approx(0.02)
    assert quantile({0.1: 0.0, float("inf"): 4.0}, 0.95) == 0.1  # past the last bound
    assert quantile({float("inf"): 0.0}, 0.5) is None


def test_stage_table_in_pipeline_order_with_the_slowest_named() -> None:
    operators = parse_stage_buckets(page({"inference": [0.004] * 9, "submit": [0.09] * 9}))
    aggregator = parse_stage_buckets(page({"mined": [0.7] * 3, "seen": [0.002]}, operator=False))
    table = stage_table(operators, aggregator)
    assert list(table) == [
        "operator.inference",
        "operator.submit",
        "aggregator.seen",
        "aggregator.mined",
    ]
    assert table["aggregator.mined"]["count"] == 3
    assert 500 < table["aggregator.mined"]["p95"] <= 750  # within its bucket (0.5, 0.75]
    assert slowest(table) == "aggregator.mined"
    assert slowest({}) is None


def test_metrics_port_from_a_node_config(tmp_path: Path) -> None:
    config = tmp_path / "operator.yaml"
    config.write_text("metrics_port: 9123\nrpc_url: http://x\n")
    assert metrics_port(config) == 9123
    config.write_text("metrics_port: -1\n")
    assert metrics_port(config) is None
    assert metrics_port(tmp_path / "missing.yaml") is None
