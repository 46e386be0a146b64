"""The batch verification equation: one pairing check for many BLS signatures.

Items are arranged in a matrix: row t is a message (a task digest) with H_t = H(m_t),
column c is a signer's key pk_c (a key signing the same message twice gets a second
column), and sigma_tc is the signature at (t, c). With random 64-bit scalars a_t per row
and b_c per column, all items are valid (except with probability <= 2^-63) iff

    sum_tc a_t b_c sigma_tc  ==  sum_tc a_t b_c sk_c H_t,

because for a non-zero error matrix E the bilinear form a^T E b vanishes with probability
at most 2/2^64 (Schwartz-Zippel). In pairings, grouping rows that share a signer set J:

    e(-S, g2) * prod_J e(X_J, Q_J) == 1,   S = sum_c b_c (sum_t a_t sigma_tc),
    X_J = sum_{t in J} a_t H_t,            Q_J = sum_{c in J} b_c pk_c,

so a batch of tasks signed by the same operators costs two Miller loops and one final
exponentiation plus the multi-scalar multiplications. Rows whose signer set is rare are
paired per column instead: e(b_c X_c, pk_c) with the cached lines of pk_c.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from avs.crypto.fast_curve import G1Aff, G2Aff, g1_mul, g2_weighted_sum
from avs.crypto.fast_msm import msm, multi_msm, sum_lists
from avs.crypto.fast_pairing import G2Lines, pairing_product_is_one, precompute_lines
from avs.crypto.points import P

SCALAR_BITS = 64
"""Bits of the random scalars; the soundness error of one batch is below 2^-(bits-1)."""

MIN_GROUP_ROWS = 4
"""Rows sharing a signer set needed to pay for a combined G2 key (G2 MSM + fresh lines)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One signature of a batch, already converted to affine ints and checked."""

    row: int
    """Index of the message (row) in the batch."""
    key: G2Aff
    """The signer's G2 public key (in the r-torsion subgroup)."""
    signature: G1Aff
    """The signature (a G1 point, never infinity here)."""


def random_scalar() -> int:
    """A uniform non-zero scalar of :data:`SCALAR_BITS` bits from the OS CSPRNG."""
    return secrets.randbelow((1 << SCALAR_BITS) - 1) + 1


def columns_of(entries: Sequence[Entry]) -> list[int]:
    """Column index of every entry: one column per (key, repetition within its row)."""
    seen: dict[tuple[int, G2Aff], int] = {}
    column: dict[tuple[G2Aff, int], int] = {}
    out: list[int] = []
    for e in entries:
        k = seen.get((e.row, e.key), 0)
        seen[(e.row, e.key)] = k + 1
        out.append(column.setdefault((e.key, k), len(column)))
    return out


def batch_equation_holds(
    entries: Sequence[Entry],
    hashes: Sequence[G1Aff],
    g2_lines: G2Lines,
    key_lines: Callable[[G2Aff], G2Lines],
) -> bool:
    """True if every entry is a valid signature of its row's hash (w.h.p., see module doc).

    ``hashes[t]`` is H(m_t); ``key_lines`` returns the (cached) precomputed lines of a key.
    """
    if not entries:
        return True
    cols = columns_of(entries)
    n_cols = max(cols) + 1
    a = [random_scalar() for _ in hashes]
    b = [random_scalar() for _ in range(n_cols)]
    col_key: list[G2Aff] = [entries[0].key] * n_cols
    jobs: list[list[tuple[int, G1Aff]]] = [[] for _ in range(n_cols)]
    row_cols: list[list[int]] = [[] for _ in hashes]
    for e, c in zip(entries, cols, strict=True):
        jobs[c].append((e.row, e.signature))
        col_key[c] = e.key
        row_cols[e.row].append(c)
    # S = sum_c b_c Z_c with Z_c = sum_t a_t sigma_tc (column MSMs share the scalars a)
    z = multi_msm(jobs, a)
    live = [(zc, bc) for zc, bc in zip(z, b, strict=True) if zc is not None]
    s = msm([zc for zc, _ in live], [bc for _, bc in live]) if live else None
    pairs: list[tuple[G1Aff, G2Lines]] = []
    if s is not None:
        pairs.append(((s[0], (P - s[1]) % P), g2_lines))  # e(-S, g2)
    # rows grouped by signer set; big groups get one combined key, the rest go per column
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for t, cs in enumerate(row_cols):
        if cs:
            groups[tuple(sorted(cs))].append(t)
    leftover: list[int] = []
    for col_set, group_rows in groups.items():
        if len(group_rows) < MIN_GROUP_ROWS and len(groups) > 1:
            leftover.extend(group_rows)
            continue
        x = msm([hashes[t] for t in group_rows], [a[t] for t in group_rows])
        q = g2_weighted_sum([col_key[c] for c in col_set], [b[c] for c in col_set])
        if x is not None and q is not None:
            pairs.append((x, precompute_lines(q)))
    if leftover:
        pairs.extend(_per_column_pairs(leftover, row_cols, hashes, a, b, col_key, key_lines))
    return pairing_product_is_one(pairs)


def _per_column_pairs(
    rows: list[int],
    row_cols: list[list[int]],
    hashes: Sequence[G1Aff],
    a: list[int],
    b: list[int],
    col_key: list[G2Aff],
    key_lines: Callable[[G2Aff], G2Lines],
) -> list[tuple[G1Aff, G2Lines]]:
    """Pairs (b_c sum_{t in rows, c in t} a_t H_t, pk_c) with the keys' cached lines."""
    weighted = {t: g1_mul(hashes[t], a[t]) for t in rows}
    per_col: dict[int, list[G1Aff]] = defaultdict(list)
    for t in rows:
        wt = weighted[t]
        if wt is not None:
            for c in row_cols[t]:
                per_col[c].append(wt)
    order = sorted(per_col)
    sums = sum_lists([per_col[c] for c in order])
    out: list[tuple[G1Aff, G2Lines]] = []
    for c, x in zip(order, sums, strict=True):
        xb = g1_mul(x, b[c]) if x is not None else None
        if xb is not None:
            out.append((xb, key_lines(col_key[c])))
    return out


__all__ = [
    "MIN_GROUP_ROWS",
    "SCALAR_BITS",
    "Entry",
    "batch_equation_holds",
    "columns_of",
    "random_scalar",
]
