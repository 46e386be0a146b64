"""The F_p^12 tower of the fast pairing agrees with py_ecc's FQ12 on every operation."""

from __future__ import annotations

import random

import pytest
from py_ecc.fields import optimized_bn128_FQ12 as FQ12

from avs.crypto.fast_fields import (
    F12,
    F12_ONE,
    f2_inv,
    f2_mul,
    f12_conj,
    f12_cyclotomic_sqr,
    f12_frobenius,
    f12_inv,
    f12_mul,
    f12_mul_line,
    f12_sqr,
    from_py_ecc,
    to_py_ecc,
)
from avs.crypto.points import P

RNG = random.Random(20260501)


def random_fq12() -> FQ12:
    return FQ12([RNG.randrange(P) for _ in range(12)])


EDGE = [
    FQ12.one(),
    FQ12([P - 1] + [0] * 11),
    FQ12([0] * 6 + [1] + [0] * 5),
    FQ12([0, 1] + [0] * 10),
]
VALUES = [random_fq12() for _ in range(3)] + EDGE


def cyclotomic(a: F12) -> F12:
    """a^((p^6 - 1)(p^2 + 1)): an element of the cyclotomic subgroup."""
    t = f12_mul(f12_conj(a), f12_inv(a))
    return f12_mul(f12_frobenius(t, 2), t)


def test_conversion_round_trips_and_one_maps_to_one() -> None:
    for v in VALUES:
        assert to_py_ecc(from_py_ecc(v)) == v
    assert from_py_ecc(FQ12.one()) == F12_ONE


@pytest.mark.parametrize("i", range(len(VALUES)))
def test_mul_and_sqr_match_py_ecc(i: int) -> None:
    a, b = VALUES[i], VALUES[(i + 1) % len(VALUES)]
    assert f12_mul(from_py_ecc(a), from_py_ecc(b)) == from_py_ecc(a * b)
    assert f12_sqr(from_py_ecc(a)) == from_py_ecc(a * a)


def test_inverse_matches_py_ecc() -> None:
    for v in VALUES:
        assert f12_inv(from_py_ecc(v)) == from_py_ecc(FQ12.one() / v)


def test_frobenius_and_conjugation_are_powers_of_p() -> None:
    a = VALUES[0]
    fa = from_py_ecc(a)
    for k in (1, 2, 3):
        assert f12_frobenius(fa, k) == from_py_ecc(a ** (P**k))
    assert f12_conj(fa) == from_py_ecc(a ** (P**6))


def test_cyclotomic_square_equals_square_in_the_subgroup_only() -> None:
    for v in VALUES[:3]:
        c = cyclotomic(from_py_ecc(v))
        assert f12_cyclotomic_sqr(c) == f12_sqr(c)
    # outside the subgroup the shortcut is wrong, which is why it is only used after
    # the easy part of the final exponentiation
    raw = from_py_ecc(VALUES[0])
    assert f12_cyclotomic_sqr(raw) != f12_sqr(raw)


def test_sparse_line_product_equals_full_product() -> None:
    a = from_py_ecc(VALUES[1])
    b0, b1, c0, c1 = (RNG.randrange(P) for _ in range(4))
    line = (1, 0, 0, 0, 0, 0, b0, b1, c0, c1, 0, 0)
    assert f12_mul_line(a, b0, b1, c0, c1) == f12_mul(a, line)
    # the line's own coordinates: 1 + b w + c w^3 in py_ecc's basis
    assert to_py_ecc(line) == FQ12.one() + to_py_ecc((0,) * 6 + (b0, b1) + (0,) * 4) + to_py_ecc(
        (0,) * 8 + (c0, c1, 0, 0)
    )


def test_f2_inverse() -> None:
    for a in [(1, 0), (0, 1), (RNG.randrange(P), RNG.randrange(P))]:
        assert f2_mul(a, f2_inv(a)) == (1, 0)
