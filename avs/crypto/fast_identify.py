"""Finding the invalid signatures of a batch, with few pairing checks.

Plain bisection needs about 2 log2(n) pairing checks per bad signature. Here:

1. Repeat offenders first: the signature of a "suspect" key (one found bad in two rows
   in a row, in this call or an earlier one) is checked on its own in each row (one
   check); a suspect whose signature turns out valid stops being one.
2. One row-aggregate check of the other rows (random combination of the rows' aggregate
   signatures against their aggregate keys: one pairing check and an MSM over rows, not
   signatures). If it passes, one item-level batch check; if it fails, the rows are
   group-tested with row-aggregate checks, halving failing groups, the group size
   adapting to the failure density. A failing single row yields its error value in G_T.
3. :mod:`avs.crypto.fast_locate` names the bad signer of failing rows from their error
   values (two rows per check when they share a signer set).
4. A final item-level batch check of everything not rejected confirms the answer; if it
   fails (errors crafted to cancel out), the answer is recomputed by item bisection.

Reported signatures either failed their own check or are confirmed by step 4, so the
result is exact (up to the 2^-63 soundness error of a batch check).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from avs.crypto.fast_batch import random_scalar
from avs.crypto.fast_curve import G2Aff
from avs.crypto.fast_fields import F12, F12_ONE
from avs.crypto.fast_locate import (
    Context,
    gt_value,
    locate_one,
    locate_pair,
    neg,
    row_keys,
    single_ok,
)
from avs.crypto.fast_msm import MaybeG1, msm, sum_lists
from avs.crypto.fast_pairing import G2Lines

SUSPECT_AFTER = 2
"""Consecutive rows in which a key must be found bad before it becomes a suspect.

Consecutive, so that bad signers drawn at random per row (each key bad now and then)
do not cost a wasted check per row."""


@dataclass(slots=True)
class _Search:
    """Mutable state of one identification."""

    ctx: Context
    rows: dict[int, list[int]]
    proven: set[int] = field(default_factory=set)
    tentative: set[int] = field(default_factory=set)
    last: G2Aff | None = None
    streak: int = 0
    waiting: tuple[int, list[int], F12] | None = None

    def blame(self, i: int, proven: bool) -> None:
        (self.proven if proven else self.tentative).add(i)
        key = self.ctx.entries[i].key
        self.streak = self.streak + 1 if key == self.last else 1
        self.last = key
        if self.streak >= SUSPECT_AFTER:
            self.ctx.suspects.add(key)

    def explained_by_suspect(self, t: int) -> bool:
        """Check the row's suspects alone; True if one of them is bad there."""
        for i in self.rows[t]:
            key = self.ctx.entries[i].key
            if key in self.ctx.suspects:
                if single_ok(self.ctx, i):
                    self.ctx.suspects.discard(key)
                else:
                    self.blame(i, proven=True)
                    return True
        return False

    def failed_row(self, t: int, d: F12) -> None:
        """Row t has error value d != 1: pair it with a waiting row or wait."""
        members = self.rows[t]
        if self.waiting is not None and row_keys(self.ctx, self.waiting[1]) == row_keys(
            self.ctx, members
        ):
            first, self.waiting = self.waiting, None
            found = locate_pair(self.ctx, first, (t, members, d))
            if found is not None:
                self.blame(found[0], proven=False)
                self.blame(found[1], proven=False)
                return
            self.locate(*first)
            self.locate(t, members, d)
            return
        self.flush()
        self.waiting = (t, members, d)

    def flush(self) -> None:
        if self.waiting is not None:
            first, self.waiting = self.waiting, None
            self.locate(*first)

    def locate(self, t: int, members: list[int], d: F12) -> None:
        i = locate_one(self.ctx, t, members, d)
        if i is not None:
            self.blame(i, proven=len(members) == 1)
            return
        for j in members:  # several bad signatures in this row: check each alone
            if not single_ok(self.ctx, j):
                self.blame(j, proven=True)


def find_invalid(ctx: Context) -> list[int]:
    """Indices of the invalid entries of ``ctx.entries`` (ascending)."""
    rows: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(ctx.entries):
        rows[e.row].append(i)
    for members in rows.values():
        members.sort(key=lambda i: ctx.entries[i].key)
    search = _Search(ctx, rows)
    verified: set[int] = set()
    pending = [t for t in rows if not search.explained_by_suspect(t)]
    if pending:
        sums = sum_lists([[ctx.entries[i].signature for i in rows[t]] for t in pending])
        aggregates = dict(zip(pending, sums, strict=True))
        # one row-aggregate check first: far cheaper than an item-level pass over the
        # batch, and when it fails the item-level pass would fail too
        root = _rows_value(search, pending, aggregates)
        if root != F12_ONE:
            if len(pending) == 1:
                search.failed_row(pending[0], root)
                search.flush()
            else:
                _group_test(search, pending, aggregates)
        else:
            pending_items = [i for t in pending for i in rows[t]]
            if ctx.batch_ok(pending_items):
                verified.update(pending_items)
    bad = search.proven | search.tentative
    n = len(ctx.entries)
    rest = [i for i in range(n) if i not in bad and i not in verified]
    if not rest or ctx.batch_ok(rest):
        return sorted(bad)
    # crafted cancellations fooled the row tests: bisect the unproven items exactly
    return sorted(
        search.proven | set(_bisect(ctx, [i for i in range(n) if i not in search.proven]))
    )


def _group_test(search: _Search, pending: list[int], aggregates: dict[int, MaybeG1]) -> None:
    """Adaptive group testing of rows with row-aggregate checks (module doc, step 2)."""
    cap = max(1, len(pending) // 8)
    size = 1  # start small: when rows fail at all, they often all fail
    queue: list[list[int]] = []
    todo = list(pending)
    while todo or queue:
        if queue:
            group = queue.pop()
        else:
            group, todo = todo[:size], todo[size:]
        group = [t for t in group if not search.explained_by_suspect(t)]
        if not group:
            continue
        value = _rows_value(search, group, aggregates)
        if value == F12_ONE:
            size = min(size * 2, cap)
            continue
        size = max(1, size // 2)
        if len(group) > 1:
            half = len(group) // 2
            queue.append(group[half:])
            queue.append(group[:half])
            continue
        search.failed_row(group[0], value)
    search.flush()


def _rows_value(search: _Search, group: list[int], aggregates: dict[int, MaybeG1]) -> F12:
    """G_T value of the row-aggregate check of ``group``: 1 iff every row aggregate is valid.

    For one row it is exactly the row's error value e(A_t, g2) e(-H_t, apk_t) (no random
    weight), which :mod:`avs.crypto.fast_locate` needs.
    """
    ctx = search.ctx
    if len(group) == 1:
        t = group[0]
        apk = ctx.apk_lines(row_keys(ctx, search.rows[t]))
        return gt_value([(aggregates[t], ctx.g2_lines), (neg(ctx.hashes[t]), apk)])
    weights = {t: random_scalar() for t in group}
    s = msm([aggregates[t] for t in group], [weights[t] for t in group])
    by_set: dict[tuple[G2Aff, ...], list[int]] = defaultdict(list)
    for t in group:
        by_set[row_keys(ctx, search.rows[t])].append(t)
    pairs: list[tuple[MaybeG1, G2Lines | None]] = [(s, ctx.g2_lines)]
    for keys, ts in by_set.items():
        hashes: list[MaybeG1] = [ctx.hashes[t] for t in ts]
        x = msm(hashes, [weights[t] for t in ts])
        pairs.append((neg(x), ctx.apk_lines(keys)))
    return gt_value(pairs)


def _bisect(ctx: Context, idx: list[int]) -> list[int]:
    if not idx or ctx.batch_ok(idx):
        return []
    if len(idx) == 1:
        return idx
    half = len(idx) // 2
    return _bisect(ctx, idx[:half]) + _bisect(ctx, idx[half:])


__all__ = ["SUSPECT_AFTER", "Context", "find_invalid", "single_ok"]
