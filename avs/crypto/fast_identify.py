"""Finding the invalid signatures of a batch that failed, with few pairings.

Plain bisection needs about 2 log2(n) pairing checks per bad signature. Here:

1. Repeat offenders first: a key proven bad before ("suspect") has its signature in each
   row checked on its own (one check); a suspect that turns out valid stops being one.
2. The remaining rows are group-tested with row-aggregate checks (random combination of
   the rows' aggregate signatures against their aggregate keys), halving failing groups
   and adapting the group size to the failure density.
3. A failing single row t yields the error value D = e(A_t, g2) e(-H_t, apk) in G_T
   (A_t: sum of the row's signatures). If exactly the k-th signature is bad,
   e(W_t, g2) e(-H_t, sum_i i pk_i) with W_t = sum_i i sigma_i equals D^k, so one more
   check and at most n multiplications name the bad signer. Otherwise every signature of
   the row is checked alone.
4. A final item-level batch check of everything not rejected confirms the answer; if it
   fails (errors crafted to cancel out), the answer is recomputed by item bisection.

Only signatures whose own check failed, or that step 4 confirms, are reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from avs.crypto.fast_batch import Entry, random_scalar
from avs.crypto.fast_curve import G1_JAC_INFINITY, G1Aff, G2Aff, g1_jac_add_affine, g1_to_affine
from avs.crypto.fast_fields import F12, F12_ONE, f12_mul
from avs.crypto.fast_msm import MaybeG1, msm, sum_lists
from avs.crypto.fast_pairing import G2Lines, final_exponentiation, miller_loop
from avs.crypto.points import P


@dataclass(slots=True)
class Context:
    """What identification needs from the verifier: caches and the item-level check."""

    entries: Sequence[Entry]
    """The batch (signatures already validated and non-infinity)."""
    hashes: Sequence[G1Aff]
    """H(m_t) per row."""
    g2_lines: G2Lines
    """Precomputed lines of the G2 generator."""
    key_lines: Callable[[G2Aff], G2Lines]
    """Cached lines of one key."""
    apk_lines: Callable[[tuple[G2Aff, ...]], G2Lines | None] = lambda _: None
    """Cached lines of sum pk_i for a row's canonical key tuple (None: infinity)."""
    wpk_lines: Callable[[tuple[G2Aff, ...]], G2Lines | None] = lambda _: None
    """Cached lines of sum i pk_i (i from 1) for a row's canonical key tuple."""
    batch_ok: Callable[[Sequence[int]], bool] = lambda _: False
    """Item-level batch check of a subset of entry indices."""
    suspects: set[G2Aff] = field(default_factory=set)
    """Keys proven bad recently (updated in place)."""


def _neg(q: G1Aff) -> G1Aff:
    return (q[0], (P - q[1]) % P)


def _value(pairs: list[tuple[MaybeG1, G2Lines | None]]) -> F12:
    live = [(q, lines) for q, lines in pairs if q is not None and lines is not None]
    return final_exponentiation(miller_loop(live)) if live else F12_ONE


def single_ok(ctx: Context, i: int) -> bool:
    """Check one signature alone: e(sigma, g2) e(-H, pk) == 1."""
    e = ctx.entries[i]
    return (
        _value([(e.signature, ctx.g2_lines), (_neg(ctx.hashes[e.row]), ctx.key_lines(e.key))])
        == F12_ONE
    )


def find_invalid(ctx: Context) -> list[int]:
    """Indices of the invalid entries (the batch is known, or suspected, to fail)."""
    rows: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(ctx.entries):
        rows[e.row].append(i)
    for members in rows.values():
        members.sort(key=lambda i: ctx.entries[i].key)
    proven: set[int] = set()
    tentative: set[int] = set()
    verified: set[int] = set()
    pending = [t for t in rows if not _explained_by_suspect(ctx, rows[t], proven)]
    pending_items = [i for t in pending for i in rows[t]]
    if pending_items:
        if ctx.batch_ok(pending_items):
            verified.update(pending_items)
        else:
            sums = sum_lists([[ctx.entries[i].signature for i in rows[t]] for t in pending])
            _group_test(
                ctx, pending, rows, dict(zip(pending, sums, strict=True)), proven, tentative
            )
    n = len(ctx.entries)
    rest = [i for i in range(n) if i not in proven and i not in tentative and i not in verified]
    if not rest or ctx.batch_ok(rest):
        return sorted(proven | tentative)
    # crafted cancellations fooled the row tests: bisect the unproven items exactly
    return sorted(proven | set(_bisect(ctx, [i for i in range(n) if i not in proven])))


def _explained_by_suspect(ctx: Context, members: list[int], proven: set[int]) -> bool:
    for i in members:
        key = ctx.entries[i].key
        if key in ctx.suspects:
            if single_ok(ctx, i):
                ctx.suspects.discard(key)
            else:
                proven.add(i)
                return True
    return False


def _group_test(
    ctx: Context,
    pending: list[int],
    rows: dict[int, list[int]],
    aggregates: dict[int, MaybeG1],
    proven: set[int],
    tentative: set[int],
) -> None:
    """Adaptive group testing of rows with row-aggregate checks; identifies bad rows' signers."""
    queue: list[list[int]] = []
    size = max(1, len(pending) // 8)
    todo = list(pending)
    while todo or queue:
        if queue:
            group = queue.pop()
        else:
            group, todo = todo[:size], todo[size:]
        # rows whose signer a previous row just exposed are checked by that suspect first
        group = [t for t in group if not _explained_by_suspect(ctx, rows[t], proven)]
        if not group:
            continue
        value = _rows_value(ctx, group, rows, aggregates)
        if value == F12_ONE:
            size = min(size * 2, max(1, len(pending) // 8))
            continue
        size = max(1, size // 2)
        if len(group) > 1:
            half = len(group) // 2
            queue.append(group[half:])
            queue.append(group[:half])
            continue
        _identify_row(ctx, group[0], rows[group[0]], value, proven, tentative)


def _rows_value(
    ctx: Context, group: list[int], rows: dict[int, list[int]], aggregates: dict[int, MaybeG1]
) -> F12:
    """G_T value of the row-aggregate check of ``group``: 1 iff every row aggregate is valid.

    For one row it is exactly e(A_t, g2) e(-H_t, apk_t) (no random weight), the value the
    identification step needs.
    """
    if len(group) == 1:
        t = group[0]
        apk_lines = ctx.apk_lines(tuple(ctx.entries[i].key for i in rows[t]))
        return _value([(aggregates[t], ctx.g2_lines), (_neg(ctx.hashes[t]), apk_lines)])
    weights = {t: random_scalar() for t in group}
    points: list[G1Aff] = []
    scalars: list[int] = []
    for t in group:
        agg = aggregates[t]
        if agg is not None:
            points.append(agg)
            scalars.append(weights[t])
    s = msm(points, scalars)
    by_set: dict[tuple[G2Aff, ...], list[int]] = defaultdict(list)
    for t in group:
        by_set[tuple(ctx.entries[i].key for i in rows[t])].append(t)
    pairs: list[tuple[MaybeG1, G2Lines | None]] = [(s, ctx.g2_lines)]
    for keys, ts in by_set.items():
        x = msm([ctx.hashes[t] for t in ts], [weights[t] for t in ts])
        pairs.append((None if x is None else _neg(x), ctx.apk_lines(keys)))
    return _value(pairs)


def _identify_row(
    ctx: Context, t: int, members: list[int], d: F12, proven: set[int], tentative: set[int]
) -> None:
    """Name the bad signer of row t from its error value d != 1 (see module doc, step 3)."""
    if len(members) == 1:
        proven.add(members[0])
        ctx.suspects.add(ctx.entries[members[0]].key)
        return
    # W = sum_k k sigma_k by suffix sums (2n additions)
    suffix = G1_JAC_INFINITY
    w = G1_JAC_INFINITY
    for i in reversed(members):
        suffix = g1_jac_add_affine(suffix, ctx.entries[i].signature)
        sa = g1_to_affine(suffix)
        if sa is not None:
            w = g1_jac_add_affine(w, sa)
    wpk_lines = ctx.wpk_lines(tuple(ctx.entries[i].key for i in members))
    d2 = _value([(g1_to_affine(w), ctx.g2_lines), (_neg(ctx.hashes[t]), wpk_lines)])
    power = d
    for i in members:
        if power == d2:
            tentative.add(i)
            ctx.suspects.add(ctx.entries[i].key)
            return
        power = f12_mul(power, d)
    # two or more bad signatures in this row: check each alone
    for i in members:
        if not single_ok(ctx, i):
            proven.add(i)


def _bisect(ctx: Context, idx: list[int]) -> list[int]:
    if not idx or ctx.batch_ok(idx):
        return []
    if len(idx) == 1:
        return idx
    half = len(idx) // 2
    return _bisect(ctx, idx[:half]) + _bisect(ctx, idx[half:])


__all__ = ["Context", "find_invalid", "single_ok"]
