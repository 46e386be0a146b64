"""G1 and G2 group arithmetic on plain ints for the fast verification path.

G1 points are affine ``(x, y)`` tuples or ``None`` for infinity at the edges, and
Jacobian ``(X, Y, Z)`` (Z = 0 for infinity) inside loops; G2 points are the same over
F_p^2 tuples. Only what batch verification needs is here: addition, doubling, scalar
multiplication, small G2 multi-scalar multiplication and the G2 subgroup check.
"""

from __future__ import annotations

from avs.crypto.bigint import P
from avs.crypto.fast_fields import F2, f2_mul
from avs.crypto.points import R

G1Aff = tuple[int, int]
"""An affine G1 point (infinity is represented by ``None`` where allowed)."""
G1Jac = tuple[int, int, int]
"""A Jacobian G1 point (X, Y, Z) = (X/Z^2, Y/Z^3); Z == 0 is infinity."""
G2Aff = tuple[F2, F2]
"""An affine G2 point over F_p^2."""
G2Jac = tuple[F2, F2, F2]
"""A Jacobian G2 point over F_p^2; Z == (0, 0) is infinity."""

G1_JAC_INFINITY: G1Jac = (1, 1, 0)
"""The identity of G1 in Jacobian form."""
G2_JAC_INFINITY: G2Jac = ((1, 0), (1, 0), (0, 0))
"""The identity of G2 in Jacobian form."""


# --- G1 ----------------------------------------------------------------------------------


def g1_jac_double(pt: G1Jac) -> G1Jac:
    """2 * pt (dbl-2009-l, a = 0)."""
    p = P
    x, y, z = pt
    if z == 0 or y == 0:
        return G1_JAC_INFINITY
    a = x * x % p
    b = y * y % p
    c = b * b % p
    d = 2 * ((x + b) * (x + b) - a - c) % p
    e = 3 * a
    x3 = (e * e - 2 * d) % p
    return (x3, (e * (d - x3) - 8 * c) % p, 2 * y * z % p)


def g1_jac_add_affine(pt: G1Jac, q: G1Aff) -> G1Jac:
    """pt + q for an affine q (madd-2007-bl), handling every special case."""
    p = P
    x1, y1, z1 = pt
    x2, y2 = q
    if z1 == 0:
        return (x2, y2, 1)
    z1z1 = z1 * z1 % p
    u2 = x2 * z1z1 % p
    s2 = y2 * z1 * z1z1 % p
    h = (u2 - x1) % p
    r = 2 * (s2 - y1) % p
    if h == 0:
        return g1_jac_double(pt) if r == 0 else G1_JAC_INFINITY
    hh = h * h % p
    i = 4 * hh
    j = h * i % p
    v = x1 * i % p
    x3 = (r * r - j - 2 * v) % p
    return (x3, (r * (v - x3) - 2 * y1 * j) % p, ((z1 + h) * (z1 + h) - z1z1 - hh) % p)


def g1_jac_add(a: G1Jac, b: G1Jac) -> G1Jac:
    """a + b for Jacobian points (add-2007-bl), handling every special case."""
    p = P
    x1, y1, z1 = a
    x2, y2, z2 = b
    if z1 == 0:
        return b
    if z2 == 0:
        return a
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    h = (u2 - u1) % p
    r = 2 * (s2 - s1) % p
    if h == 0:
        return g1_jac_double(a) if r == 0 else G1_JAC_INFINITY
    i = 4 * h * h % p
    j = h * i % p
    v = u1 * i % p
    x3 = (r * r - j - 2 * v) % p
    zz = z1 + z2
    return (x3, (r * (v - x3) - 2 * s1 * j) % p, (zz * zz - z1z1 - z2z2) * h % p)


def g1_to_affine(pt: G1Jac) -> G1Aff | None:
    """Affine form of a Jacobian point (``None`` for infinity)."""
    x, y, z = pt
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def g1_mul(q: G1Aff | None, k: int) -> G1Aff | None:
    """k * q by double-and-add (k >= 0; reduce mod r first for large scalars)."""
    acc = G1_JAC_INFINITY
    if q is None:
        return None
    for bit in bin(k)[2:] if k else "":
        acc = g1_jac_double(acc)
        if bit == "1":
            acc = g1_jac_add_affine(acc, q)
    return g1_to_affine(acc)


def g1_neg(q: G1Aff | None) -> G1Aff | None:
    """-q."""
    return None if q is None else (q[0], (P - q[1]) % P)


# --- G2 ----------------------------------------------------------------------------------


def _f2_add(a: F2, b: F2) -> F2:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def _f2_sub(a: F2, b: F2) -> F2:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def _f2_scale(a: F2, k: int) -> F2:
    return (a[0] * k % P, a[1] * k % P)


def g2_jac_double(pt: G2Jac) -> G2Jac:
    """2 * pt on the twist (dbl-2009-l, a = 0)."""
    x, y, z = pt
    if z == (0, 0) or y == (0, 0):
        return G2_JAC_INFINITY
    a = f2_mul(x, x)
    b = f2_mul(y, y)
    c = f2_mul(b, b)
    xb = _f2_add(x, b)
    d = _f2_scale(_f2_sub(_f2_sub(f2_mul(xb, xb), a), c), 2)
    e = _f2_scale(a, 3)
    x3 = _f2_sub(f2_mul(e, e), _f2_scale(d, 2))
    y3 = _f2_sub(f2_mul(e, _f2_sub(d, x3)), _f2_scale(c, 8))
    return (x3, y3, _f2_scale(f2_mul(y, z), 2))


def g2_jac_add(a: G2Jac, b: G2Jac) -> G2Jac:
    """a + b on the twist (add-2007-bl), handling every special case."""
    x1, y1, z1 = a
    x2, y2, z2 = b
    if z1 == (0, 0):
        return b
    if z2 == (0, 0):
        return a
    z1z1 = f2_mul(z1, z1)
    z2z2 = f2_mul(z2, z2)
    u1 = f2_mul(x1, z2z2)
    u2 = f2_mul(x2, z1z1)
    s1 = f2_mul(f2_mul(y1, z2), z2z2)
    s2 = f2_mul(f2_mul(y2, z1), z1z1)
    h = _f2_sub(u2, u1)
    r = _f2_scale(_f2_sub(s2, s1), 2)
    if h == (0, 0):
        return g2_jac_double(a) if r == (0, 0) else G2_JAC_INFINITY
    h2 = _f2_scale(h, 2)
    i = f2_mul(h2, h2)
    j = f2_mul(h, i)
    v = f2_mul(u1, i)
    x3 = _f2_sub(_f2_sub(f2_mul(r, r), j), _f2_scale(v, 2))
    y3 = _f2_sub(f2_mul(r, _f2_sub(v, x3)), _f2_scale(f2_mul(s1, j), 2))
    zz = _f2_add(z1, z2)
    z3 = f2_mul(_f2_sub(_f2_sub(f2_mul(zz, zz), z1z1), z2z2), h)
    return (x3, y3, z3)


def g2_from_affine(q: G2Aff | None) -> G2Jac:
    """Jacobian form of an affine G2 point."""
    return G2_JAC_INFINITY if q is None else (q[0], q[1], (1, 0))


def g2_to_affine(pt: G2Jac) -> G2Aff | None:
    """Affine form of a Jacobian G2 point (``None`` for infinity)."""
    from avs.crypto.fast_fields import f2_inv

    x, y, z = pt
    if z == (0, 0):
        return None
    zi = f2_inv(z)
    zi2 = f2_mul(zi, zi)
    return (f2_mul(x, zi2), f2_mul(f2_mul(y, zi2), zi))


def g2_mul(q: G2Aff | None, k: int) -> G2Jac:
    """k * q (Jacobian result) by double-and-add, k >= 0."""
    acc = G2_JAC_INFINITY
    if q is None:
        return acc
    base = g2_from_affine(q)
    for bit in bin(k)[2:] if k else "":
        acc = g2_jac_double(acc)
        if bit == "1":
            acc = g2_jac_add(acc, base)
    return acc


def g2_in_subgroup(q: G2Aff) -> bool:
    """True if the twist point ``q`` has order r (r * q is infinity).

    Points of the twist outside the r-torsion subgroup must never reach the pairing:
    they break the soundness of BLS verification (small-subgroup attacks).
    """
    return g2_mul(q, R)[2] == (0, 0)


def g2_sum(points: list[G2Aff]) -> G2Aff | None:
    """Sum of affine G2 points."""
    acc = G2_JAC_INFINITY
    for q in points:
        acc = g2_jac_add(acc, g2_from_affine(q))
    return g2_to_affine(acc)


def g2_weighted_sum(points: list[G2Aff], scalars: list[int], window: int = 4) -> G2Aff | None:
    """sum k_i * q_i (multi-scalar multiplication, bucket method with ``window`` bits)."""
    if not points:
        return None
    bits = max(scalars).bit_length()
    mask = (1 << window) - 1
    jac = [g2_from_affine(q) for q in points]
    acc = G2_JAC_INFINITY
    for shift in range(((bits + window - 1) // window) * window - window, -1, -window):
        for _ in range(window):
            acc = g2_jac_double(acc)
        buckets = [G2_JAC_INFINITY] * (mask + 1)
        for q, k in zip(jac, scalars, strict=True):
            d = (k >> shift) & mask
            if d:
                buckets[d] = g2_jac_add(buckets[d], q)
        running = G2_JAC_INFINITY
        for d in range(mask, 0, -1):
            running = g2_jac_add(running, buckets[d])
            acc = g2_jac_add(acc, running)
    return g2_to_affine(acc)


__all__ = [
    "G1_JAC_INFINITY",
    "G2_JAC_INFINITY",
    "G1Aff",
    "G1Jac",
    "G2Aff",
    "G2Jac",
    "g1_jac_add",
    "g1_jac_add_affine",
    "g1_jac_double",
    "g1_mul",
    "g1_neg",
    "g1_to_affine",
    "g2_from_affine",
    "g2_in_subgroup",
    "g2_jac_add",
    "g2_jac_double",
    "g2_mul",
    "g2_sum",
    "g2_to_affine",
    "g2_weighted_sum",
]
