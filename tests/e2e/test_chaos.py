"""The shortest chaos scenario of each kind (``benchmarks/chaos.py --short``), bounded.

One devnet of real processes runs an aggregator crash loop, an operator crash loop, a gRPC
fuzz, an RPC outage and two competing aggregators in turn; the chain audit after each must
show no task certified twice, no task lost (neither certified nor expired with a logged
reason), no honest operator slashed, no provable fault left unslashed and the fuzzed
server alive. ``make chaos`` runs the full-length scenarios.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: benchmarks/

from benchmarks.chaos import SCENARIOS, SHORT, run_scenarios


def test_short_chaos_scenarios_keep_every_guarantee(tmp_path: Path) -> None:
    reports = run_scenarios(list(SCENARIOS), SHORT, tmp_path)
    assert [r["scenario"] for r in reports] == list(SCENARIOS)
    for report in reports:
        assert report["failed_checks"] == [], report
        assert report["submitted"] == SHORT.tasks, report
        settled = report["certified"] + report["expired_with_logged_reason"]
        assert settled == report["submitted"], report
    fuzz = next(r for r in reports if r["scenario"] == "grpc-fuzz")
    assert fuzz["aggregator_alive"], fuzz
    assert sum(fuzz["fuzz_status_codes"].values()) == SHORT.fuzz_cases, fuzz
