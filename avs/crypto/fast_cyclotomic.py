"""Karabina's compressed squaring in the cyclotomic subgroup of F_p^12 (2010/542).

After the easy part of the final exponentiation every value g lies in the cyclotomic
subgroup, where 4 of its 6 F_p^2 coordinates determine the other two. Squaring those 4
costs 12 base products (against 18 for Granger-Scott, :func:`f12_cyclotomic_sqr`), so
a long run of squarings (the exponentiations by u of the hard part) is done compressed,
and only the powers that are multiplied in are decompressed, all with one inversion.

Coordinates follow Aranha et al. (2010/526, section 5): with g = g0 + g2 w + g4 w^2 +
g1 w^3 + g3 w^4 + g5 w^5 over F_p^2, the compressed form is (g2, g3, g4, g5). In the
tower layout of :mod:`avs.crypto.fast_fields` ((g0, g1, g2, h0, h1, h2) for w^(0, 2, 4,
1, 3, 5)) that is (h0, g2, g1, h2).
"""

from __future__ import annotations

from collections.abc import Sequence

from avs.crypto.bigint import P
from avs.crypto.fast_fields import F12

Compressed = tuple[int, int, int, int, int, int, int, int]
"""(g2, g3, g4, g5) of Karabina's notation, each F_p^2 element as (real, imag)."""


def f12_compress(a: F12) -> Compressed:
    """The compressed form of a cyclotomic element."""
    return (a[6], a[7], a[4], a[5], a[2], a[3], a[10], a[11])


def f12_compressed_sqr(c: Compressed) -> Compressed:
    """The compressed form of g^2 from that of g (g cyclotomic).

    g2' = 2 (g2 + 3 xi g4 g5), g3' = 3 (g4^2 + xi g5^2) - 2 g3,
    g4' = 3 (g2^2 + xi g3^2) - 2 g4, g5' = 2 (g5 + 3 g2 g3), with xi = 9 + u.
    """
    p = P
    g2r, g2i, g3r, g3i, g4r, g4i, g5r, g5i = c
    # F_p^2 squares (a + b u)^2 = (a + b)(a - b) + 2 a b u; 2 x y = (x + y)^2 - x^2 - y^2
    s4r, s4i = (g4r + g4i) * (g4r - g4i), 2 * g4r * g4i
    s5r, s5i = (g5r + g5i) * (g5r - g5i), 2 * g5r * g5i
    tr, ti = g4r + g5r, g4i + g5i
    b45r, b45i = (tr + ti) * (tr - ti) - s4r - s5r, 2 * tr * ti - s4i - s5i  # 2 g4 g5
    s2r, s2i = (g2r + g2i) * (g2r - g2i), 2 * g2r * g2i
    s3r, s3i = (g3r + g3i) * (g3r - g3i), 2 * g3r * g3i
    tr, ti = g2r + g3r, g2i + g3i
    b23r, b23i = (tr + ti) * (tr - ti) - s2r - s3r, 2 * tr * ti - s2i - s3i  # 2 g2 g3
    # xi (a + b u) = (9 a - b) + (a + 9 b) u
    return (
        (2 * g2r + 3 * (9 * b45r - b45i)) % p,
        (2 * g2i + 3 * (b45r + 9 * b45i)) % p,
        (3 * (s4r + 9 * s5r - s5i) - 2 * g3r) % p,
        (3 * (s4i + s5r + 9 * s5i) - 2 * g3i) % p,
        (3 * (s2r + 9 * s3r - s3i) - 2 * g4r) % p,
        (3 * (s2i + s3r + 9 * s3i) - 2 * g4i) % p,
        (2 * g5r + 3 * b23r) % p,
        (2 * g5i + 3 * b23i) % p,
    )


def f12_decompress_all(cs: Sequence[Compressed]) -> list[F12] | None:
    """The full elements of compressed cyclotomic elements, one inversion for all.

    g1 = (xi g5^2 + 3 g4^2 - 2 g3) / (4 g2), or 2 g4 g5 / g3 when g2 = 0;
    g0 = xi (2 g1^2 + g2 g5 - 3 g3 g4) + 1. Returns None when g2 = g3 = 0 for some
    element (then the compressed form does not determine it; the caller recomputes).
    """
    p = P
    nums: list[tuple[int, int]] = []
    dens: list[tuple[int, int]] = []
    for g2r, g2i, g3r, g3i, g4r, g4i, g5r, g5i in cs:
        if g2r or g2i:
            s5r, s5i = (g5r + g5i) * (g5r - g5i), 2 * g5r * g5i
            s4r, s4i = (g4r + g4i) * (g4r - g4i), 2 * g4r * g4i
            nums.append(
                (
                    (9 * s5r - s5i + 3 * s4r - 2 * g3r) % p,
                    (s5r + 9 * s5i + 3 * s4i - 2 * g3i) % p,
                )
            )
            dens.append((4 * g2r % p, 4 * g2i % p))
        elif g3r or g3i:
            nums.append((2 * (g4r * g5r - g4i * g5i) % p, 2 * (g4r * g5i + g4i * g5r) % p))
            dens.append((g3r, g3i))
        else:
            return None
    if not cs:
        return []
    # Montgomery's trick over F_p^2: prefix products, one inversion, walk back
    prefix: list[tuple[int, int]] = []
    ar, ai = 1, 0
    for dr, di in dens:
        prefix.append((ar, ai))
        ar, ai = (ar * dr - ai * di) % p, (ar * di + ai * dr) % p
    norm = pow(ar * ar + ai * ai, -1, p)
    ir, ii = ar * norm % p, -ai * norm % p  # 1 / (d_0 ... d_{n-1})
    out: list[F12] = []
    for j in range(len(cs) - 1, -1, -1):
        dr, di = dens[j]
        pr, pi = prefix[j]
        qr, qi = (ir * pr - ii * pi) % p, (ir * pi + ii * pr) % p  # 1 / d_j
        ir, ii = (ir * dr - ii * di) % p, (ir * di + ii * dr) % p
        nr, ni = nums[j]
        g1r, g1i = (nr * qr - ni * qi) % p, (nr * qi + ni * qr) % p
        g2r, g2i, g3r, g3i, g4r, g4i, g5r, g5i = cs[j]
        tr = 2 * (g1r + g1i) * (g1r - g1i) + (g2r * g5r - g2i * g5i) - 3 * (g3r * g4r - g3i * g4i)
        ti = 4 * g1r * g1i + (g2r * g5i + g2i * g5r) - 3 * (g3r * g4i + g3i * g4r)
        out.append(
            (
                (9 * tr - ti + 1) % p,
                (tr + 9 * ti) % p,
                g4r,
                g4i,
                g3r,
                g3i,
                g2r,
                g2i,
                g1r,
                g1i,
                g5r,
                g5i,
            )
        )
    out.reverse()
    return out


__all__ = ["Compressed", "f12_compress", "f12_compressed_sqr", "f12_decompress_all"]
