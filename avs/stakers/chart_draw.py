"""Drawing the operator chart (matplotlib, Agg backend: no display needed).

Read in five seconds: the top panel shows response rate and effectiveness per bucket of
tasks, both on 0..100; the bottom panel shows stake per quorum on an axis from 0, each
change labelled in percent; slashes are red lines labelled with their fault and amount;
the x axis is wall-clock time from block timestamps (block numbers only when the chain's
timestamps are too close together to tell the points apart, as on an automining devnet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from avs.errors import InputError
from avs.stakers.chart import Series

UNIT = 10**18
XOf = Callable[[int], Any]


def _draw_performance(ax: Any, data: Series, x: XOf) -> None:
    xs = [x(b.last_block) for b in data.buckets]
    ax.plot(xs, [100 * b.response_rate for b in data.buckets], marker="o", color="tab:blue",
            linewidth=3, markersize=8, label="response rate (%)")  # fmt: skip
    ax.plot(xs, [b.effectiveness for b in data.buckets], marker="s", color="tab:green",
            linestyle="--", markerfacecolor="none", label="effectiveness (0-100)")  # fmt: skip
    ax.set_ylim(-5, 105)
    ax.set_ylabel("% / score")
    if data.buckets:
        per = round(sum(b.tasks for b in data.buckets) / len(data.buckets))
        noun = "task" if per == 1 else "tasks"
        ax.set_title(f"performance per bucket ({len(data.buckets)} buckets of ~{per} {noun})",
                     fontsize=10)  # fmt: skip
    else:
        ax.text(0.5, 0.5, "no settled tasks assigned yet", transform=ax.transAxes,
                ha="center", va="center", color="grey")  # fmt: skip
    ax.grid(alpha=0.3)


def _stake_lines(data: Series) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Quorums with identical stake steps share one line (overlapping lines hide each other)."""
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for q, steps in data.stake:
        groups.setdefault(steps, []).append(q)
    lines = []
    for steps, quorums in groups.items():
        names = ",".join(str(q) for q in quorums)
        label = f"stake, quorum {names}" if len(quorums) == 1 else f"stake, quorums {names} (each)"
        lines.append((label + " (tokens)", steps))
    return lines


def _draw_stake(ax: Any, data: Series, x: XOf) -> None:
    top = 0.0
    styles = ("-", "--", ":", "-.")
    for n, (label, steps) in enumerate(_stake_lines(data)):
        xs = [x(b) for b, _ in steps] + [x(data.head)]
        ys = [s / UNIT for _, s in steps] + [steps[-1][1] / UNIT]
        top = max(top, *ys)
        style = styles[n % len(styles)]
        (line,) = ax.step(xs, ys, where="post", label=label, linewidth=2, linestyle=style)
        for (_, s0), (b1, s1) in pairwise(steps):
            if s0 and s1 != s0:
                ax.annotate(f"{100 * (s1 - s0) / s0:+.1f}%", (x(b1), s1 / UNIT),
                            textcoords="offset points", xytext=(-6, 6), ha="right",
                            fontsize=10, fontweight="bold", color=line.get_color())  # fmt: skip
    ax.set_ylim(0, top * 1.3 if top else 1)
    ax.set_ylabel("stake (tokens)")
    ax.set_title("recorded stake (axis from 0; changes in %)", fontsize=10)
    ax.grid(alpha=0.3)


def _draw_slashes(axes: tuple[Any, Any], data: Series, x: XOf) -> None:
    for i, mark in enumerate(data.slashes):
        where = x(mark.block)
        for ax in axes:
            ax.axvline(where, color="red", linewidth=1.5, alpha=0.7,
                       label="slash" if i == 0 and ax is axes[0] else None)  # fmt: skip
        amount = f"{100 * mark.wad / UNIT:g}% = {mark.shares / UNIT:,.2f} tokens"
        axes[1].annotate(f"slashed ({mark.fault})\n{amount}", (where, 0),
                         textcoords="offset points", xytext=(-6, 8 + 30 * i), ha="right",
                         fontsize=9, color="red")  # fmt: skip


def _x_axis(data: Series, timestamps: Mapping[int, int]) -> tuple[XOf, bool]:
    """Time from block timestamps, unless they cannot tell the buckets apart."""
    points = [timestamps[b.last_block] for b in data.buckets]
    distinct = len(set(points)) == len(points) and timestamps[data.head] > min(timestamps.values())
    if distinct:
        return (lambda block: datetime.fromtimestamp(timestamps[block], tz=UTC)), True
    return (lambda block: block), False


def draw(data: Series, title: str, timestamps: Mapping[int, int], out: Path, fmt: str) -> None:
    """Write the chart as ``fmt`` (png or svg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    x, is_time = _x_axis(data, timestamps)
    fig, (ax_perf, ax_stake) = plt.subplots(2, 1, sharex=True, figsize=(10, 6.5))
    try:
        _draw_performance(ax_perf, data, x)
        _draw_stake(ax_stake, data, x)
        _draw_slashes((ax_perf, ax_stake), data, x)
        ax_perf.legend(loc="lower left", fontsize=9)
        ax_stake.legend(loc="upper left", fontsize=9)
        if is_time:
            locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
            formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
            ax_stake.xaxis.set_major_locator(locator)
            ax_stake.xaxis.set_major_formatter(formatter)
            ax_stake.set_xlabel("time (UTC, from block timestamps)")
        else:
            ax_stake.set_xlabel("block (block timestamps too close together to place in time)")
        fig.suptitle(title)
        fig.tight_layout()
        try:
            fig.savefig(out, format=fmt, dpi=100)
        except OSError as exc:
            raise InputError(f"cannot write the chart to {out}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
