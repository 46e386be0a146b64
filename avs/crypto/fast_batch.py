"""The batch verification equation: one pairing check for many BLS signatures.

Items are arranged in a matrix: row t is a message (a task digest) with H_t = H(m_t),
column c is a signer's key pk_c (a key signing the same message twice gets a second
column), and sigma_tc is the signature at (t, c). With random scalars a_t per row and
b_c per column, each from a set of 2^64 - 1 values, all items are valid (except with
probability <= 2^-63) iff

    sum_tc a_t b_c sigma_tc  ==  sum_tc a_t b_c sk_c H_t,

because for a non-zero error matrix E the bilinear form a^T E b vanishes with probability
at most 2/(2^64 - 1) (Schwartz-Zippel: E b = 0, then a^T (E b) = 0, each at most one
value per set of weights). In pairings, when every row is signed by all columns:

    e(-S, g2) * e(X, Q) == 1,   S = sum_c b_c (sum_t a_t sigma_tc),
    X = sum_t a_t H_t,          Q = sum_c b_c pk_c,

so a batch of tasks signed by the same operators costs two Miller loops and one final
exponentiation plus the multi-scalar multiplications (S dominates: one weight b_c per
signature, shared by a column, see :func:`avs.crypto.fast_msm.shared_scalar_msm`).
The column weights are split scalars b_c = k0 + lambda k1 with 32-bit halves
(:mod:`avs.crypto.fast_endo`): still 2^64 - 1 distinct weights, so the bound above
holds, but b_c sigma = k0 sigma + k1 phi(sigma) is an MSM with half the windows and
doublings: a check of 16 tasks x 32 operators takes about 10% less time than with 64-bit
weights (same-run A/B, both integer backends; one task's check is unchanged).
Signatures missing from some rows add one pair per such column, with the cached lines
of its key (:func:`_key_side_pairs`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import NamedTuple

from avs.crypto.bigint import P
from avs.crypto.fast_curve import G1Aff, G2Aff, g2_weighted_sum
from avs.crypto.fast_endo import combined, g1_endo, random_split_scalar
from avs.crypto.fast_g2table import SplitTables, table_msm
from avs.crypto.fast_msm import MaybeG1, msm, multi_msm, shared_scalar_msm
from avs.crypto.fast_pairing import G2Lines, pairing_product_is_one, precompute_lines

SCALAR_BITS = 64
"""Bits of the random row scalars (the column weights are split scalars of as many
distinct values); the soundness error of one batch is below 2^-(bits-1)."""

Split = tuple[list[int], list[int]]
"""Column weights b_c = k0 + lambda k1 as the lists of their halves (k0s, k1s)."""


class Entry(NamedTuple):
    """One signature of a batch, already converted to affine ints and checked.

    A named tuple rather than a frozen dataclass: thousands are built per batch on the
    hot path, and tuple construction is several times cheaper.
    """

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
    key_tables: Callable[[G2Aff], SplitTables] | None = None,
) -> bool:
    """True if every entry is a valid signature of its row's hash (w.h.p., see module doc).

    ``hashes[t]`` is H(m_t); ``key_lines`` returns the (cached) precomputed lines of a key,
    ``key_tables`` its (cached) split multiples tables (:mod:`avs.crypto.fast_g2table`),
    if any.
    """
    if not entries:
        return True
    cols = columns_of(entries)
    n_cols = max(cols) + 1
    a = [random_scalar() for _ in hashes]
    split = [random_split_scalar() for _ in range(n_cols)]
    b = ([k0 for k0, _ in split], [k1 for _, k1 in split])
    col_key: list[G2Aff] = [entries[0].key] * n_cols
    jobs: list[list[tuple[int, G1Aff]]] = [[] for _ in range(n_cols)]
    row_cols: list[list[int]] = [[] for _ in hashes]
    for e, c in zip(entries, cols, strict=True):
        jobs[c].append((e.row, e.signature))
        col_key[c] = e.key
        row_cols[e.row].append(c)
    s = _signature_side(entries, cols, jobs, a, b)
    pairs: list[tuple[G1Aff, G2Lines]] = []
    if s is not None:
        pairs.append(((s[0], (P - s[1]) % P), g2_lines))  # e(-S, g2)
    pairs.extend(_key_side_pairs(row_cols, n_cols, hashes, a, b, col_key, key_lines, key_tables))
    return pairing_product_is_one(pairs)


def _signature_side(
    entries: Sequence[Entry],
    cols: list[int],
    jobs: list[list[tuple[int, G1Aff]]],
    a: list[int],
    b: Split,
) -> MaybeG1:
    """S = sum_tc a_t b_c sigma_tc, as MSMs sharing scalars over the shorter dimension.

    Each MSM of a shared-scalar batch ends with its own 64 doublings, so the vectors are
    the rows (sharing b) when there are fewer rows than columns, e.g. one task signed by
    32 operators: S = sum_t a_t Y_t, Y_t = sum_c b_c sigma_tc. Otherwise the vectors are
    the columns: S = sum_c b_c Z_c, Z_c = sum_t a_t sigma_tc. A point q weighted by b_c
    enters as q at c with k0 and phi(q) at n + c with k1 (n columns).
    """
    n = len(jobs)
    rows = sorted({e.row for e in entries})
    if len(rows) <= len(jobs):
        by_row: dict[int, list[tuple[int, G1Aff]]] = {t: [] for t in rows}
        for e, c in zip(entries, cols, strict=True):
            sig = e.signature
            by_row[e.row] += ((c, sig), (n + c, g1_endo(sig)))
        partial = multi_msm([by_row[t] for t in rows], b[0] + b[1])
        live = [(q, a[t]) for q, t in zip(partial, rows, strict=True) if q is not None]
    else:
        zs = multi_msm(jobs, a)
        live = [(z, b[0][c]) for c, z in enumerate(zs) if z is not None]
        live += [(g1_endo(z), b[1][c]) for c, z in enumerate(zs) if z is not None]
    return msm([q for q, _ in live], [k for _, k in live]) if live else None


def _key_side_pairs(
    row_cols: list[list[int]],
    n_cols: int,
    hashes: Sequence[G1Aff],
    a: list[int],
    b: Split,
    col_key: list[G2Aff],
    key_lines: Callable[[G2Aff], G2Lines],
    key_tables: Callable[[G2Aff], SplitTables] | None,
) -> list[tuple[G1Aff, G2Lines]]:
    """Pairs whose product is prod_t e(a_t H_t, sum_{c in row t} b_c pk_c).

    With U the set of all columns and M_t the columns missing from row t, that is
    e(sum_t a_t H_t, Q_U) * prod_c e(-b_c sum_{t: c in M_t} a_t H_t, pk_c): one fresh
    key Q_U = sum b_c pk_c (a G2 MSM and its lines) plus one pair with cached lines per
    column missing somewhere, which is what tasks signed by (nearly) the same operators
    need. When rows share few signers it is cheaper to pair every present column:
    prod_c e(b_c sum_{t: c in row t} a_t H_t, pk_c).
    """
    rows = [t for t, cs in enumerate(row_cols) if cs]
    present: list[set[int]] = [set() for _ in range(n_cols)]
    for t in rows:
        for c in row_cols[t]:
            present[c].add(t)
    n_present = sum(len(ps) for ps in present)
    complement = n_cols * len(rows) - n_present <= n_present
    out: list[tuple[G1Aff, G2Lines]] = []
    if complement:
        x = msm([hashes[t] for t in rows], [a[t] for t in rows])
        if key_tables is None:
            q = g2_weighted_sum(col_key, [combined(k0, k1) for k0, k1 in zip(*b, strict=True)])
        else:
            tables = [key_tables(k) for k in col_key]
            q = table_msm([t[0] for t in tables] + [t[1] for t in tables], b[0] + b[1])
        if x is not None and q is not None:
            out.append((x, precompute_lines(q)))
        selected = [[t for t in rows if t not in present[c]] for c in range(n_cols)]
    else:
        selected = [sorted(present[c]) for c in range(n_cols)]
    cols = [c for c in range(n_cols) if selected[c]]
    for c, y in zip(cols, _column_sums(selected, cols, hashes, a), strict=True):
        yb = None if y is None else msm([y, g1_endo(y)], [b[0][c], b[1][c]])
        if yb is not None:
            out.append(((yb[0], (P - yb[1]) % P) if complement else yb, key_lines(col_key[c])))
    return out


def _column_sums(
    selected: list[list[int]], cols: list[int], hashes: Sequence[G1Aff], a: list[int]
) -> list[MaybeG1]:
    """sum_{t in selected[c]} a_t H_t for each column c of ``cols``.

    Dense selections (a column missing from most rows) run in lock step over shared
    scalars; sparse ones (a few rows per column, e.g. a bad signer at a random position
    per task) as small separate MSMs, because the lock-step plan costs per row of the
    batch, present or not, in every column.
    """
    chosen_total = sum(len(selected[c]) for c in cols)
    if 4 * chosen_total >= len(cols) * len(hashes):
        vectors: list[list[MaybeG1]] = []
        for c in cols:
            chosen = set(selected[c])
            vectors.append([hashes[t] if t in chosen else None for t in range(len(hashes))])
        return shared_scalar_msm(vectors, a)
    return [msm([hashes[t] for t in selected[c]], [a[t] for t in selected[c]]) for c in cols]


__all__ = [
    "SCALAR_BITS",
    "Entry",
    "batch_equation_holds",
    "columns_of",
    "random_scalar",
]
