"""The README's "Scale" table (issue 17): sustained load per operator count and the gas of
certificates with 200 operators, from the JSON ``make bench`` leaves in ``out/``.

Called by ``benchmarks/readme_table.py`` (the last step of ``make bench``); reads
``out/bench-load.json`` (``benchmarks/load.py``) and ``out/bench-gas.json``
(``benchmarks/gas.py``). A missing file is listed as not run; nothing is invented.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

START, END = "<!-- scale:start -->", "<!-- scale:end -->"
LOAD_COMMAND = "python benchmarks/load.py --operators 16,64,200 --tasks 20 --json"
GAS_COMMAND = "python benchmarks/gas.py --json"
CERTIFICATE_AIM = 600_000
"""Issue 17: a certificate with 200 operators and 20 non-signers costs at most this."""


def _read(path: Path) -> dict[str, Any] | None:
    try:
        report: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return report


def _load_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        "| operators | certified | tasks/s | latency p50 / p95 / p99 (blocks) | "
        "p50 / p95 (ms) | aggregator CPU per task | RSS peak | backlog max | "
        "mean arrival batch |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.get("rows", []):
        lb, lm, agg = r["latency_blocks"], r["latency_ms"], r["aggregator"]
        lines.append(
            f"| {r['operators']} | {r['certified']}/{r['tasks']} | "
            f"{r['certified_tasks_per_s']} | {lb['p50']} / {lb['p95']} / {lb['p99']} | "
            f"{lm['p50']} / {lm['p95']} | {agg['cpu_ms_per_task']} ms | "
            f"{agg['rss_mb_peak']} MB | {r['backlog']['max']} | "
            f"{r['verify_batch_sizes']['mean_size']} |"
        )
    if report.get("rows"):
        r = report["rows"][0]
        lines.append("")
        lines.append(
            f"`{LOAD_COMMAND}`: {r['rate_tasks_per_s']} task/s offered, "
            f"{r['block_time_s']} s blocks, aggregator, anvil and the generator on one machine."
        )
    return lines


def _gas_lines(report: dict[str, Any]) -> list[str]:
    lines = ["| gas row | gas |", "|---|---|"]
    if "register_200th" in report:
        lines.append(
            f"| register (the 200th operator of a quorum) | {report['register_200th']:,} |"
        )
    for r in report.get("respond_200", []):
        aim = ""
        if r["non_signers"] == 20:
            verdict = "met" if r["gas"] <= CERTIFICATE_AIM else "NOT met"
            aim = f" (aim <= {CERTIFICATE_AIM:,}: {verdict})"
        lines.append(
            f"| respondToTask, 200 operators, {r['non_signers']} non-signers | {r['gas']:,}{aim} |"
        )
    for r in report.get("per_inference", []):
        lines.append(
            f"| per inference, batch {r['batch']}, {r['operators']} signers, fee claims "
            f"included | {r['gas']:,.1f} |"
        )
    threshold = report.get("context", {}).get("respond_threshold_bps")
    lines += ["", f"`{GAS_COMMAND}` (respondToTask at the default threshold, {threshold} bps)."]
    return lines


def scale_table(out_dir: Path) -> str:
    """The markdown that goes between the scale markers."""
    lines: list[str] = []
    missing = []
    load = _read(out_dir / "bench-load.json")
    if load is None:
        missing.append(f"`{LOAD_COMMAND}`")
    else:
        lines += _load_lines(load)
    gas = _read(out_dir / "bench-gas.json")
    if gas is None:
        missing.append(f"`{GAS_COMMAND}`")
    else:
        lines += ["", *_gas_lines(gas)] if lines else _gas_lines(gas)
    if missing:
        lines += ["", "Not run: " + ", ".join(missing) + "."]
    return "\n".join(lines).strip("\n")
