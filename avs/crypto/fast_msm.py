"""Multi-scalar multiplication in G1 with batched affine additions.

Batch verification needs sum_i k_i * P_i over thousands of signatures with short random
scalars. This is Pippenger's bucket method with signed digits, where every addition is
affine and the field inversions of a whole round of independent additions share one
inversion (Montgomery's trick): an affine addition then costs about 6 products instead
of the 11 of a Jacobian mixed addition. Several MSMs that share a scalar vector (the
columns of a batch: one operator's signatures over many tasks) run in lock step so the
rounds are large and the digits are computed once.

Every special case (P + P, P + (-P), infinity) is handled exactly, because adversarial
inputs may contain repeated or opposite points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from avs.crypto.bigint import P
from avs.crypto.fast_curve import (
    G1_JAC_INFINITY,
    G1Aff,
    G1Jac,
    g1_jac_add,
    g1_jac_add_affine,
    g1_jac_double,
    g1_to_affine,
)

MaybeG1 = G1Aff | None
"""An affine G1 point or ``None`` for infinity."""


def batch_add(pairs: Sequence[tuple[MaybeG1, MaybeG1]]) -> list[MaybeG1]:
    """[a + b for (a, b) in pairs] with one field inversion for the whole list.

    Either side may be infinity (``None``); a + a and a + (-a) are handled exactly.
    """
    p = P
    n = len(pairs)
    out: list[MaybeG1] = [None] * n
    prefix = [0] * n  # product of the denominators before i; 0 marks "no inversion"
    acc = 1
    for i in range(n):
        a, b = pairs[i]
        if a is None:
            out[i] = b
        elif b is None:
            out[i] = a
        elif a[0] != b[0]:
            prefix[i] = acc
            acc = acc * (b[0] - a[0]) % p
        elif (a[1] + b[1]) % p:  # a == b: doubling, denominator 2y
            prefix[i] = acc
            acc = acc * 2 * a[1] % p
        # else a == -b: infinity, already None
    inv = pow(acc, -1, p)
    for i in range(n - 1, -1, -1):
        pre = prefix[i]
        if not pre:
            continue
        (x1, y1), (x2, y2) = pairs[i]  # type: ignore[misc]
        d = x2 - x1
        if d:
            lam = (y2 - y1) * inv * pre % p
            inv = inv * d % p
        else:
            lam = 3 * x1 * x1 * inv * pre % p
            inv = inv * 2 * y1 % p
        x3 = (lam * lam - x1 - x2) % p
        out[i] = (x3, (lam * (x1 - x3) - y1) % p)
    return out


def sum_lists(lists: Sequence[Sequence[G1Aff]]) -> list[MaybeG1]:
    """The sum of each list of affine points, all lists reduced together pairwise."""
    cur: list[list[MaybeG1]] = [list(lst) for lst in lists]
    while True:
        pairs: list[tuple[MaybeG1, MaybeG1]] = []
        for lst in cur:
            for i in range(0, len(lst) - 1, 2):
                pairs.append((lst[i], lst[i + 1]))
        if not pairs:
            break
        sums = batch_add(pairs)
        k = 0
        nxt: list[list[MaybeG1]] = []
        for lst in cur:
            m = len(lst)
            if m < 2:
                nxt.append(lst)
                continue
            new = sums[k : k + m // 2]
            k += m // 2
            if m & 1:
                new.append(lst[-1])
            nxt.append(new)
        cur = nxt
    return [lst[0] if lst else None for lst in cur]


def _window_bits(n_points: int, scalar_bits: int) -> int:
    """Window width minimising the expected additions of the bucket method.

    Per window: n points into 2^(c-1) signed buckets, where the first point of a bucket
    costs nothing (a bucket is non-empty with probability 1 - e^(-n/buckets)), plus
    2 * buckets additions for the running-sum reduction.
    """
    best, best_cost = 2, float("inf")
    for c in range(2, 17):
        buckets = 1 << (c - 1)
        windows = scalar_bits // c + 1
        filled = buckets * (1.0 - math.exp(-n_points / buckets))
        cost = windows * (n_points - filled + 2 * buckets)
        if cost < best_cost:
            best, best_cost = c, cost
    return best


def signed_digits(k: int, c: int) -> list[int]:
    """Digits d_w in [-2^(c-1), 2^(c-1)) with k = sum d_w 2^(c w), least significant first."""
    half, full, mask = 1 << (c - 1), 1 << c, (1 << c) - 1
    out: list[int] = []
    while k:
        d = k & mask
        k >>= c
        if d >= half:
            d -= full
            k += 1
        out.append(d)
    return out


@dataclass(frozen=True, slots=True)
class _Plan:
    """The addition schedule of Pippenger's method for one scalar vector.

    Slots 0..n-1 hold the points, n..2n-1 their negations; every operation of a level
    adds two slots into a new slot (numbered in order), so the same plan runs on any
    number of point vectors that share the scalars.
    """

    levels: list[list[tuple[int, int]]]
    """Independent additions, level by level (one field inversion per level)."""
    totals: list[int]
    """Slot of sum_d d * B_d per window (-1: zero), least significant window first."""
    window: int
    """Window width c in bits."""


def _plan(scalars: Sequence[int], c: int) -> _Plan:
    n = len(scalars)
    half = 1 << (c - 1)
    digits = [signed_digits(k, c) for k in scalars]
    windows = max((len(d) for d in digits), default=0)
    buckets: list[list[int]] = [[] for _ in range(windows * half)]
    for i, ds in enumerate(digits):
        for w, d in enumerate(ds):
            if d > 0:
                buckets[w * half + d - 1].append(i)
            elif d < 0:
                buckets[w * half - d - 1].append(n + i)
    levels: list[list[tuple[int, int]]] = []
    nxt = 2 * n
    # bucket sums: pairwise tree reduction of every bucket, level by level
    while any(len(b) > 1 for b in buckets):
        level: list[tuple[int, int]] = []
        for j, b in enumerate(buckets):
            if len(b) > 1:
                merged = []
                for k in range(0, len(b) - 1, 2):
                    level.append((b[k], b[k + 1]))
                    merged.append(nxt)
                    nxt += 1
                if len(b) & 1:
                    merged.append(b[-1])
                buckets[j] = merged
        levels.append(level)
    # running sums per window, all windows in lock step: run += B_d ; tot += run
    run = [-1] * windows
    tot = [-1] * windows
    for d in range(half, 0, -1):
        step_run: list[tuple[int, int]] = []
        step_tot: list[tuple[int, int]] = []
        for w in range(windows):
            b = buckets[w * half + d - 1]
            if b:
                if run[w] < 0:
                    run[w] = b[0]
                else:
                    step_run.append((run[w], b[0]))
                    run[w] = nxt
                    nxt += 1
        for w in range(windows):
            if run[w] >= 0:
                if tot[w] < 0:
                    tot[w] = run[w]
                else:
                    step_tot.append((tot[w], run[w]))
                    tot[w] = nxt
                    nxt += 1
        for step in (step_run, step_tot):
            if step:
                levels.append(step)
    return _Plan(levels, tot, c)


def shared_scalar_msm(
    vectors: Sequence[Sequence[MaybeG1]], scalars: Sequence[int]
) -> list[MaybeG1]:
    """For each vector v: sum_i scalars[i] * v[i] (``None`` entries are absent points).

    All vectors share the (non-negative) scalars, hence one addition plan, and every
    level of the plan is one batched affine addition across all vectors.
    """
    if not vectors:
        return []
    n = len(scalars)
    bits = max((k.bit_length() for k in scalars), default=0)
    if bits == 0:
        return [None] * len(vectors)
    present = sum(1 for v in vectors for q in v if q is not None) // len(vectors)
    plan = _plan(scalars, _window_bits(max(1, present), bits))
    p = P
    vals: list[list[MaybeG1]] = []
    for v in vectors:
        negs: list[MaybeG1] = [None if q is None else (q[0], p - q[1]) for q in v]
        vals.append([*v, *negs])
        assert len(v) == n, "every vector needs one entry per scalar"
    for level in plan.levels:
        pairs: list[tuple[MaybeG1, MaybeG1]] = []
        for vs in vals:
            pairs.extend([(vs[s1], vs[s2]) for s1, s2 in level])
        res = batch_add(pairs)
        width = len(level)
        for j, vs in enumerate(vals):
            vs.extend(res[j * width : (j + 1) * width])
    # Horner over windows in Jacobian coordinates (few operations per vector)
    out: list[MaybeG1] = []
    for vs in vals:
        acc: G1Jac = G1_JAC_INFINITY
        for slot in reversed(plan.totals):
            for _ in range(plan.window):
                acc = g1_jac_double(acc)
            t = vs[slot] if slot >= 0 else None
            if t is not None:
                acc = g1_jac_add_affine(acc, t)
        out.append(g1_to_affine(acc))
    return out


def multi_msm(
    jobs: Sequence[Sequence[tuple[int, G1Aff]]],
    scalars: Sequence[int],
) -> list[MaybeG1]:
    """For each job, sum scalars[i] * point over its (i, point) entries (i distinct)."""
    vectors: list[list[MaybeG1]] = []
    for job in jobs:
        v: list[MaybeG1] = [None] * len(scalars)
        for i, q in job:
            v[i] = q
        vectors.append(v)
    return shared_scalar_msm(vectors, scalars)


def msm(points: Sequence[MaybeG1], scalars: Sequence[int]) -> MaybeG1:
    """sum scalars[i] * points[i] (scalars non-negative, ``None`` points ignored)."""
    return shared_scalar_msm([points], scalars)[0]


def jac_sum(points: Sequence[MaybeG1]) -> MaybeG1:
    """Sum of a few affine points in Jacobian coordinates (no batching)."""
    acc: G1Jac = G1_JAC_INFINITY
    for q in points:
        if q is not None:
            acc = g1_jac_add(acc, (q[0], q[1], 1))
    return g1_to_affine(acc)


__all__ = [
    "MaybeG1",
    "batch_add",
    "jac_sum",
    "msm",
    "multi_msm",
    "shared_scalar_msm",
    "signed_digits",
    "sum_lists",
]
