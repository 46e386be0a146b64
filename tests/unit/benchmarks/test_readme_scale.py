"""The README's scale table is made from load.py's and gas.py's JSON, never invented."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from benchmarks.readme_scale import END, START, scale_table

LOAD_ROW = {
    "operators": 200, "tasks": 20, "rate_tasks_per_s": 1.0, "block_time_s": 1.0,
    "certified": 20, "certified_tasks_per_s": 0.9,
    "latency_blocks": {"p50": 2, "p95": 3, "p99": 4, "max": 4},
    "latency_ms": {"p50": 2000.0, "p95": 3000.0, "p99": 4000.0, "max": 4000.0},
    "backlog": {"max": 3, "end": 0},
    "aggregator": {"cpu_s": 9.0, "cpu_cores": 0.4, "cpu_ms_per_task": 450.0, "rss_mb_peak": 150.0},
    "verify_batch_sizes": {"batches": 40, "mean_size": 100.0, "per_bucket": {}},
}  # fmt: skip


def test_load_and_gas_rows_with_the_certificate_aim(tmp_path: Path) -> None:
    (tmp_path / "bench-load.json").write_text(json.dumps({"rows": [LOAD_ROW]}))
    gas = {
        "register_200th": 607037,
        "respond_200": [
            {"operators": 200, "non_signers": 20, "gas": 462084},
            {"operators": 200, "non_signers": 50, "gas": 815147},
        ],
        "per_inference": [{"batch": 16, "operators": 16, "gas": 48029.8}],
        "context": {"respond_threshold_bps": 6667},
    }
    (tmp_path / "bench-gas.json").write_text(json.dumps(gas))
    text = scale_table(tmp_path)
    assert (
        "| 200 | 20/20 | 0.9 | 2 / 3 / 4 | 2000.0 / 3000.0 | 450.0 ms | 150.0 MB | 3 | 100.0 |"
        in text
    )
    assert (
        "| respondToTask, 200 operators, 20 non-signers | 462,084 (aim <= 600,000: met) |" in text
    )
    assert "| respondToTask, 200 operators, 50 non-signers | 815,147 |" in text
    assert "| register (the 200th operator of a quorum) | 607,037 |" in text
    assert "6667 bps" in text
    assert "Not run" not in text


def test_missing_benchmarks_are_listed_not_invented(tmp_path: Path) -> None:
    text = scale_table(tmp_path)
    assert "|" not in text
    assert "Not run: `python benchmarks/load.py" in text
    assert "benchmarks/gas.py --json`" in text


def test_the_markers_are_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert readme.index(START) < readme.index(END)
