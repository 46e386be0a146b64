"""BN254 group operations, hash-to-curve and EVM encodings, as EigenLayer's BN254.sol.

The public API (points, constants, arithmetic, :func:`hash_to_g1`, EVM codecs) is what
other packages use; the ``to_py_ecc_*``/``from_py_ecc_*`` helpers are public so that an
alternative pairing backend can reuse them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128 import optimized_curve as ob

from avs.crypto.bigint import plain
from avs.crypto.fast_curve import g1_mul as fast_g1_mul
from avs.crypto.fast_curve import g2_mul as fast_g2_mul
from avs.crypto.fast_curve import g2_to_affine as fast_g2_to_affine
from avs.crypto.points import (
    B1,
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    Fp2,
    G1Point,
    G2Point,
    P,
    R,
    is_on_curve_g1,
    is_on_curve_g2,
    validate_secret,
)
from avs.errors import CryptoError

__all__ = [
    "G1_GENERATOR",
    "G1_INFINITY",
    "G2_GENERATOR",
    "G2_INFINITY",
    "Fp2",
    "G1Point",
    "G2Point",
    "P",
    "R",
    "from_py_ecc_g1",
    "from_py_ecc_g2",
    "g1_add",
    "g1_from_evm",
    "g1_mul",
    "g1_neg",
    "g1_sum",
    "g1_to_bytes",
    "g1_to_evm",
    "g2_add",
    "g2_from_evm",
    "g2_mul",
    "g2_neg",
    "g2_sum",
    "g2_to_evm",
    "hash_to_g1",
    "is_in_g2_subgroup",
    "is_on_curve_g1",
    "is_on_curve_g2",
    "to_py_ecc_g1",
    "to_py_ecc_g2",
    "validate_g2_subgroup",
    "validate_secret",
]

# py_ecc's projective point types; it ships no usable type hints for them.
PyEccG1 = tuple[Any, Any, Any]
PyEccG2 = tuple[Any, Any, Any]

_SQRT_EXP = (P + 1) // 4  # p = 3 mod 4, so beta^((p+1)/4) is a square root when one exists


# --- conversions to and from py_ecc (projective coordinates) -------------------------


def to_py_ecc_g1(p: G1Point) -> PyEccG1:
    """Convert to py_ecc ``optimized_bn128`` projective form (infinity -> Z1)."""
    if p.is_infinity():
        return ob.Z1
    return (FQ(p.x), FQ(p.y), FQ.one())


def to_py_ecc_g2(p: G2Point) -> PyEccG2:
    """Convert to py_ecc ``optimized_bn128`` projective form (infinity -> Z2)."""
    if p.is_infinity():
        return ob.Z2
    return (FQ2(list(p.x)), FQ2(list(p.y)), FQ2.one())


def from_py_ecc_g1(pt: PyEccG1) -> G1Point:
    """Convert a py_ecc projective G1 point to an affine :class:`G1Point`."""
    if ob.is_inf(pt):
        return G1_INFINITY
    x, y = ob.normalize(pt)
    return G1Point(int(x.n), int(y.n))


def from_py_ecc_g2(pt: PyEccG2) -> G2Point:
    """Convert a py_ecc projective G2 point to an affine :class:`G2Point`."""
    if ob.is_inf(pt):
        return G2_INFINITY
    x, y = ob.normalize(pt)
    return G2Point(
        (int(x.coeffs[0]), int(x.coeffs[1])),
        (int(y.coeffs[0]), int(y.coeffs[1])),
    )


# --- group arithmetic ------------------------------------------------------------------


def g1_add(a: G1Point, b: G1Point) -> G1Point:
    """a + b in G1."""
    return from_py_ecc_g1(ob.add(to_py_ecc_g1(a), to_py_ecc_g1(b)))


def g1_neg(a: G1Point) -> G1Point:
    """-a in G1 (BN254.sol ``negate``: (x, p - y), infinity stays infinity)."""
    return a if a.is_infinity() else G1Point(a.x, (P - a.y) % P)


def g1_mul(a: G1Point, k: int) -> G1Point:
    """k * a in G1 (k is reduced mod r; G1 has cofactor 1 so this is exact).

    On the plain-int Jacobian arithmetic of :mod:`avs.crypto.fast_curve` (~8x py_ecc's
    ``multiply``): every signature an operator makes is one of these.
    """
    if a.is_infinity():
        return a
    out = fast_g1_mul((a.x, a.y), k % R)
    return G1Point(0, 0) if out is None else G1Point(plain(out[0]), plain(out[1]))


def g1_sum(points: Iterable[G1Point]) -> G1Point:
    """Sum of G1 points (infinity for none)."""
    acc = ob.Z1
    for p in points:
        acc = ob.add(acc, to_py_ecc_g1(p))
    return from_py_ecc_g1(acc)


def g2_add(a: G2Point, b: G2Point) -> G2Point:
    """a + b in G2."""
    return from_py_ecc_g2(ob.add(to_py_ecc_g2(a), to_py_ecc_g2(b)))


def g2_neg(a: G2Point) -> G2Point:
    """-a in G2."""
    if a.is_infinity():
        return a
    return G2Point(a.x, ((P - a.y[0]) % P, (P - a.y[1]) % P))


def g2_mul(a: G2Point, k: int) -> G2Point:
    """k * a for a point of the r-torsion subgroup (k is reduced mod r).

    On the Jacobian arithmetic of :mod:`avs.crypto.fast_curve` (py_ecc's ``multiply`` took
    ~0.2 s: every key pair's pk2, so onboarding 200 operators spent most of its time here).
    """
    if a.is_infinity():
        return a
    out = fast_g2_to_affine(fast_g2_mul((a.x, a.y), k % R))
    if out is None:
        return G2_INFINITY
    (x0, x1), (y0, y1) = out
    return G2Point((plain(x0), plain(x1)), (plain(y0), plain(y1)))


def g2_sum(points: Iterable[G2Point]) -> G2Point:
    """Sum of G2 points (infinity for none)."""
    acc = ob.Z2
    for p in points:
        acc = ob.add(acc, to_py_ecc_g2(p))
    return from_py_ecc_g2(acc)


def is_in_g2_subgroup(p: G2Point) -> bool:
    """True if r * p is infinity, i.e. p is in G2 proper and not just on the twist."""
    # Not reduced mod r on purpose: multiplying by r itself is the test.
    return bool(ob.is_inf(ob.multiply(to_py_ecc_g2(p), R)))


def validate_g2_subgroup(p: G2Point) -> G2Point:
    """Return ``p`` if it is in the r-torsion subgroup, else raise CryptoError."""
    if not is_in_g2_subgroup(p):
        raise CryptoError(
            "G2 point is on the twist but not in the BN254 r-torsion subgroup; "
            "it is not a valid public key or signature"
        )
    return p


# --- hash to curve (BN254.sol hashToG1) -----------------------------------------------


def hash_to_g1(message: bytes) -> G1Point:
    """Map a 32-byte message (a keccak256 digest) to G1 by try-and-increment.

    Exactly BN254.sol ``hashToG1``: x = uint256(m) mod p; loop {beta = x^3 + 3;
    y = beta^((p+1)/4); if y^2 == beta return (x, y); x = x + 1 mod p}. y is not
    sign-normalised, so signatures match the on-chain verifier bit for bit.
    """
    if not isinstance(message, bytes | bytearray) or len(message) != 32:
        raise CryptoError(
            "message to hash to G1 must be exactly 32 bytes (a keccak256 digest); "
            f"got {len(message) if isinstance(message, bytes | bytearray) else type(message)}"
        )
    x = int.from_bytes(message, "big") % P
    while True:
        beta = (pow(x, 3, P) + B1) % P
        y = pow(beta, _SQRT_EXP, P)
        if y * y % P == beta:
            return G1Point(x, y)
        x = (x + 1) % P


# --- EVM encodings ---------------------------------------------------------------------


def g1_to_evm(p: G1Point) -> tuple[int, int]:
    """(X, Y) as BN254.G1Point in Solidity."""
    return (p.x, p.y)


def g1_to_bytes(p: G1Point) -> bytes:
    """X || Y as two 32-byte big-endian words (abi.encodePacked of BN254.G1Point)."""
    return p.x.to_bytes(32, "big") + p.y.to_bytes(32, "big")


def g2_to_evm(p: G2Point) -> tuple[tuple[int, int], tuple[int, int]]:
    """EIP-197 order: ([x_imag, x_real], [y_imag, y_real]) as BN254.G2Point in Solidity."""
    return ((p.x[1], p.x[0]), (p.y[1], p.y[0]))


def _as_uint(v: object, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise CryptoError(f"{what} must be an integer, got {type(v).__name__}")
    return v


def g1_from_evm(coords: Sequence[int], *, allow_infinity: bool = False) -> G1Point:
    """Parse (X, Y) from the EVM, checking range and curve; infinity is refused by default."""
    if len(coords) != 2:
        raise CryptoError(f"G1 point needs 2 coordinates (X, Y), got {len(coords)}")
    p = G1Point(_as_uint(coords[0], "G1 X"), _as_uint(coords[1], "G1 Y"))
    if p.is_infinity() and not allow_infinity:
        raise CryptoError("G1 point is the point at infinity (0, 0), which is not allowed here")
    return p


def g2_from_evm(coords: Sequence[Sequence[int]], *, allow_infinity: bool = False) -> G2Point:
    """Parse ([x_imag, x_real], [y_imag, y_real]) from the EVM (EIP-197 order).

    Checks range, twist equation and r-torsion subgroup membership; infinity is refused
    by default.
    """
    if len(coords) != 2 or any(len(c) != 2 for c in coords):
        raise CryptoError("G2 point needs ([x_imag, x_real], [y_imag, y_real])")
    (xi, xr), (yi, yr) = coords
    x = (_as_uint(xr, "G2 x_real"), _as_uint(xi, "G2 x_imag"))
    y = (_as_uint(yr, "G2 y_real"), _as_uint(yi, "G2 y_imag"))
    p = G2Point(x, y)
    if p.is_infinity():
        if not allow_infinity:
            raise CryptoError("G2 point is the point at infinity, which is not allowed here")
        return p
    return validate_g2_subgroup(p)
