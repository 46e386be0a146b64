"""F_p^12 tower arithmetic on plain Python ints: the field layer of the fast pairing.

py_ecc's ``FQ12`` is generic polynomial arithmetic modulo w^12 - 18w^6 + 82 with a
reduction after every operation; here the same field is the tower

    F_p^2  = F_p[u]  / (u^2 + 1)
    F_p^6  = F_p^2[v] / (v^3 - xi),  xi = 9 + u
    F_p^12 = F_p^6[w] / (w^2 - v)

with hand-written formulas on flat tuples of ints and lazy reduction (intermediate
products stay unreduced, each output coefficient is reduced once). w is py_ecc's w
(w^6 = xi), so :func:`from_py_ecc`/:func:`to_py_ecc` are exact coordinate changes and
every function here is tested against py_ecc.

An ``F12`` is 12 ints: (g0, g1, g2, h0, h1, h2) with each g_i/h_i an F_p^2 element
(real, imag), meaning (g0 + g1 v + g2 v^2) + (h0 + h1 v + h2 v^2) w.
"""

from __future__ import annotations

from typing import Any

from avs.crypto.bigint import P

F2 = tuple[int, int]
"""An F_p^2 element (real, imag)."""
F6 = tuple[int, int, int, int, int, int]
"""An F_p^6 element (c0, c1, c2) flattened to six ints."""
F12 = tuple[int, int, int, int, int, int, int, int, int, int, int, int]
"""An F_p^12 element (g0, g1, g2, h0, h1, h2) flattened to twelve ints."""

F12_ONE: F12 = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
"""The multiplicative identity of F_p^12."""


def f2_mul(a: F2, b: F2) -> F2:
    """a * b in F_p^2 (reduced)."""
    a0, a1 = a
    b0, b1 = b
    return ((a0 * b0 - a1 * b1) % P, (a0 * b1 + a1 * b0) % P)


def f2_inv(a: F2) -> F2:
    """1 / a in F_p^2 (a must be non-zero)."""
    a0, a1 = a
    n = pow(a0 * a0 + a1 * a1, -1, P)
    return (a0 * n % P, -a1 * n % P)


def f2_pow(a: F2, e: int) -> F2:
    """a^e in F_p^2 by square-and-multiply (used only for constants)."""
    result: F2 = (1, 0)
    base = a
    while e:
        if e & 1:
            result = f2_mul(result, base)
        base = f2_mul(base, base)
        e >>= 1
    return result


def f6_mul(a: F6, b: F6) -> F6:
    """a * b in F_p^6; outputs are NOT reduced mod p.

    Karatsuba at both levels (6 F_p^2 products of 3 base products each): in CPython a
    254-bit product costs about four additions, so trading products for sums pays.
    """
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    # v_i = a_i * b_i (F_p^2, Karatsuba)
    m0, m1 = a0 * b0, a1 * b1
    v0r, v0i = m0 - m1, (a0 + a1) * (b0 + b1) - m0 - m1
    m0, m1 = a2 * b2, a3 * b3
    v1r, v1i = m0 - m1, (a2 + a3) * (b2 + b3) - m0 - m1
    m0, m1 = a4 * b4, a5 * b5
    v2r, v2i = m0 - m1, (a4 + a5) * (b4 + b5) - m0 - m1
    # (a1 + a2)(b1 + b2), (a0 + a1)(b0 + b1), (a0 + a2)(b0 + b2)
    x0, x1, y0, y1 = a2 + a4, a3 + a5, b2 + b4, b3 + b5
    m0, m1 = x0 * y0, x1 * y1
    e0, e1 = m0 - m1 - v1r - v2r, (x0 + x1) * (y0 + y1) - m0 - m1 - v1i - v2i
    x0, x1, y0, y1 = a0 + a2, a1 + a3, b0 + b2, b1 + b3
    m0, m1 = x0 * y0, x1 * y1
    f0, f1 = m0 - m1, (x0 + x1) * (y0 + y1) - m0 - m1
    x0, x1, y0, y1 = a0 + a4, a1 + a5, b0 + b4, b1 + b5
    m0, m1 = x0 * y0, x1 * y1
    g0, g1 = m0 - m1, (x0 + x1) * (y0 + y1) - m0 - m1
    # c0 = v0 + xi e ; c1 = f - v0 - v1 + xi v2 ; c2 = g - v0 - v2 + v1
    return (
        v0r + 9 * e0 - e1,
        v0i + e0 + 9 * e1,
        f0 - v0r - v1r + 9 * v2r - v2i,
        f1 - v0i - v1i + v2r + 9 * v2i,
        g0 - v0r - v2r + v1r,
        g1 - v0i - v2i + v1i,
    )


def f12_mul(a: F12, b: F12) -> F12:
    """a * b in F_p^12 (Karatsuba over F_p^6: three F_p^6 products)."""
    p = P
    x0: F6 = a[:6]
    x1: F6 = a[6:]
    y0: F6 = b[:6]
    y1: F6 = b[6:]
    t0 = f6_mul(x0, y0)
    t1 = f6_mul(x1, y1)
    t2 = f6_mul(
        (a[0] + a[6], a[1] + a[7], a[2] + a[8], a[3] + a[9], a[4] + a[10], a[5] + a[11]),
        (b[0] + b[6], b[1] + b[7], b[2] + b[8], b[3] + b[9], b[4] + b[10], b[5] + b[11]),
    )
    u0, u1, u2, u3, u4, u5 = t0
    w0, w1, w2, w3, w4, w5 = t1
    # C0 = t0 + v*t1 with v*(c0, c1, c2) = (xi c2, c0, c1); C1 = t2 - t0 - t1
    return (
        (u0 + 9 * w4 - w5) % p,
        (u1 + w4 + 9 * w5) % p,
        (u2 + w0) % p,
        (u3 + w1) % p,
        (u4 + w2) % p,
        (u5 + w3) % p,
        (t2[0] - u0 - w0) % p,
        (t2[1] - u1 - w1) % p,
        (t2[2] - u2 - w2) % p,
        (t2[3] - u3 - w3) % p,
        (t2[4] - u4 - w4) % p,
        (t2[5] - u5 - w5) % p,
    )


def f12_sqr(a: F12) -> F12:
    """a^2 in F_p^12 (complex squaring: two F_p^6 products)."""
    p = P
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = a
    # (A + B w)^2 = (A + B)(A + v B) - AB - v AB + 2 AB w, v B = (xi b2, b0, b1)
    ab = f6_mul((a0, a1, a2, a3, a4, a5), (b0, b1, b2, b3, b4, b5))
    m = f6_mul(
        (a0 + b0, a1 + b1, a2 + b2, a3 + b3, a4 + b4, a5 + b5),
        (a0 + 9 * b4 - b5, a1 + b4 + 9 * b5, a2 + b0, a3 + b1, a4 + b2, a5 + b3),
    )
    c0, c1, c2, c3, c4, c5 = ab
    return (
        (m[0] - c0 - 9 * c4 + c5) % p,
        (m[1] - c1 - c4 - 9 * c5) % p,
        (m[2] - c2 - c0) % p,
        (m[3] - c3 - c1) % p,
        (m[4] - c4 - c2) % p,
        (m[5] - c5 - c3) % p,
        2 * c0 % p,
        2 * c1 % p,
        2 * c2 % p,
        2 * c3 % p,
        2 * c4 % p,
        2 * c5 % p,
    )


def f12_mul_line(f: F12, b0: int, b1: int, c0: int, c1: int) -> F12:
    """f * (1 + b w + c w^3) for b = (b0, b1), c = (c0, c1): a normalised line value.

    Lines of the D-type twist evaluated at a G1 point have this sparse shape once
    divided by y_P (an F_p factor the final exponentiation removes): 12 F_p^2 products
    (36 base products with Karatsuba) instead of 54 F_p^2 products for a full product.
    """
    p = P
    g0, g1, g2, g3, g4, g5, h0, h1, h2, h3, h4, h5 = f
    bs, cs = b0 + b1, c0 + c1
    # result = F0 + v (F1 L1) + (F0 L1 + F1) w with L1 = b + c v, v (d0, d1, d2) =
    # (xi d2, d0, d1), and X L1 = (x0 b + xi x2 c, x0 c + x1 b, x1 c + x2 b).
    # F1 * L1, Karatsuba F_p^2 products x * b and x * c
    m0, m1 = h0 * b0, h1 * b1
    xb0r, xb0i = m0 - m1, (h0 + h1) * bs - m0 - m1
    m0, m1 = h0 * c0, h1 * c1
    xc0r, xc0i = m0 - m1, (h0 + h1) * cs - m0 - m1
    m0, m1 = h2 * b0, h3 * b1
    xb1r, xb1i = m0 - m1, (h2 + h3) * bs - m0 - m1
    m0, m1 = h2 * c0, h3 * c1
    xc1r, xc1i = m0 - m1, (h2 + h3) * cs - m0 - m1
    m0, m1 = h4 * b0, h5 * b1
    xb2r, xb2i = m0 - m1, (h4 + h5) * bs - m0 - m1
    m0, m1 = h4 * c0, h5 * c1
    xc2r, xc2i = m0 - m1, (h4 + h5) * cs - m0 - m1
    d4, d5 = xc1r + xb2r, xc1i + xb2i  # x1 c + x2 b
    r0 = (g0 + 9 * d4 - d5) % p
    r1 = (g1 + d4 + 9 * d5) % p
    r2 = (g2 + xb0r + 9 * xc2r - xc2i) % p  # x0 b + xi x2 c
    r3 = (g3 + xb0i + xc2r + 9 * xc2i) % p
    r4 = (g4 + xc0r + xb1r) % p  # x0 c + x1 b
    r5 = (g5 + xc0i + xb1i) % p
    # F0 * L1 + F1
    m0, m1 = g0 * b0, g1 * b1
    xb0r, xb0i = m0 - m1, (g0 + g1) * bs - m0 - m1
    m0, m1 = g0 * c0, g1 * c1
    xc0r, xc0i = m0 - m1, (g0 + g1) * cs - m0 - m1
    m0, m1 = g2 * b0, g3 * b1
    xb1r, xb1i = m0 - m1, (g2 + g3) * bs - m0 - m1
    m0, m1 = g2 * c0, g3 * c1
    xc1r, xc1i = m0 - m1, (g2 + g3) * cs - m0 - m1
    m0, m1 = g4 * b0, g5 * b1
    xb2r, xb2i = m0 - m1, (g4 + g5) * bs - m0 - m1
    m0, m1 = g4 * c0, g5 * c1
    xc2r, xc2i = m0 - m1, (g4 + g5) * cs - m0 - m1
    return (
        r0,
        r1,
        r2,
        r3,
        r4,
        r5,
        (h0 + xb0r + 9 * xc2r - xc2i) % p,
        (h1 + xb0i + xc2r + 9 * xc2i) % p,
        (h2 + xc0r + xb1r) % p,
        (h3 + xc0i + xb1i) % p,
        (h4 + xc1r + xb2r) % p,
        (h5 + xc1i + xb2i) % p,
    )


def f12_conj(a: F12) -> F12:
    """a^(p^6): w -> -w. In the cyclotomic subgroup this is the inverse."""
    p = P
    return (*a[:6], *((p - x) % p for x in a[6:]))  # type: ignore[return-value]


def f12_inv(a: F12) -> F12:
    """1 / a in F_p^12 (a must be non-zero): (A - B w) / (A^2 - v B^2)."""
    p = P
    x: F6 = a[:6]
    y: F6 = a[6:]
    xx = f6_mul(x, x)
    yy = f6_mul(y, y)
    # n = A^2 - v B^2, v (c0, c1, c2) = (xi c2, c0, c1)
    n = (
        (xx[0] - 9 * yy[4] + yy[5]) % p,
        (xx[1] - yy[4] - 9 * yy[5]) % p,
        (xx[2] - yy[0]) % p,
        (xx[3] - yy[1]) % p,
        (xx[4] - yy[2]) % p,
        (xx[5] - yy[3]) % p,
    )
    ni = _f6_inv(n)
    r0 = f6_mul(x, ni)
    r1 = f6_mul(y, ni)
    return tuple([v % p for v in r0] + [-v % p for v in r1])  # type: ignore[return-value]


def _f6_inv(a: F6) -> F6:
    p = P
    a0: F2 = (a[0], a[1])
    a1: F2 = (a[2], a[3])
    a2: F2 = (a[4], a[5])
    # t0 = a0^2 - xi a1 a2 ; t1 = xi a2^2 - a0 a1 ; t2 = a1^2 - a0 a2
    t0 = _f2_sub(f2_mul(a0, a0), _f2_xi(f2_mul(a1, a2)))
    t1 = _f2_sub(_f2_xi(f2_mul(a2, a2)), f2_mul(a0, a1))
    t2 = _f2_sub(f2_mul(a1, a1), f2_mul(a0, a2))
    # norm = a0 t0 + xi (a2 t1 + a1 t2)
    s = f2_mul(a2, t1)
    s2 = f2_mul(a1, t2)
    n = f2_mul(a0, t0)
    xs = _f2_xi(((s[0] + s2[0]) % p, (s[1] + s2[1]) % p))
    ninv = f2_inv(((n[0] + xs[0]) % p, (n[1] + xs[1]) % p))
    r0, r1, r2 = f2_mul(t0, ninv), f2_mul(t1, ninv), f2_mul(t2, ninv)
    return (r0[0], r0[1], r1[0], r1[1], r2[0], r2[1])


def _f2_sub(a: F2, b: F2) -> F2:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def _f2_xi(a: F2) -> F2:
    # (9 + u)(a0 + a1 u) = (9 a0 - a1) + (a0 + 9 a1) u
    return ((9 * a[0] - a[1]) % P, (a[0] + 9 * a[1]) % P)


def f12_cyclotomic_sqr(a: F12) -> F12:
    """a^2 for a in the cyclotomic subgroup (Granger-Scott, 2010/542, section 3.2).

    Only valid after the easy part of the final exponentiation; 18 base products
    against 72 for :func:`f12_sqr`.
    """
    p = P
    g0, g1, g2, g3, g4, g5, h0, h1, h2, h3, h4, h5 = a
    # Pairs (g0, h1), (h0, g2), (g1, h2) are F_p^4 = F_p^2[s]/(s^2 - xi) elements.
    # t0 = h1^2, t1 = g0^2, t6 = 2 h1 g0
    t0r, t0i = (h2 + h3) * (h2 - h3), 2 * h2 * h3
    t1r, t1i = (g0 + g1) * (g0 - g1), 2 * g0 * g1
    t6r, t6i = 2 * (h2 * g0 - h3 * g1), 2 * (h2 * g1 + h3 * g0)
    # t2 = g2^2, t3 = h0^2, t7 = 2 g2 h0
    t2r, t2i = (g4 + g5) * (g4 - g5), 2 * g4 * g5
    t3r, t3i = (h0 + h1) * (h0 - h1), 2 * h0 * h1
    t7r, t7i = 2 * (g4 * h0 - g5 * h1), 2 * (g4 * h1 + g5 * h0)
    # t4 = h2^2, t5 = g1^2, t8 = xi * 2 h2 g1
    t4r, t4i = (h4 + h5) * (h4 - h5), 2 * h4 * h5
    t5r, t5i = (g2 + g3) * (g2 - g3), 2 * g2 * g3
    sr, si = 2 * (h4 * g2 - h5 * g3), 2 * (h4 * g3 + h5 * g2)
    t8r, t8i = 9 * sr - si, sr + 9 * si
    # t0 = xi t0 + t1 ; t2 = xi t2 + t3 ; t4 = xi t4 + t5
    ar, ai = 9 * t0r - t0i + t1r, t0r + 9 * t0i + t1i
    br, bi = 9 * t2r - t2i + t3r, t2r + 9 * t2i + t3i
    cr, ci = 9 * t4r - t4i + t5r, t4r + 9 * t4i + t5i
    return (
        (3 * ar - 2 * g0) % p,
        (3 * ai - 2 * g1) % p,
        (3 * br - 2 * g2) % p,
        (3 * bi - 2 * g3) % p,
        (3 * cr - 2 * g4) % p,
        (3 * ci - 2 * g5) % p,
        (3 * t8r + 2 * h0) % p,
        (3 * t8i + 2 * h1) % p,
        (3 * t6r + 2 * h2) % p,
        (3 * t6i + 2 * h3) % p,
        (3 * t7r + 2 * h4) % p,
        (3 * t7i + 2 * h5) % p,
    )


# --- Frobenius -------------------------------------------------------------------------
# Coefficient i of the w-basis (1, w, w^2, w^3, w^4, w^5) = (g0, h0, g1, h1, g2, h2) is
# multiplied by xi^(i (p^k - 1) / 6) (and conjugated for odd k) under x -> x^(p^k).
_XI: F2 = (9, 1)
_W_ORDER = (0, 2, 4, 1, 3, 5)  # w-exponent of slots g0, g1, g2, h0, h1, h2


def _frobenius_coeffs(k: int) -> tuple[F2, ...]:
    return tuple(f2_pow(_XI, _W_ORDER[s] * (P**k - 1) // 6) for s in range(6))


_FROB = {k: _frobenius_coeffs(k) for k in (1, 2, 3)}


def f12_frobenius(a: F12, k: int) -> F12:
    """a^(p^k) for k in 1, 2, 3."""
    p = P
    gam = _FROB[k]
    out: list[int] = []
    for s in range(6):
        x0, x1 = a[2 * s], a[2 * s + 1]
        if k & 1:
            x1 = -x1
        c0, c1 = gam[s]
        out.append((x0 * c0 - x1 * c1) % p)
        out.append((x0 * c1 + x1 * c0) % p)
    return tuple(out)  # type: ignore[return-value]


# --- conversion to and from py_ecc's FQ12 (basis w^0..w^11 over F_p, u = w^6 - 9) -------


def from_py_ecc(x: Any) -> F12:
    """Convert a py_ecc ``optimized_bn128`` FQ12 to the tower representation."""
    c = [int(v) % P for v in x.coeffs]
    out = [0] * 12
    for s in range(6):
        i = _W_ORDER[s]
        # c_i + c_{i+6} w^6 = (c_i + 9 c_{i+6}) + c_{i+6} u
        out[2 * s] = (c[i] + 9 * c[i + 6]) % P
        out[2 * s + 1] = c[i + 6]
    return tuple(out)  # type: ignore[return-value]


def to_py_ecc(a: F12) -> Any:
    """Convert a tower element to py_ecc's ``optimized_bn128`` FQ12."""
    from py_ecc.fields import optimized_bn128_FQ12 as FQ12

    c = [0] * 12
    for s in range(6):
        i = _W_ORDER[s]
        re, im = a[2 * s], a[2 * s + 1]
        # re + im u = (re - 9 im) + im w^6
        c[i] = (re - 9 * im) % P
        c[i + 6] = im % P
    return FQ12(c)
