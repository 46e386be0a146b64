"""Random combinations of registered G2 keys from per-key tables (no doublings per batch).

Every batch check needs Q = sum_c b_c pk_c for fresh random weights b_c = k0 + lambda k1
with 32-bit halves (the key side of the batch equation, :mod:`avs.crypto.fast_batch`).
Operators' keys recur in every task, so each key gets the tables 2^(4j) pk and
2^(4j) lambda pk for j = 0..7, once (:func:`split_key_tables`); then Q is a bucket sum of
the tables' entries by the halves' 4-bit digits: one batched affine addition per
non-zero digit and 30 additions to combine the 15 buckets, instead of doublings and
bucket passes per batch.
The scalars stay fresh and secret per batch; only key multiples are cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from avs.crypto.bigint import P
from avs.crypto.fast_curve import (
    G2_JAC_INFINITY,
    G2Aff,
    G2Jac,
    g2_from_affine,
    g2_jac_add,
    g2_jac_double,
    g2_mul,
    g2_to_affine,
)
from avs.crypto.fast_endo import HALF_BITS, LAMBDA
from avs.crypto.fast_fields import F2, f2_inv, f2_mul

DIGIT_BITS = 4
DIGITS = 16
"""Digits per scalar: tables cover scalars below 2^(DIGIT_BITS * DIGITS) = 2^64."""

KeyTable = tuple[G2Aff, ...]
"""(pk, 2^4 pk, 2^8 pk, ..., 2^60 pk), affine."""


def g2_jac_add_affine(pt: G2Jac, q: G2Aff) -> G2Jac:
    """pt + q for an affine q (madd-2007-bl), handling every special case."""
    x1, y1, z1 = pt
    x2, y2 = q
    if z1 == (0, 0):
        return (x2, y2, (1, 0))
    z1z1 = f2_mul(z1, z1)
    u2 = f2_mul(x2, z1z1)
    s2 = f2_mul(f2_mul(y2, z1), z1z1)
    h = ((u2[0] - x1[0]) % P, (u2[1] - x1[1]) % P)
    r = (2 * (s2[0] - y1[0]) % P, 2 * (s2[1] - y1[1]) % P)
    if h == (0, 0):
        return g2_jac_double(pt) if r == (0, 0) else G2_JAC_INFINITY
    hh = f2_mul(h, h)
    i = (4 * hh[0] % P, 4 * hh[1] % P)
    j = f2_mul(h, i)
    v = f2_mul(x1, i)
    rr = f2_mul(r, r)
    x3 = ((rr[0] - j[0] - 2 * v[0]) % P, (rr[1] - j[1] - 2 * v[1]) % P)
    t = f2_mul(r, ((v[0] - x3[0]) % P, (v[1] - x3[1]) % P))
    yj = f2_mul(y1, j)
    y3 = ((t[0] - 2 * yj[0]) % P, (t[1] - 2 * yj[1]) % P)
    zh = ((z1[0] + h[0]) % P, (z1[1] + h[1]) % P)
    zz = f2_mul(zh, zh)
    z3 = ((zz[0] - z1z1[0] - hh[0]) % P, (zz[1] - z1z1[1] - hh[1]) % P)
    return (x3, y3, z3)


def key_table(q: G2Aff, digits: int = DIGITS) -> KeyTable:
    """The table 2^(4j) q for j < ``digits`` (q of order r, so no entry is infinity)."""
    out: list[G2Aff] = [q]
    pt = g2_from_affine(q)
    for _ in range(digits - 1):
        for _ in range(DIGIT_BITS):
            pt = g2_jac_double(pt)
        affine = g2_to_affine(pt)
        if affine is None:
            raise ValueError("key_table needs a point of large prime order")
        out.append(affine)
    return tuple(out)


SplitTables = tuple[KeyTable, KeyTable]
"""The 32-bit tables of pk and of lambda pk (:mod:`avs.crypto.fast_endo`)."""


def split_key_tables(q: G2Aff) -> SplitTables:
    """Tables for split scalars k0 + lambda k1 with 32-bit halves: k q is the table sum
    of k0 over the first and of k1 over the second (same memory as one 64-bit table)."""
    half = HALF_BITS // DIGIT_BITS
    lam_q = g2_to_affine(g2_mul(q, LAMBDA))
    if lam_q is None:
        raise ValueError("split_key_tables needs a point of large prime order")
    return key_table(q, half), key_table(lam_q, half)


def g2_batch_add(pairs: Sequence[tuple[G2Aff | None, G2Aff | None]]) -> list[G2Aff | None]:
    """[a + b for (a, b) in pairs] in affine coordinates with one F_p^2 inversion in all.

    Either side may be infinity (``None``); a + a and a + (-a) are handled exactly.
    About 6 F_p^2 multiplications per addition, against 11 for a mixed Jacobian one.
    """
    n = len(pairs)
    out: list[G2Aff | None] = [None] * n
    prefix: list[F2 | None] = [None] * n  # product of the denominators before i
    acc: F2 = (1, 0)
    for i in range(n):
        a, b = pairs[i]
        if a is None:
            out[i] = b
        elif b is None:
            out[i] = a
        elif a[0] != b[0]:
            prefix[i] = acc
            acc = f2_mul(acc, ((b[0][0] - a[0][0]) % P, (b[0][1] - a[0][1]) % P))
        elif ((a[1][0] + b[1][0]) % P, (a[1][1] + b[1][1]) % P) != (0, 0):  # a == b
            prefix[i] = acc
            acc = f2_mul(acc, (2 * a[1][0] % P, 2 * a[1][1] % P))
        # else a == -b: infinity, already None
    if all(pre is None for pre in prefix):
        return out
    inv = f2_inv(acc)
    for i in range(n - 1, -1, -1):
        pre = prefix[i]
        if pre is None:
            continue
        (x1, y1), (x2, y2) = pairs[i]  # type: ignore[misc]
        inv_i = f2_mul(inv, pre)  # 1 / (this denominator)
        if x1 != x2:
            d = ((x2[0] - x1[0]) % P, (x2[1] - x1[1]) % P)
            lam = f2_mul(((y2[0] - y1[0]) % P, (y2[1] - y1[1]) % P), inv_i)
        else:
            d = (2 * y1[0] % P, 2 * y1[1] % P)
            xx = f2_mul(x1, x1)
            lam = f2_mul((3 * xx[0] % P, 3 * xx[1] % P), inv_i)
        inv = f2_mul(inv, d)
        ll = f2_mul(lam, lam)
        x3 = ((ll[0] - x1[0] - x2[0]) % P, (ll[1] - x1[1] - x2[1]) % P)
        t = f2_mul(lam, ((x1[0] - x3[0]) % P, (x1[1] - x3[1]) % P))
        out[i] = (x3, ((t[0] - y1[0]) % P, (t[1] - y1[1]) % P))
    return out


def table_msm(tables: Sequence[KeyTable], scalars: Sequence[int]) -> G2Aff | None:
    """sum k_i * q_i from the tables of the q_i, for 0 <= k_i < 2^(4 len(table_i)).

    Each bucket's entries are summed in rounds of pairwise affine additions, every round
    of every bucket sharing one inversion (:func:`g2_batch_add`).
    """
    mask = (1 << DIGIT_BITS) - 1
    buckets: list[list[G2Aff | None]] = [[] for _ in range(mask + 1)]
    for table, k in zip(tables, scalars, strict=True):
        if not 0 <= k < 1 << (DIGIT_BITS * len(table)):
            raise ValueError("table_msm takes scalars below 2^(4 * table length)")
        j = 0
        while k:
            d = k & mask
            if d:
                buckets[d].append(table[j])
            k >>= DIGIT_BITS
            j += 1
    while any(len(b) > 1 for b in buckets):
        pairs = [(b[i], b[i + 1]) for b in buckets for i in range(0, len(b) - 1, 2)]
        sums = iter(g2_batch_add(pairs))
        buckets = [
            [next(sums) for _ in range(len(b) // 2)] + (b[-1:] if len(b) % 2 else [])
            for b in buckets
        ]
    running = G2_JAC_INFINITY
    acc = G2_JAC_INFINITY
    for d in range(mask, 0, -1):  # sum_d d * bucket_d by running sums
        total = buckets[d][0] if buckets[d] else None
        if total is not None:
            running = g2_jac_add_affine(running, total)
        acc = g2_jac_add(acc, running)
    return g2_to_affine(acc)


__all__ = [
    "DIGITS",
    "DIGIT_BITS",
    "KeyTable",
    "SplitTables",
    "g2_batch_add",
    "g2_jac_add_affine",
    "key_table",
    "split_key_tables",
    "table_msm",
]
