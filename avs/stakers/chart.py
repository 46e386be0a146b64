"""``avs operators chart``: response rate and stake of one operator over time, as a PNG.

Response rate is plotted per bucket of task creation blocks (settled tasks only); stake is
the registry's recorded stake per quorum, a step function of blocks. Slashes are marked.
Matplotlib runs on its Agg backend (no display needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from avs.errors import InputError
from avs.stakers.ledger import PENDING, Ledger
from avs.stakers.metrics import Window, performance, slashes_of

UNIT = 10**18


@dataclass(frozen=True, slots=True)
class Series:
    """What the chart shows, computed before any drawing (testable without matplotlib)."""

    rate_blocks: tuple[int, ...]
    """Last block of each bucket that had assigned tasks."""
    rates: tuple[float, ...]
    """Response rate (0..1) in that bucket."""
    stake: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]
    """(quorum, ((block, stake), ...)) steps."""
    slash_blocks: tuple[int, ...]
    """Blocks of the operator's slashes."""


def series(ledger: Ledger, operator_id: bytes, start: int, buckets: int) -> Series:
    """Bucketed response rate and stake steps from ``start`` to the ledger's head."""
    head = ledger.head
    settled = [
        t.created.created_block
        for t in ledger.tasks
        if t.status != PENDING and t.created.created_block >= start
    ]
    first = min(settled, default=start)
    span = max(1, head - first + 1)
    size = max(1, -(-span // max(1, buckets)))
    rate_blocks: list[int] = []
    rates: list[float] = []
    lo = first
    while lo <= head:
        hi = min(head, lo + size - 1)
        perf = performance(ledger, operator_id, Window(lo, hi))
        if perf.response_rate is not None:
            rate_blocks.append(hi)
            rates.append(perf.response_rate)
        lo = hi + 1
    registry = ledger.registry
    stake = tuple(
        (q, registry.stake_history(operator_id, q))
        for q in sorted(registry.quorums)
        if registry.stake_history(operator_id, q)
    )
    slashes = tuple(s.at.block for s in slashes_of(ledger, operator_id))
    return Series(tuple(rate_blocks), tuple(rates), stake, slashes)


def draw(data: Series, title: str, head: int, out: Path) -> None:
    """Write the PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_rate, ax_stake) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    try:
        ax_rate.step(data.rate_blocks, [100 * r for r in data.rates], where="pre", marker="o")
        ax_rate.set_ylim(-5, 105)
        ax_rate.set_ylabel("response rate (%)")
        ax_rate.grid(alpha=0.3)
        for q, steps in data.stake:
            xs = [b for b, _ in steps] + [head]
            ys = [s / UNIT for _, s in steps] + [steps[-1][1] / UNIT]
            ax_stake.step(xs, ys, where="post", label=f"quorum {q}")
        if data.stake:
            ax_stake.legend(loc="best")
        ax_stake.set_ylabel("recorded stake (1e18 units)")
        ax_stake.set_xlabel("block")
        ax_stake.grid(alpha=0.3)
        for block in data.slash_blocks:
            for ax in (ax_rate, ax_stake):
                ax.axvline(block, color="red", linestyle="--", alpha=0.6)
        fig.suptitle(title)
        fig.tight_layout()
        try:
            fig.savefig(out, format="png", dpi=100)
        except OSError as exc:
            raise InputError(f"cannot write the chart to {out}: {exc}") from None
    finally:
        plt.close(fig)
