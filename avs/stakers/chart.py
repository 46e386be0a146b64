"""``avs operators chart``: what a staker needs to see about one operator, as numbers first.

:func:`series` computes everything the picture shows from the ledger (testable without
matplotlib): response rate and effectiveness per bucket of the operator's assigned tasks
(equal task counts, so every point stands on the same evidence), stake steps per quorum and
the slashes with their fault and amount. :mod:`avs.stakers.chart_draw` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from avs.stakers.ledger import PENDING, Ledger
from avs.stakers.metrics import Window, performance, slashes_of

CHART_FORMATS = ("png", "svg")


@dataclass(frozen=True, slots=True)
class Bucket:
    """Figures over one run of consecutive assigned tasks."""

    first_block: int
    """Creation block of its first task."""
    last_block: int
    """Creation block of its last task (where the point is drawn)."""
    tasks: int
    """Assigned tasks in it."""
    response_rate: float
    """signed / assigned, 0..1."""
    effectiveness: float
    """Effectiveness, 0..100."""


@dataclass(frozen=True, slots=True)
class SlashMark:
    """One slash, as the chart labels it."""

    block: int
    """Block of the slash."""
    fault: str
    """Fault kind (equivocation, dissent, ...)."""
    shares: int
    """Delegated shares removed."""
    wad: int
    """Fraction slashed x 1e18."""


@dataclass(frozen=True, slots=True)
class Series:
    """What the chart shows."""

    buckets: tuple[Bucket, ...]
    """Performance per bucket, in chain order."""
    stake: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]
    """(quorum, ((block, stake), ...)) steps."""
    slashes: tuple[SlashMark, ...]
    """The operator's slashes."""
    head: int
    """Last block of the chart."""

    def blocks(self) -> set[int]:
        """Every block the chart places on its time axis."""
        out = {self.head}
        out.update(b.last_block for b in self.buckets)
        out.update(b for _, steps in self.stake for b, _ in steps)
        out.update(s.block for s in self.slashes)
        return out


def chart_format(name: str) -> str:
    """The image format named by a file's extension; InputError names the choices."""
    from avs.errors import InputError

    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in CHART_FORMATS:
        raise InputError(
            f"--out {name}: the chart is written as PNG or SVG, chosen by the extension; "
            "name the file .png or .svg"
        )
    return suffix


def _assigned_blocks(ledger: Ledger, operator_id: bytes, start: int) -> list[int]:
    registry = ledger.registry
    out = []
    for task in ledger.tasks:
        created = task.created
        if task.status == PENDING or created.created_block < start:
            continue
        mask = sum(1 << q for q in set(created.quorums))
        if registry.bitmap_at(operator_id, created.created_block) & mask:
            out.append(created.created_block)
    return out


def series(ledger: Ledger, operator_id: bytes, start: int, buckets: int) -> Series:
    """Bucketed performance, stake steps and slashes from ``start`` to the ledger's head."""
    blocks = _assigned_blocks(ledger, operator_id, start)
    count = max(1, min(buckets, len(blocks)))
    out: list[Bucket] = []
    for i in range(count):
        part = blocks[i * len(blocks) // count : (i + 1) * len(blocks) // count]
        if not part:
            continue
        lo = part[0] if not out else max(part[0], out[-1].last_block + 1)
        perf = performance(ledger, operator_id, Window(lo, part[-1]))
        if perf.response_rate is None or perf.effectiveness is None:
            continue
        out.append(Bucket(lo, part[-1], perf.assigned, perf.response_rate, perf.effectiveness))
    registry = ledger.registry
    stake = tuple(
        (q, steps)
        for q in sorted(registry.quorums)
        if (steps := registry.stake_history(operator_id, q))
    )
    slashes = tuple(
        SlashMark(s.at.block, s.fault, s.shares_slashed, s.wad)
        for s in slashes_of(ledger, operator_id)
    )
    return Series(tuple(out), stake, slashes, ledger.head)
