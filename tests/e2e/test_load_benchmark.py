"""``benchmarks/load.py`` end to end at its smallest: a real aggregator process, anvil and
4 simulated operators certify every task, and the row reports what the issue asks for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_benchmark_certifies_every_task_and_reports_a_row() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--operators", "4",
         "--tasks", "3", "--rate", "2", "--json"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    (row,) = json.loads(run.stdout)["rows"]
    assert row["operators"] == 4
    assert row["certified"] == 3
    assert row["submissions"] == {"accepted": 12}
    assert row["latency_blocks"]["p50"] >= 1
    assert row["certified_tasks_per_s"] > 0
    assert row["aggregator"]["rss_mb_peak"] > 0
    assert row["verify_batch_sizes"]["batches"] >= 1
    assert row["backlog"]["end"] == 0


def test_load_benchmark_rejects_bad_input_in_one_line() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--operators", "many"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 2
    assert "error: --operators takes integers" in run.stderr
    assert "Traceback" not in run.stderr
