"""The batch verification equation: one pairing check for many BLS signatures.

Items are arranged in a matrix: row t is a message (a task digest) with H_t = H(m_t),
column c is a signer's key pk_c (a key signing the same message twice gets a second
column), and sigma_tc is the signature at (t, c). With random 64-bit scalars a_t per row
and b_c per column, all items are valid (except with probability <= 2^-63) iff

    sum_tc a_t b_c sigma_tc  ==  sum_tc a_t b_c sk_c H_t,

because for a non-zero error matrix E the bilinear form a^T E b vanishes with probability
at most 2/2^64 (Schwartz-Zippel). In pairings, when every row is signed by all columns:

    e(-S, g2) * e(X, Q) == 1,   S = sum_c b_c (sum_t a_t sigma_tc),
    X = sum_t a_t H_t,          Q = sum_c b_c pk_c,

so a batch of tasks signed by the same operators costs two Miller loops and one final
exponentiation plus the multi-scalar multiplications (S dominates: one 64-bit scalar
per signature, shared by a column, see :func:`avs.crypto.fast_msm.shared_scalar_msm`).
Signatures missing from some rows add one pair per such column, with the cached lines
of its key (:func:`_key_side_pairs`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import NamedTuple

from avs.crypto.bigint import P
from avs.crypto.fast_curve import G1Aff, G2Aff, g1_mul, g2_weighted_sum
from avs.crypto.fast_g2table import KeyTable, table_msm
from avs.crypto.fast_msm import MaybeG1, msm, multi_msm, shared_scalar_msm
from avs.crypto.fast_pairing import G2Lines, pairing_product_is_one, precompute_lines

SCALAR_BITS = 64
"""Bits of the random scalars; the soundness error of one batch is below 2^-(bits-1)."""


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
    key_table: Callable[[G2Aff], KeyTable] | None = None,
) -> bool:
    """True if every entry is a valid signature of its row's hash (w.h.p., see module doc).

    ``hashes[t]`` is H(m_t); ``key_lines`` returns the (cached) precomputed lines of a key,
    ``key_table`` its (cached) multiples table (:mod:`avs.crypto.fast_g2table`), if any.
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
    s = _signature_side(entries, cols, jobs, a, b)
    pairs: list[tuple[G1Aff, G2Lines]] = []
    if s is not None:
        pairs.append(((s[0], (P - s[1]) % P), g2_lines))  # e(-S, g2)
    pairs.extend(_key_side_pairs(row_cols, n_cols, hashes, a, b, col_key, key_lines, key_table))
    return pairing_product_is_one(pairs)


def _signature_side(
    entries: Sequence[Entry],
    cols: list[int],
    jobs: list[list[tuple[int, G1Aff]]],
    a: list[int],
    b: list[int],
) -> MaybeG1:
    """S = sum_tc a_t b_c sigma_tc, as MSMs sharing scalars over the shorter dimension.

    Each MSM of a shared-scalar batch ends with its own 64 doublings, so the vectors are
    the rows (sharing b) when there are fewer rows than columns, e.g. one task signed by
    32 operators: S = sum_t a_t Y_t, Y_t = sum_c b_c sigma_tc. Otherwise the vectors are
    the columns: S = sum_c b_c Z_c, Z_c = sum_t a_t sigma_tc.
    """
    rows = sorted({e.row for e in entries})
    if len(rows) <= len(jobs):
        by_row: dict[int, list[tuple[int, G1Aff]]] = {t: [] for t in rows}
        for e, c in zip(entries, cols, strict=True):
            by_row[e.row].append((c, e.signature))
        partial = multi_msm([by_row[t] for t in rows], b)
        outer = [a[t] for t in rows]
    else:
        partial, outer = multi_msm(jobs, a), b
    live = [(q, k) for q, k in zip(partial, outer, strict=True) if q is not None]
    return msm([q for q, _ in live], [k for _, k in live]) if live else None


def _key_side_pairs(
    row_cols: list[list[int]],
    n_cols: int,
    hashes: Sequence[G1Aff],
    a: list[int],
    b: list[int],
    col_key: list[G2Aff],
    key_lines: Callable[[G2Aff], G2Lines],
    key_table: Callable[[G2Aff], KeyTable] | None,
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
        if key_table is None:
            q = g2_weighted_sum(col_key, b)
        else:
            q = table_msm([key_table(k) for k in col_key], b)
        if x is not None and q is not None:
            out.append((x, precompute_lines(q)))
        selected = [[t for t in rows if t not in present[c]] for c in range(n_cols)]
    else:
        selected = [sorted(present[c]) for c in range(n_cols)]
    cols = [c for c in range(n_cols) if selected[c]]
    for c, y in zip(cols, _column_sums(selected, cols, hashes, a), strict=True):
        yb = g1_mul(y, b[c])
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
