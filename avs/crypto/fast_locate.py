"""Naming the bad signer of a failing row from its error value in G_T.

Row t has signatures sigma_1..sigma_n (canonical key order) of H_t. With A_t = sum sigma_i
the row's error value is D_t = e(A_t, g2) e(-H_t, sum pk_i) = e(sum delta_i, g2), where
delta_i = sigma_i - sk_i H_t is zero exactly for valid signatures. If only delta_k is
non-zero, the weighted value e(sum i sigma_i, g2) e(-H_t, sum i pk_i) equals D_t^k: one
more pairing check and at most n multiplications in G_T name k.

Two failing rows with the same signer set share that check: D_1^k1 D_2^k2 is one
2-pairing value (sum the rows' weighted signatures, sum their hashes), and (k1, k2) is
found by meeting in the middle (2n multiplications). Rows where no k fits have two or
more bad signatures; their signatures are then checked one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from avs.crypto.bigint import P
from avs.crypto.fast_batch import Entry
from avs.crypto.fast_curve import (
    G1_JAC_INFINITY,
    G1Aff,
    G1Jac,
    G2Aff,
    g1_jac_add,
    g1_jac_add_affine,
    g1_to_affine,
)
from avs.crypto.fast_fields import F12, F12_ONE, f12_conj, f12_cyclotomic_sqr, f12_mul
from avs.crypto.fast_msm import MaybeG1, jac_sum, sum_lists
from avs.crypto.fast_pairing import G2Lines, final_exponentiation, miller_loop


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
    """Keys whose signatures are checked first (updated in place, see fast_identify)."""


def neg(q: MaybeG1) -> MaybeG1:
    """-q."""
    return None if q is None else (q[0], (P - q[1]) % P)


def gt_value(pairs: Sequence[tuple[MaybeG1, G2Lines | None]]) -> F12:
    """prod e(P_i, Q_i) after the final exponentiation; infinity on either side is 1."""
    live = [(q, lines) for q, lines in pairs if q is not None and lines is not None]
    return final_exponentiation(miller_loop(live)) if live else F12_ONE


def single_ok(ctx: Context, i: int) -> bool:
    """Check one signature alone: e(sigma, g2) e(-H, pk) == 1."""
    e = ctx.entries[i]
    pairs = [(e.signature, ctx.g2_lines), (neg(ctx.hashes[e.row]), ctx.key_lines(e.key))]
    return gt_value(pairs) == F12_ONE


def row_keys(ctx: Context, members: Sequence[int]) -> tuple[G2Aff, ...]:
    """The canonical key tuple of a row (its members are sorted by key)."""
    return tuple(ctx.entries[i].key for i in members)


def _weighted(ctx: Context, rows: Sequence[Sequence[int]]) -> MaybeG1:
    """sum over the rows of sum_k k sigma_k (k from 1, canonical order).

    The rows are first summed position by position (batched affine additions), then
    sum_k k P_k = sum_j (P_j + ... + P_n) by running suffix sums: about 3 additions
    per position instead of a general MSM's plan.
    """
    width = max((len(members) for members in rows), default=0)
    lists: list[list[G1Aff]] = [[] for _ in range(width)]
    for members in rows:
        for k, i in enumerate(members):
            lists[k].append(ctx.entries[i].signature)
    suffix: G1Jac = G1_JAC_INFINITY
    acc: G1Jac = G1_JAC_INFINITY
    for part in reversed(sum_lists(lists)):
        if part is not None:
            suffix = g1_jac_add_affine(suffix, part)
        acc = g1_jac_add(acc, suffix)
    return g1_to_affine(acc)


def _weighted_value(ctx: Context, rows: Sequence[tuple[int, Sequence[int]]]) -> F12:
    """prod_t e(W_t, g2) e(-H_t, sum_k k pk_k) for rows sharing one key tuple."""
    w = _weighted(ctx, [members for _, members in rows])
    h = jac_sum([ctx.hashes[t] for t, _ in rows])
    wpk = ctx.wpk_lines(row_keys(ctx, rows[0][1]))
    return gt_value([(w, ctx.g2_lines), (neg(h), wpk)])


def _powers(d: F12, n: int) -> list[F12]:
    """[d, d^2, ..., d^n] for d in G_T: even powers by cyclotomic squaring (half the
    cost of a product)."""
    out = [d]
    for k in range(2, n + 1):
        out.append(f12_cyclotomic_sqr(out[k // 2 - 1]) if k % 2 == 0 else f12_mul(out[-1], d))
    return out


def locate_one(ctx: Context, t: int, members: Sequence[int], d: F12) -> int | None:
    """The only bad member of row t (error value d != 1), or None if there are several."""
    if len(members) == 1:
        return members[0]
    d2 = _weighted_value(ctx, [(t, members)])
    for i, power in zip(members, _powers(d, len(members)), strict=True):
        if power == d2:
            return i
    return None


def locate_pair(
    ctx: Context, first: tuple[int, Sequence[int], F12], second: tuple[int, Sequence[int], F12]
) -> tuple[int, int] | None:
    """The bad members of two failing rows with the same key tuple, one check for both.

    None when no (k1, k2) fits (a row has several bad signatures) or several do.
    """
    (t1, m1, d1), (t2, m2, d2) = first, second
    table = {power: k for k, power in enumerate(_powers(d1, len(m1)))}
    d2_inv = f12_conj(d2)  # G_T is in the cyclotomic subgroup: inverse = conjugate
    if d2 in table or d2_inv in table:
        return None  # related errors (the same bad point twice?): ambiguous, see below
    g = _weighted_value(ctx, [(t1, m1), (t2, m2)])
    acc = g
    found: list[tuple[int, int]] = []
    for k2 in range(len(m2)):
        acc = f12_mul(acc, d2_inv)  # g / d2^(k2 + 1)
        k1 = table.get(acc)
        if k1 is not None:
            found.append((m1[k1], m2[k2]))
    # errors with d1^a == d2^b for small a, b (e.g. the same error in both rows) make the
    # answer ambiguous: then each row is located on its own
    return found[0] if len(found) == 1 else None


__all__ = [
    "Context",
    "gt_value",
    "locate_one",
    "locate_pair",
    "neg",
    "row_keys",
    "single_ok",
]
