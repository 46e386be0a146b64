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

from collections.abc import Sequence

from avs.crypto.fast_curve import (
    G1_JAC_INFINITY,
    G1Aff,
    G1Jac,
    g1_jac_add,
    g1_jac_add_affine,
    g1_jac_double,
    g1_to_affine,
)
from avs.crypto.points import P

MaybeG1 = G1Aff | None
"""An affine G1 point or ``None`` for infinity."""


def batch_add(pairs: Sequence[tuple[G1Aff, G1Aff]]) -> list[MaybeG1]:
    """[a + b for (a, b) in pairs] with one field inversion for the whole list."""
    p = P
    n = len(pairs)
    out: list[MaybeG1] = [None] * n
    dens: list[int] = [0] * n
    prefix: list[int] = [0] * n
    acc = 1
    for i in range(n):
        (x1, y1), (x2, y2) = pairs[i]
        d = x2 - x1
        if d == 0:
            if (y1 + y2) % p == 0:
                continue  # a = -b (or 2-torsion, absent in G1): infinity, no inversion
            d = 2 * y1  # doubling
        dens[i] = d
        prefix[i] = acc
        acc = acc * d % p
    inv = pow(acc, -1, p)
    for i in range(n - 1, -1, -1):
        d = dens[i]
        if d == 0:
            continue
        (x1, y1), (x2, y2) = pairs[i]
        di = inv * prefix[i] % p
        inv = inv * d % p
        lam = ((y2 - y1) if x1 != x2 else 3 * x1 * x1) * di % p
        x3 = (lam * lam - x1 - x2) % p
        out[i] = (x3, (lam * (x1 - x3) - y1) % p)
    return out


def sum_lists(lists: Sequence[Sequence[G1Aff]]) -> list[MaybeG1]:
    """The sum of each list of affine points, all lists reduced together pairwise."""
    cur: list[list[G1Aff]] = [list(lst) for lst in lists]
    while True:
        pairs: list[tuple[G1Aff, G1Aff]] = []
        for lst in cur:
            for i in range(0, len(lst) - 1, 2):
                pairs.append((lst[i], lst[i + 1]))
        if not pairs:
            break
        sums = batch_add(pairs)
        k = 0
        nxt: list[list[G1Aff]] = []
        for lst in cur:
            m = len(lst)
            if m < 2:
                nxt.append(lst)
                continue
            new = [s for s in sums[k : k + m // 2] if s is not None]
            k += m // 2
            if m & 1:
                new.append(lst[-1])
            nxt.append(new)
        cur = nxt
    return [lst[0] if lst else None for lst in cur]


def _add_maybe(pairs: list[tuple[MaybeG1, MaybeG1]]) -> list[MaybeG1]:
    """Like :func:`batch_add` but either side may be infinity."""
    real: list[tuple[G1Aff, G1Aff]] = []
    idx: list[int] = []
    out: list[MaybeG1] = []
    for i, (a, b) in enumerate(pairs):
        if a is None:
            out.append(b)
        elif b is None:
            out.append(a)
        else:
            out.append(None)
            real.append((a, b))
            idx.append(i)
    if real:
        for i, s in zip(idx, batch_add(real), strict=True):
            out[i] = s
    return out


def _window_bits(n_points: int, scalar_bits: int) -> int:
    """Window width minimising windows * (points + buckets) for signed digits."""
    best, best_cost = 1, None
    for c in range(2, 17):
        windows = (scalar_bits + c) // c
        cost = windows * (n_points + (1 << c))
        if best_cost is None or cost < best_cost:
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


def multi_msm(
    jobs: Sequence[Sequence[tuple[int, G1Aff]]],
    scalars: Sequence[int],
) -> list[MaybeG1]:
    """For each job, sum scalars[i] * point over its (i, point) entries.

    Scalars must be non-negative; all jobs share the scalar list (so digits are computed
    once) and their additions are batched together.
    """
    if not jobs:
        return []
    bits = max((s.bit_length() for s in scalars), default=1) or 1
    avg = max(1, sum(len(j) for j in jobs) // len(jobs))
    c = _window_bits(avg, bits)
    half = 1 << (c - 1)
    digits = [signed_digits(s, c) for s in scalars]
    windows = max(len(d) for d in digits) or 1
    p = P
    # buckets[(job, window)][d - 1] collects the points with digit +-d
    lists: list[list[G1Aff]] = []
    for job in jobs:
        table: list[list[list[G1Aff]]] = [[[] for _ in range(half)] for _ in range(windows)]
        for i, (x, y) in job:
            for w, d in enumerate(digits[i]):
                if d > 0:
                    table[w][d - 1].append((x, y))
                elif d < 0:
                    table[w][-d - 1].append((x, p - y))
        for w in range(windows):
            lists.extend(table[w])
    bucket_sums = sum_lists(lists)
    # running-sum reduction: sum_d d * B_d for every (job, window), in lock step
    n_inst = len(jobs) * windows
    running: list[MaybeG1] = [None] * n_inst
    total: list[MaybeG1] = [None] * n_inst
    for d in range(half, 0, -1):
        running = _add_maybe([(running[k], bucket_sums[k * half + d - 1]) for k in range(n_inst)])
        total = _add_maybe([(total[k], running[k]) for k in range(n_inst)])
    # Horner over windows, per job, in Jacobian coordinates (few operations)
    out: list[MaybeG1] = []
    for j in range(len(jobs)):
        acc: G1Jac = G1_JAC_INFINITY
        for w in range(windows - 1, -1, -1):
            for _ in range(c):
                acc = g1_jac_double(acc)
            t = total[j * windows + w]
            if t is not None:
                acc = g1_jac_add_affine(acc, t)
        out.append(g1_to_affine(acc))
    return out


def msm(points: Sequence[G1Aff], scalars: Sequence[int]) -> MaybeG1:
    """sum scalars[i] * points[i] (scalars non-negative)."""
    return multi_msm([list(enumerate(points))], scalars)[0]


def jac_sum(points: Sequence[MaybeG1]) -> MaybeG1:
    """Sum of a few affine points in Jacobian coordinates (no batching)."""
    acc: G1Jac = G1_JAC_INFINITY
    for q in points:
        if q is not None:
            acc = g1_jac_add(acc, (q[0], q[1], 1))
    return g1_to_affine(acc)


__all__ = ["MaybeG1", "batch_add", "jac_sum", "msm", "multi_msm", "signed_digits", "sum_lists"]
