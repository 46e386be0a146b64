"""Write the README's performance table from the JSON the benchmarks left in ``out/``.

Run: ``python benchmarks/readme_table.py`` (the last step of ``make bench``). Reads
``out/bench-{bls,aggregator,operator,intake}.json`` and the pure-Python-integer runs
``out/bench-{bls,aggregator}-python.json`` (the ``{"rows": [...]}`` format of
:mod:`benchmarks.common`) and replaces the text between the README's
``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers with one table row per
benchmark row: the figure, the baseline measured in the same run, the ratio, the
issue's target where there is one, and the command that produced it. Benchmarks whose
JSON is missing are listed as not run; nothing is invented.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.readme_scale import END as SCALE_END
from benchmarks.readme_scale import START as SCALE_START
from benchmarks.readme_scale import scale_table

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SOURCES = {
    "bls": "python benchmarks/bls.py --json",
    "aggregator": "python benchmarks/aggregator.py --json",
    "bls-python": "AVS_BIGINT=python python benchmarks/bls.py --json",
    "aggregator-python": "AVS_BIGINT=python python benchmarks/aggregator.py --json",
    "operator": "python benchmarks/operator.py --json",
    "intake": "python benchmarks/intake.py --json",
}
TARGETS: dict[str, tuple[str, float]] = {
    "aggregate_honest_32_x1": (">=", 3_000),
    "aggregate_honest_32_x16": (">=", 15_000),
    "aggregate_one_bad_random_32_x16": (">=", 5_000),
    "pairing_check_2": ("<=", 0.005),
    "verify_one_response": ("<=", 0.005),
    "operator_overhead_256_digits_mlp": ("overhead <=", 0.20),
    "operator_overhead_256_mlp_784x1024x2": ("overhead <=", 0.20),
}


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1e3:.3g} ms" if value < 1 else f"{value:.3g} s"
    if unit == "responses/s":
        return f"{value:,.0f}/s"
    return f"{value:.3g}"


def _target(row: dict[str, Any]) -> str:
    spec = TARGETS.get(row["name"])
    if spec is None:
        return ""
    op, bound = spec
    new, base = row.get("new"), row.get("baseline")
    if op == "overhead <=":
        if not new or not base:
            return f"overhead <= {bound:.0%}"
        overhead = new / base - 1
        verdict = "met" if overhead <= bound else "NOT met"
        return f"overhead <= {bound:.0%}: {overhead:+.0%}, {verdict}"
    shown = _num(bound, row["unit"])
    if new is None:
        return f"{op} {shown}"
    met = new >= bound if op == ">=" else new <= bound
    return f"{op} {shown}: {'met' if met else 'NOT met'}"


def table(out_dir: Path) -> str:
    """The markdown that goes between the markers."""
    lines = [
        "| row | integers | figure | baseline (same run) | ratio | target | command |",
        "|---|---|---|---|---|---|---|",
    ]
    missing = []
    clocks: dict[str, list[str]] = {}  # clock -> the benchmarks timed with it
    for name, command in SOURCES.items():
        path = out_dir / f"bench-{name}.json"
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            missing.append(f"`{command}`")
            continue
        context = report.get("context", {})
        clocks.setdefault(str(context.get("clock", "unstated")), []).append(name)
        backend = str(context.get("bigint", "python")).split(" ")[0]
        for row in report.get("rows", []):
            unit = row["unit"]
            ratio = row.get("ratio")
            lines.append(
                f"| `{row['name']}` | {backend} | {_num(row.get('new'), unit)} | "
                f"{_num(row.get('baseline'), unit)} | {_num(ratio) + 'x' if ratio else '-'} | "
                f"{_target(row)} | `{command}` |"
            )
    notes = [
        "",
        "Figures from one run of `make bench` on the development machine (2 cores shared by "
        "several jobs, each benchmark pinned to one core): compare ratios, not absolute "
        "figures; rows with N >= 256 are a single repetition. Clocks: "
        + "; ".join(f"{', '.join(names)}: {clock}" for clock, names in clocks.items())
        + ".",
    ]
    if missing:
        notes.append("Not run: " + ", ".join(missing) + ".")
    return "\n".join([*lines, *notes])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="folder of bench JSON")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()
    text = args.readme.read_text()
    for start, end, body in (
        (START, END, table(args.out)),
        (SCALE_START, SCALE_END, scale_table(args.out)),
    ):
        head, sep, rest = text.partition(start)
        _, sep2, tail = rest.partition(end)
        if not sep or not sep2:
            print(f"error: {args.readme} has no {start} ... {end} section", file=sys.stderr)
            return 2
        text = f"{head}{start}\n{body}\n{end}{tail}"
    args.readme.write_text(text)
    print(f"wrote the performance tables of {args.readme.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
