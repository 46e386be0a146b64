"""The shortest chaos scenario of each kind (``benchmarks/chaos.py --short``), bounded.

One devnet of real processes runs an aggregator crash loop, an operator crash loop, a gRPC
fuzz and two competing aggregators in turn; the chain audit after each must show no task
certified twice, no honest operator slashed and the fuzzed server alive; a lost task or an
unslashed provable fault (open in issue #13) is an expected failure, not a pass.
``make chaos`` runs the full-length scenarios.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: benchmarks/

from benchmarks.chaos import SCENARIOS, SHORT, run_scenarios

KNOWN_OPEN = frozenset({"lost"})
"""Guarantees issue #13 still has open (an occasional task settled without a logged reason
after an RPC outage; evidence an aggregator could not prove): reported as an expected
failure when they show, while every safety guarantee below must hold on every run."""


def test_short_chaos_scenarios_keep_every_guarantee(tmp_path: Path) -> None:
    reports = run_scenarios(list(SCENARIOS), SHORT, tmp_path)
    assert [r["scenario"] for r in reports] == list(SCENARIOS)
    open_failures = []
    for report in reports:
        safety = [c for c in report["failed_checks"] if c not in KNOWN_OPEN]
        assert safety == [], report
        assert report["submitted"] == SHORT.tasks, report
        if report["failed_checks"]:
            open_failures.append(report)
            continue
        settled = report["certified"] + report["expired_with_logged_reason"]
        assert settled == report["submitted"], report
    fuzz = next(r for r in reports if r["scenario"] == "grpc-fuzz")
    assert fuzz["aggregator_alive"], fuzz
    assert sum(fuzz["fuzz_status_codes"].values()) == SHORT.fuzz_cases, fuzz
    if open_failures:
        pytest.xfail(f"issue #13 still open: {open_failures}")
