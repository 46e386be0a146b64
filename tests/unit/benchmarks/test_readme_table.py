"""The README's performance table is made from the benchmarks' JSON, never invented."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from benchmarks.readme_table import END, START, table


def test_rows_targets_and_missing_benchmarks(tmp_path: Path) -> None:
    rows = [
        {"name": "aggregate_honest_32_x16", "baseline": 200.0, "new": 6000.0,
         "unit": "responses/s", "ratio": 30.0, "note": ""},
        {"name": "pairing_check_2", "baseline": 0.4, "new": 0.0045, "unit": "s",
         "ratio": 88.9, "note": ""},
        {"name": "operator_overhead_256_mlp_784x1024x2", "baseline": 0.02, "new": 0.03,
         "unit": "s", "ratio": 0.667, "note": ""},
    ]  # fmt: skip
    (tmp_path / "bench-aggregator.json").write_text(
        json.dumps({"rows": rows, "context": {"clock": "cpu", "bigint": "gmpy2 (...)"}})
    )
    text = table(tmp_path)
    assert (
        "| `aggregate_honest_32_x16` | gmpy2 | 6,000/s | 200/s | 30x | >= 15,000/s: NOT met |"
        in text
    )
    assert "| `pairing_check_2` | gmpy2 | 4.5 ms | 400 ms | 88.9x | <= 5 ms: met |" in text
    assert "overhead <= 20%: +50%, NOT met" in text
    assert "Not run: `python benchmarks/bls.py --json`" in text


def test_the_markers_enclose_the_generated_table() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert readme.index(START) < readme.index(END)
