"""Shared timing helpers for the benchmarks: warm-up, repetitions, median, JSON rows.

Every benchmark measures its baseline and its new figure in the same process run, pinned
to one CPU core, timing CPU time, and with ``--json`` prints
``{"rows": [{"name", "baseline", "new", "unit", "ratio", ...}], "context": {...}}``
(a readable table otherwise). Ratios are oriented so that bigger is
better: baseline/new for times, new/baseline for rates.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

from avs.crypto.bigint import BACKEND, ENV

Unit = Literal["s", "responses/s"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a benchmark table."""

    name: str
    """Stable identifier (the issue's table names)."""
    baseline: float | None
    """The reference figure measured in the same run (None where there is none)."""
    new: float | None
    """The figure of the new code path."""
    unit: Unit
    """"s" (smaller is better) or "responses/s" (bigger is better)."""
    ratio: float | None = None
    """How many times better the new figure is (computed by :func:`row`)."""
    note: str = ""
    """How the figure was obtained when that is not obvious (extrapolation, inputs)."""


def row(
    name: str,
    baseline: float | None,
    new: float | None,
    unit: Unit,
    note: str = "",
) -> Row:
    """A :class:`Row` with its ratio filled in (bigger is better for both units)."""
    ratio = None
    if baseline and new:
        ratio = baseline / new if unit == "s" else new / baseline
    return Row(name, baseline, new, unit, ratio, note)


CLOCK = "process CPU time (time.process_time): the core is shared, wall time would count others"
"""What :func:`median_time` measures; printed in every benchmark's context."""


def median_time(fn: Callable[[], object], reps: int, warmup: int = 1) -> float:
    """Median CPU time of ``fn()`` in seconds over ``reps`` runs after ``warmup`` runs.

    CPU time of this (single-threaded, pinned) process is the per-core cost the targets
    are stated in; on a machine shared with other jobs wall time is inflated by them.
    """
    for _ in range(warmup):
        fn()
    times: list[float] = []
    for _ in range(reps):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def pin_to_one_core() -> str:
    """Run this process on a single CPU (targets are per core); returns what was done."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to cpu {cpu}"
    return "not pinned (no sched_setaffinity on this platform)"


def parse_args(description: str) -> argparse.Namespace:
    """The common command line: ``--json`` and ``--quick`` (fewer repetitions)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    return parser.parse_args()


def emit(rows: list[Row], as_json: bool, context: dict[str, str]) -> None:
    """Print the rows as JSON (``{"rows": [...], "context": {...}}``) or as a table."""
    context = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "clock": CLOCK,
        "bigint": f"{BACKEND} (the fast path's integers; {ENV}=python forces plain ints)",
        **context,
    }
    if as_json:
        json.dump({"rows": [asdict(r) for r in rows], "context": context}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    print(f"{'name':<34} {'baseline':>14} {'new':>14} {'unit':>12} {'ratio':>9}")
    for r in rows:
        print(
            f"{r.name:<34} {_fmt(r.baseline):>14} {_fmt(r.new):>14} {r.unit:>12} {_fmt(r.ratio):>9}"
        )
        if r.note:
            print(f"    {r.note}")
    for k, v in context.items():
        print(f"# {k}: {v}")


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.4g}"
