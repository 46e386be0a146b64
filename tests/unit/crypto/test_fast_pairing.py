"""The fast pairing equals py_ecc's pairing (same value, same final exponent)."""

from __future__ import annotations

import random

import pytest
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import optimized_pairing as op

from avs.crypto.bn254 import g1_mul, g2_mul, to_py_ecc_g1, to_py_ecc_g2
from avs.crypto.fast_curve import g2_in_subgroup, g2_to_affine
from avs.crypto.fast_curve import g2_mul as fast_g2_mul
from avs.crypto.fast_cyclotomic import f12_compress, f12_compressed_sqr, f12_decompress_all
from avs.crypto.fast_fields import (
    F12,
    F12_ONE,
    f12_conj,
    f12_cyclotomic_sqr,
    f12_mul,
    from_py_ecc,
)
from avs.crypto.fast_pairing import (
    G2Lines,
    U,
    _cyclotomic_exp_u,
    _cyclotomic_exp_u_plain,
    final_exponentiation,
    miller_loop,
    pairing,
    pairing_product_is_one,
    precompute_lines,
)
from avs.crypto.points import G1_GENERATOR, G2_GENERATOR, G1Point, G2Point, P, R

RNG = random.Random(7)
G1 = (G1_GENERATOR.x, G1_GENERATOR.y)
G2 = (G2_GENERATOR.x, G2_GENERATOR.y)
TWIST_COFACTOR = 2 * P - R  # = 10069 * (a 242-bit prime)


def aff1(p: G1Point) -> tuple[int, int]:
    return (p.x, p.y)


def aff2(q: G2Point) -> tuple[tuple[int, int], tuple[int, int]]:
    return (q.x, q.y)


@pytest.mark.slow
def test_pairing_equals_py_ecc_pairing() -> None:
    a, b = RNG.randrange(1, R), RNG.randrange(1, R)
    p, q = g1_mul(G1_GENERATOR, a), g2_mul(G2_GENERATOR, b)
    expected = op.pairing(to_py_ecc_g2(q), to_py_ecc_g1(p))
    assert pairing(aff1(p), aff2(q)) == from_py_ecc(expected)


@pytest.mark.slow
def test_final_exponentiation_equals_py_ecc() -> None:
    f = FQ12([RNG.randrange(P) for _ in range(12)])
    assert final_exponentiation(from_py_ecc(f)) == from_py_ecc(op.final_exponentiate(f))


def test_pairing_is_bilinear_and_non_degenerate() -> None:
    k = RNG.randrange(1, R)
    e = pairing(G1, G2)
    assert e != F12_ONE
    left = pairing(aff1(g1_mul(G1_GENERATOR, k)), G2)
    assert left == pairing(G1, aff2(g2_mul(G2_GENERATOR, k)))
    # e(2 g1, g2) = e(g1, g2)^2
    assert pairing(aff1(g1_mul(G1_GENERATOR, 2)), G2) == f12_mul(e, e)


def test_product_check_accepts_exactly_the_signature_equation() -> None:
    sk = RNG.randrange(1, R)
    h = g1_mul(G1_GENERATOR, RNG.randrange(1, R))
    sigma = g1_mul(h, sk)
    pk_lines = precompute_lines(aff2(g2_mul(G2_GENERATOR, sk)))
    g2_lines = precompute_lines(G2)
    neg_sigma = (sigma.x, (P - sigma.y) % P)
    assert pairing_product_is_one([(aff1(h), pk_lines), (neg_sigma, g2_lines)])
    wrong = g1_mul(h, sk + 1)
    assert not pairing_product_is_one([(aff1(h), pk_lines), ((wrong.x, P - wrong.y), g2_lines)])
    assert not pairing_product_is_one([(aff1(h), pk_lines)])
    assert pairing_product_is_one([])


def test_multi_miller_loop_is_the_product_of_single_loops() -> None:
    pairs: list[tuple[tuple[int, int], G2Lines]] = []
    for _ in range(3):
        p = aff1(g1_mul(G1_GENERATOR, RNG.randrange(1, R)))
        pairs.append((p, precompute_lines(aff2(g2_mul(G2_GENERATOR, RNG.randrange(1, R))))))
    product = F12_ONE
    for pair in pairs:
        product = f12_mul(product, miller_loop([pair]))
    assert final_exponentiation(miller_loop(pairs)) == final_exponentiation(product)


def small_order_twist_point(rogue: G2Point) -> tuple[tuple[int, int], tuple[int, int]]:
    """A point of order 10069 on the twist (the twist's order is r * 10069 * q)."""
    q = g2_to_affine(fast_g2_mul(aff2(rogue), R * (TWIST_COFACTOR // 10069)))
    assert q is not None
    assert g2_to_affine(fast_g2_mul(q, 10069)) is None
    return q


def test_subgroup_check_rejects_twist_points_outside_g2(rogue_g2: G2Point) -> None:
    assert g2_in_subgroup(G2)
    assert g2_in_subgroup(aff2(g2_mul(G2_GENERATOR, 12345)))
    assert not g2_in_subgroup(aff2(rogue_g2))
    assert not g2_in_subgroup(small_order_twist_point(rogue_g2))


def cyclotomic_element(k: int) -> F12:
    """e(k g1, g2): an element of the cyclotomic subgroup (in fact of G_T)."""
    return pairing(aff1(g1_mul(G1_GENERATOR, k)), G2)


def test_compressed_squaring_matches_granger_scott_squaring() -> None:
    g = cyclotomic_element(RNG.randrange(1, R))
    c = f12_compress(g)
    for _ in range(5):
        g = f12_cyclotomic_sqr(g)
        c = f12_compressed_sqr(c)
        assert c == f12_compress(g)
    assert f12_decompress_all([c, f12_compress(f12_cyclotomic_sqr(g))]) == [
        g,
        f12_cyclotomic_sqr(g),
    ]


def test_decompression_refuses_elements_it_cannot_determine() -> None:
    one = f12_mul(cyclotomic_element(5), f12_conj(cyclotomic_element(5)))  # x / x
    assert one == F12_ONE
    assert f12_compress(one) == (0,) * 8  # g2 = g3 = 0: the caller recomputes
    assert f12_decompress_all([f12_compress(one)]) is None
    assert f12_decompress_all([]) == []


def test_exponentiation_by_u_compressed_equals_plain() -> None:
    for k in (1, 2, RNG.randrange(1, R)):
        g = cyclotomic_element(k)
        assert _cyclotomic_exp_u(g) == _cyclotomic_exp_u_plain(g)
    assert _cyclotomic_exp_u(F12_ONE) == F12_ONE  # decompression impossible: plain path
    g = cyclotomic_element(3)
    expected = F12_ONE
    base = g
    e = U
    while e:  # square and multiply with the generic product: independent of both paths
        if e & 1:
            expected = f12_mul(expected, base)
        base = f12_mul(base, base)
        e >>= 1
    assert _cyclotomic_exp_u(g) == expected
