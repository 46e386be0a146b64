"""BN254's G1 endomorphism and the split random scalars of the batch check.

phi(x, y) = (beta x, y), with beta a cube root of unity in F_p, maps every G1 point P to
lambda * P, where lambda is a cube root of unity mod r (BN254's G1 has prime order r, so
this holds for every curve point). A scalar k = k0 + lambda k1 then costs an MSM over P
and phi(P) with the two halves: half the windows, half the doublings.

The batch check's column weights are drawn as (k0, k1) with 32-bit halves, not both zero:
2^64 - 1 weights k0 + lambda k1 mod r, all distinct, because a collision would be a
non-zero (x, y) with x + lambda y = 0 mod r and |x|, |y| < 2^32, while every such lattice
vector has a coordinate above 2^63 (tests/unit/crypto/test_fast_endo.py). The
Schwartz-Zippel bound of :mod:`avs.crypto.fast_batch` counts the weights, not their bits,
so it is unchanged (below 2^-63 per batch).
"""

from __future__ import annotations

import secrets

from avs.crypto.bigint import P
from avs.crypto.fast_curve import G1Aff
from avs.crypto.points import R

BETA = 2203960485148121921418603742825762020974279258880205651966
"""The cube root of unity in F_p for which (beta x, y) = lambda (x, y) on G1."""
LAMBDA = 4407920970296243842393367215006156084916469457145843978461
"""The cube root of unity mod r that phi multiplies by."""
HALF_BITS = 32
"""Bits of each half (k0, k1) of a split scalar."""
_MASK = (1 << HALF_BITS) - 1


def g1_endo(q: G1Aff) -> G1Aff:
    """phi(q) = lambda * q, for one multiplication in F_p."""
    return (BETA * q[0] % P, q[1])


def random_split_scalar() -> tuple[int, int]:
    """(k0, k1), uniform below 2^32 each and not both zero, from the OS CSPRNG."""
    k = secrets.randbelow((1 << (2 * HALF_BITS)) - 1) + 1
    return k & _MASK, k >> HALF_BITS


def combined(k0: int, k1: int) -> int:
    """The scalar k0 + lambda k1 mod r that a split scalar stands for."""
    return (k0 + LAMBDA * k1) % R


__all__ = ["BETA", "HALF_BITS", "LAMBDA", "combined", "g1_endo", "random_split_scalar"]
