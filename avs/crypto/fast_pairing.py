"""Fast optimal ate pairing on BN254: precomputed G2 lines, multi-Miller loop, fast final exp.

The verification equations of BLS only ask whether a product of pairings is 1, so the
work is one shared Miller loop (squarings of the accumulator shared by all pairs) and
one final exponentiation:

- line functions of a G2 point are precomputed once in affine coordinates (one F_p^2
  inversion per step, done at precomputation time only) and cached for fixed points
  (g2, operators' keys); evaluating a line at an affine G1 point is 4 base products;
- the loop runs over the signed digits (NAF) of 6u+2 followed by the two Frobenius lines
  of the optimal ate pairing;
- the final exponentiation is the easy part (conjugation, one inversion, Frobenius) and
  the hard part (p^4 - p^2 + 1)/r as the Scott et al. addition chain in u with
  Granger-Scott cyclotomic squarings.

:func:`pairing` returns exactly py_ecc's ``pairing`` value (the same exponent
(p^12 - 1)/r), which the tests check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from avs.crypto.bigint import P
from avs.crypto.fast_cyclotomic import (
    Compressed,
    f12_compress,
    f12_compressed_sqr,
    f12_decompress_all,
)
from avs.crypto.fast_fields import (
    F2,
    F12,
    F12_ONE,
    f2_inv,
    f2_mul,
    f2_pow,
    f12_conj,
    f12_cyclotomic_sqr,
    f12_frobenius,
    f12_inv,
    f12_mul,
    f12_mul_line,
    f12_sqr,
)

U = 4965661367192848881
"""The BN parameter u of alt_bn128 (p and r are polynomials in u)."""
ATE_LOOP = 6 * U + 2
"""Loop length of the optimal ate pairing."""

G1Affine = tuple[int, int]
"""An affine G1 point as ints; never infinity here (callers skip infinity pairs)."""
G2Affine = tuple[F2, F2]
"""An affine G2 point (x, y) with F_p^2 coordinates; never infinity here."""


def _naf(n: int) -> list[int]:
    """Non-adjacent form of n, least significant digit first."""
    digits: list[int] = []
    while n:
        if n & 1:
            d = 2 - (n & 3)
            n -= d
        else:
            d = 0
        digits.append(d)
        n >>= 1
    return digits


_LOOP_NAF = _naf(ATE_LOOP)[::-1]  # most significant first; the leading 1 starts T = Q

_XI: F2 = (9, 1)
_FROB_X1 = f2_pow(_XI, (P - 1) // 3)
_FROB_Y1 = f2_pow(_XI, (P - 1) // 2)
_FROB_X2 = f2_pow(_XI, (P * P - 1) // 3)
_FROB_Y2 = f2_pow(_XI, (P * P - 1) // 2)


@dataclass(frozen=True, slots=True)
class G2Lines:
    """Line coefficients of the Miller loop of one G2 point, in loop order.

    Each entry (b0, b1, c0, c1) is the line y_P + (b x_P) w + c w^3 through the loop's
    running point, b = -lambda and c = lambda x_T - y_T on the twist.
    """

    coeffs: tuple[tuple[int, int, int, int], ...]
    """One 4-tuple of ints per line, in the order the Miller loop consumes them."""


# Which lines are preceded by a squaring of the accumulator: True for doubling lines.
def _schedule() -> tuple[bool, ...]:
    steps: list[bool] = []
    for d in _LOOP_NAF[1:]:
        steps.append(True)
        if d:
            steps.append(False)
    steps += [False, False]  # the two Frobenius lines
    return tuple(steps)


_SCHEDULE = _schedule()


def _line(lam: F2, x: F2, y: F2) -> tuple[int, int, int, int]:
    lx = f2_mul(lam, x)
    return ((-lam[0]) % P, (-lam[1]) % P, (lx[0] - y[0]) % P, (lx[1] - y[1]) % P)


def _step(t: G2Affine, q: G2Affine | None) -> tuple[G2Affine, tuple[int, int, int, int]]:
    """Double t (q is None) or add q to t; return the new point and the line's coefficients."""
    (x1, y1) = t
    if q is None:
        # lambda = 3 x^2 / (2 y)
        xx = f2_mul(x1, x1)
        lam = f2_mul((3 * xx[0] % P, 3 * xx[1] % P), f2_inv((2 * y1[0] % P, 2 * y1[1] % P)))
        x2 = x1
    else:
        (x2, y2) = q
        dx = ((x2[0] - x1[0]) % P, (x2[1] - x1[1]) % P)
        if dx == (0, 0):
            # only reachable for points outside the r-torsion subgroup, which callers reject
            raise ValueError("degenerate Miller loop step: G2 point is not in the subgroup")
        lam = f2_mul(((y2[0] - y1[0]) % P, (y2[1] - y1[1]) % P), f2_inv(dx))
    ll = f2_mul(lam, lam)
    x3 = ((ll[0] - x1[0] - x2[0]) % P, (ll[1] - x1[1] - x2[1]) % P)
    ly = f2_mul(lam, ((x1[0] - x3[0]) % P, (x1[1] - x3[1]) % P))
    y3 = ((ly[0] - y1[0]) % P, (ly[1] - y1[1]) % P)
    return (x3, y3), _line(lam, x1, y1)


def precompute_lines(q: G2Affine) -> G2Lines:
    """All Miller-loop line coefficients of the G2 point ``q`` (in the r-torsion subgroup).

    Costs about one millisecond; cache the result for points that are used repeatedly.
    """
    xq, yq = q
    neg_q = (xq, ((-yq[0]) % P, (-yq[1]) % P))
    t = q
    out: list[tuple[int, int, int, int]] = []
    for d in _LOOP_NAF[1:]:
        t, line = _step(t, None)
        out.append(line)
        if d:
            t, line = _step(t, q if d > 0 else neg_q)
            out.append(line)
    conj_x = (xq[0], (-xq[1]) % P)
    conj_y = (yq[0], (-yq[1]) % P)
    q1 = (f2_mul(conj_x, _FROB_X1), f2_mul(conj_y, _FROB_Y1))
    y2 = f2_mul(yq, _FROB_Y2)
    neg_q2 = (f2_mul(xq, _FROB_X2), ((-y2[0]) % P, (-y2[1]) % P))
    t, line = _step(t, q1)
    out.append(line)
    _, line = _step(t, neg_q2)
    out.append(line)
    return G2Lines(tuple(out))


def miller_loop(pairs: Sequence[tuple[G1Affine, G2Lines]]) -> F12:
    """Product of the Miller loops of (P_i, Q_i), sharing the accumulator's squarings.

    Lines are divided by y_P (an F_p factor, removed by the final exponentiation), so
    each line is the sparse element 1 + b w + c w^3.
    """
    p = P
    evals: list[tuple[int, int, tuple[tuple[int, int, int, int], ...]]] = []
    for (xp, yp), lines in pairs:
        yinv = pow(yp, -1, p)
        evals.append((xp * yinv % p, yinv, lines.coeffs))
    f = F12_ONE
    first = True
    for i, square in enumerate(_SCHEDULE):
        if square and not first:
            f = f12_sqr(f)
        first = False
        for xs, ys, coeffs in evals:
            b0, b1, c0, c1 = coeffs[i]
            f = f12_mul_line(f, b0 * xs % p, b1 * xs % p, c0 * ys % p, c1 * ys % p)
    return f


def _wnaf(n: int, width: int) -> list[int]:
    """Width-w NAF of n (odd digits below 2^(w-1) in absolute value), most significant first."""
    digits: list[int] = []
    while n:
        if n & 1:
            d = n & ((1 << width) - 1)
            if d >= 1 << (width - 1):
                d -= 1 << width
            n -= d
        else:
            d = 0
        digits.append(d)
        n >>= 1
    return digits[::-1]


_U_WNAF = _wnaf(U, 4)  # 14 non-zero digits instead of 24 for the plain NAF


def _cyclotomic_exp_u_plain(f: F12) -> F12:
    """f^u for f in the cyclotomic subgroup (width-4 NAF of u; inverse = conjugate)."""
    f2 = f12_cyclotomic_sqr(f)
    odd = [f]  # f, f^3, f^5, f^7
    for _ in range(3):
        odd.append(f12_mul(odd[-1], f2))
    acc = odd[_U_WNAF[0] >> 1]
    for d in _U_WNAF[1:]:
        acc = f12_cyclotomic_sqr(acc)
        if d > 0:
            acc = f12_mul(acc, odd[d >> 1])
        elif d < 0:
            acc = f12_mul(acc, f12_conj(odd[(-d) >> 1]))
    return acc


# (position, digit) of the non-zero width-4 NAF digits of u, least significant first
_U_DIGITS = [(i, d) for i, d in enumerate(reversed(_U_WNAF)) if d]
_U_SAVE = frozenset(i for i, _ in _U_DIGITS)


def _cyclotomic_exp_u(f: F12) -> F12:
    """f^u for f in the cyclotomic subgroup, with Karabina's compressed squarings.

    The 62 squarings run on the compressed form (4 of the 6 F_p^2 coordinates, 12 base
    products instead of 18); the squares f^(2^i) at the non-zero digits of u are
    decompressed together (one shared inversion) and multiplied into one bucket per
    digit value, the buckets combined at the end (B1 B3^3 B5^5 B7^7). Falls back to
    :func:`_cyclotomic_exp_u_plain` in the (measure-zero) case of a zero denominator.
    """
    c = f12_compress(f)
    saved: list[Compressed] = []
    for i in range(1, _U_DIGITS[-1][0] + 1):
        c = f12_compressed_sqr(c)
        if i in _U_SAVE:
            saved.append(c)
    full = f12_decompress_all(saved)
    if full is None:
        return _cyclotomic_exp_u_plain(f)
    powers = [f, *full] if _U_DIGITS[0][0] == 0 else full
    buckets: list[F12 | None] = [None, None, None, None]  # digit values 1, 3, 5, 7
    for (_, d), x in zip(_U_DIGITS, powers, strict=True):
        if d < 0:
            x = f12_conj(x)
        j = abs(d) >> 1
        b = buckets[j]
        buckets[j] = x if b is None else f12_mul(b, x)
    # B7^3 B5^2 B3 by running products, then squared, times B7 B5 B3 and B1
    run: F12 | None = None
    acc: F12 | None = None
    for j in (3, 2, 1):
        b = buckets[j]
        if b is not None:
            run = b if run is None else f12_mul(run, b)
        if run is not None:
            acc = run if acc is None else f12_mul(acc, run)
    out = F12_ONE if acc is None else f12_cyclotomic_sqr(acc)
    for last in (run, buckets[0]):
        if last is not None:
            out = f12_mul(out, last)
    return out


def final_exponentiation(f: F12) -> F12:
    """f^((p^12 - 1) / r), the same map as py_ecc's ``final_exponentiate``."""
    # easy part: f^((p^6 - 1)(p^2 + 1)); afterwards f is in the cyclotomic subgroup
    f = f12_mul(f12_conj(f), f12_inv(f))
    f = f12_mul(f12_frobenius(f, 2), f)
    # hard part: f^((p^4 - p^2 + 1) / r), Scott et al. (2009/615, section 5)
    fu = _cyclotomic_exp_u(f)
    fu2 = _cyclotomic_exp_u(fu)
    fu3 = _cyclotomic_exp_u(fu2)
    y0 = f12_mul(f12_mul(f12_frobenius(f, 1), f12_frobenius(f, 2)), f12_frobenius(f, 3))
    y1 = f12_conj(f)
    y2 = f12_frobenius(fu2, 2)
    y3 = f12_conj(f12_frobenius(fu, 1))
    y4 = f12_conj(f12_mul(fu, f12_frobenius(fu2, 1)))
    y5 = f12_conj(fu2)
    y6 = f12_conj(f12_mul(fu3, f12_frobenius(fu3, 1)))
    t0 = f12_mul(f12_mul(f12_cyclotomic_sqr(y6), y4), y5)
    t1 = f12_mul(f12_mul(y3, y5), t0)
    t0 = f12_mul(t0, y2)
    t1 = f12_cyclotomic_sqr(f12_mul(f12_cyclotomic_sqr(t1), t0))
    t0 = f12_mul(t1, y1)
    t1 = f12_mul(t1, y0)
    t0 = f12_cyclotomic_sqr(t0)
    return f12_mul(t0, t1)


def pairing(p: G1Affine, q: G2Affine) -> F12:
    """e(p, q) as an F_p^12 tower element, equal to py_ecc's ``pairing(q, p)``."""
    return final_exponentiation(miller_loop([(p, precompute_lines(q))]))


def pairing_product_is_one(pairs: Iterable[tuple[G1Affine, G2Lines]]) -> bool:
    """True if prod e(P_i, Q_i) == 1 for affine, non-infinity P_i and precomputed Q_i."""
    return final_exponentiation(miller_loop(list(pairs))) == F12_ONE


__all__ = [
    "ATE_LOOP",
    "G1Affine",
    "G2Affine",
    "G2Lines",
    "U",
    "final_exponentiation",
    "miller_loop",
    "pairing",
    "pairing_product_is_one",
    "precompute_lines",
]
