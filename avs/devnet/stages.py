"""Where a task's time goes: the per-stage histograms every devnet process exports, merged.

Each process times its own stages with its own clock (``avs_task_stage_seconds{stage}`` on
its Prometheus endpoint); nothing here trusts timings one process reports about another.
The devnet reads every endpoint once the tasks are settled, adds the operators' histograms
up, and estimates p50/p95 per stage from the buckets (as Prometheus' histogram_quantile
does: linear within a bucket, so a figure is as fine as the buckets around it).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from avs.metrics import STAGE_METRIC

OPERATOR_STAGES = ("seen", "queue", "checks", "fetch", "inference", "sign", "submit")
"""An operator's stages, in order: block read to task queued (``seen``), queued to started,
chain checks and model lookup, input fetch and model load, the model's run, signing, and
the SubmitResponse round trip (the aggregator's check on arrival included)."""
AGGREGATOR_STAGES = ("seen", "collect", "linger", "verify", "send", "mined")
"""The aggregator's stages, in order: block read to task taken up (``seen``), taken up to
threshold reached, threshold to certificate batch, the batch signature check, building and
sending the transaction, and sent to its receipt."""

Buckets = dict[float, float]
"""Cumulative bucket counts by upper bound (``le``), +inf included."""


def metrics_port(config: Path) -> int | None:
    """The Prometheus port a devnet node's YAML config names (None: none or disabled)."""
    try:
        settings = yaml.safe_load(config.read_text())
    except (OSError, yaml.YAMLError):
        return None
    port = settings.get("metrics_port") if isinstance(settings, dict) else None
    return port if isinstance(port, int) and port > 0 else None


def scrape(port: int, timeout: float = 5.0) -> dict[str, Buckets]:
    """The stage histograms served on 127.0.0.1:``port`` (empty when it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
            text = resp.read(8 * 1024 * 1024).decode()
    except (urllib.error.URLError, OSError, UnicodeDecodeError):
        return {}
    return parse_stage_buckets(text)


def parse_stage_buckets(text: str) -> dict[str, Buckets]:
    """Cumulative buckets of ``avs_task_stage_seconds`` by stage, from a /metrics page."""
    stages: dict[str, Buckets] = {}
    for family in text_string_to_metric_families(text):
        if family.name != STAGE_METRIC:
            continue
        for sample in family.samples:
            if not sample.name.endswith("_bucket"):
                continue
            stage = sample.labels.get("stage", "")
            bound = float(sample.labels["le"])
            stages.setdefault(stage, {})[bound] = float(sample.value)
    return stages


def merge(histograms: Iterable[Mapping[str, Buckets]]) -> dict[str, Buckets]:
    """Stage histograms of several processes added up."""
    total: dict[str, Buckets] = {}
    for histogram in histograms:
        for stage, buckets in histogram.items():
            into = total.setdefault(stage, {})
            for bound, count in buckets.items():
                into[bound] = into.get(bound, 0.0) + count
    return total


def quantile(buckets: Buckets, q: float) -> float | None:
    """The ``q``-quantile (0..1) estimated from cumulative buckets; None for no samples.

    Linear within the bucket holding it; past the last finite bound it is that bound.
    """
    bounds = sorted(buckets)
    if not bounds or buckets[bounds[-1]] <= 0:
        return None
    rank = q * buckets[bounds[-1]]
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower
            if count == below:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return lower


def stage_table(
    operators: Mapping[str, Buckets], aggregator: Mapping[str, Buckets]
) -> dict[str, dict[str, Any]]:
    """``{"operator.seen": {"p50": ms, "p95": ms, "count": n}, ...}`` in pipeline order."""
    table: dict[str, dict[str, Any]] = {}
    for role, stages, names in (
        ("operator", operators, OPERATOR_STAGES),
        ("aggregator", aggregator, AGGREGATOR_STAGES),
    ):
        for name in names:
            buckets = stages.get(name)
            if not buckets:
                continue
            table[f"{role}.{name}"] = {
                "p50": _ms(quantile(buckets, 0.5)),
                "p95": _ms(quantile(buckets, 0.95)),
                "count": int(max(buckets.values())),
            }
    return table


def slowest(stages: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The stage with the highest p95 (None when nothing was measured)."""
    timed = [(row["p95"], name) for name, row in stages.items() if row.get("p95") is not None]
    return max(timed)[1] if timed else None


def collect(operator_configs: Sequence[Path], aggregator_config: Path) -> dict[str, Any]:
    """``stages_ms`` of a devnet run: every node's histograms read from its /metrics."""
    ports = [metrics_port(config) for config in operator_configs]
    operators = merge(scrape(port) for port in ports if port is not None)
    port = metrics_port(aggregator_config)
    aggregator = scrape(port) if port is not None else {}
    return stage_table(operators, aggregator)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
