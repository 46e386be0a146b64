"""G1/G2 int arithmetic and the batch-affine MSM agree with py_ecc and with naive sums."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bn128 import optimized_curve as ob

from avs.crypto.bn254 import g1_add, g1_mul, g2_add, g2_mul
from avs.crypto.fast_curve import (
    G1Aff,
    g1_jac_add,
    g1_jac_double,
    g1_neg,
    g1_to_affine,
    g2_sum,
    g2_to_affine,
    g2_weighted_sum,
)
from avs.crypto.fast_curve import g1_mul as fast_g1_mul
from avs.crypto.fast_curve import g2_mul as fast_g2_mul
from avs.crypto.fast_g2table import g2_batch_add, g2_jac_add_affine, key_table, table_msm
from avs.crypto.fast_msm import batch_add, jac_sum, msm, multi_msm, signed_digits, sum_lists
from avs.crypto.points import G1_GENERATOR, G2_GENERATOR, P, R

RNG = random.Random(99)
G1 = (1, 2)
G2 = (G2_GENERATOR.x, G2_GENERATOR.y)
POINTS = [fast_g1_mul(G1, RNG.randrange(1, R)) for _ in range(24)]


def pts() -> list[G1Aff]:
    return [p for p in POINTS if p is not None]


def naive(points: list[G1Aff], scalars: list[int]) -> G1Aff | None:
    return jac_sum([fast_g1_mul(p, k) for p, k in zip(points, scalars, strict=True)])


def test_g1_arithmetic_matches_py_ecc() -> None:
    for k in (1, 2, 3, 12345, R - 1):
        x, y = ob.normalize(ob.multiply(ob.G1, k))  # py_ecc itself: bn254.g1_mul is ours
        assert fast_g1_mul(G1, k) == (x.n, y.n)
        assert g1_mul(G1_GENERATOR, k) == g1_mul(G1_GENERATOR, k + R)
    a, b = pts()[0], pts()[1]
    ref_sum = g1_add(g1_mul(G1_GENERATOR, 1), g1_mul(G1_GENERATOR, 2))
    assert jac_sum([G1, fast_g1_mul(G1, 2)]) == (ref_sum.x, ref_sum.y)
    ja, jb = (a[0], a[1], 1), (b[0], b[1], 1)
    assert g1_to_affine(g1_jac_add(ja, ja)) == g1_to_affine(g1_jac_double(ja))
    assert g1_to_affine(g1_jac_add(ja, (a[0], (P - a[1]) % P, 1))) is None
    assert g1_to_affine(g1_jac_add(ja, jb)) == jac_sum([a, b])
    assert fast_g1_mul(G1, R) is None
    assert fast_g1_mul(G1, 0) is None


def test_g2_arithmetic_matches_py_ecc() -> None:
    for k in (1, 2, 77, R - 1):
        ref = g2_mul(G2_GENERATOR, k)
        assert g2_to_affine(fast_g2_mul(G2, k)) == (ref.x, ref.y)
    keys = [g2_mul(G2_GENERATOR, k) for k in (3, 5, 7)]
    total = g2_add(g2_add(keys[0], keys[1]), keys[2])
    assert g2_sum([(q.x, q.y) for q in keys]) == (total.x, total.y)
    weighted = g2_mul(G2_GENERATOR, 3 * 11 + 5 * 13 + 7 * 17)
    assert g2_weighted_sum([(q.x, q.y) for q in keys], [11, 13, 17]) == (weighted.x, weighted.y)
    assert g2_sum([]) is None
    assert g2_sum([(keys[0].x, keys[0].y), (keys[0].x, g2_mul(G2_GENERATOR, R - 3).y)]) is None


def test_batch_add_handles_doubling_and_opposites() -> None:
    a, b = pts()[0], pts()[1]
    out = batch_add([(a, b), (a, a), (a, (a[0], (P - a[1]) % P)), (b, a)])
    assert out[0] == jac_sum([a, b]) == out[3]
    assert out[1] == fast_g1_mul(a, 2)
    assert out[2] is None


def test_sum_lists_and_msm_edge_cases() -> None:
    a, b = pts()[0], pts()[1]
    neg_a = g1_neg(a)
    assert neg_a is not None
    assert sum_lists([[], [a], [a, a, a], [a, neg_a], [a, neg_a, b]]) == [
        None,
        a,
        fast_g1_mul(a, 3),
        None,
        b,
    ]
    assert msm([a], [0]) is None
    assert msm([a, a, neg_a, b, b], [5, 5, 5, 7, 7]) == jac_sum(
        [fast_g1_mul(a, 5), fast_g1_mul(b, 14)]
    )
    assert msm([a, b], [R, 2 * R]) is None


def test_msm_random_64_and_128_bit_scalars() -> None:
    points = pts()
    for bits in (64, 128, 254):
        scalars = [RNG.randrange(1, 1 << bits) for _ in points]
        assert msm(points, scalars) == naive(points, scalars)


def test_multi_msm_shares_scalars_across_jobs() -> None:
    points = pts()
    scalars = [RNG.randrange(1, 1 << 64) for _ in range(8)]
    jobs = [
        [(i, points[(i * 3 + j) % len(points)]) for i in range(8) if (i + j) % 3] for j in range(4)
    ]
    results = multi_msm(jobs, scalars)
    for job, got in zip(jobs, results, strict=True):
        assert got == naive([p for _, p in job], [scalars[i] for i, _ in job])


def test_signed_digits_reconstruct_the_scalar() -> None:
    for c in (2, 3, 5, 8):
        for k in (0, 1, 7, (1 << 64) - 1, RNG.randrange(1 << 128)):
            digits = signed_digits(k, c)
            assert all(-(1 << (c - 1)) <= d < (1 << (c - 1)) for d in digits)
            assert sum(d << (c * w) for w, d in enumerate(digits)) == k


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(POINTS) - 1), st.integers(0, (1 << 70) - 1), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_msm_equals_naive_sum_property(spec: list[tuple[int, int, bool]]) -> None:
    points = [pts()[i] if not neg else g1_neg(pts()[i]) for i, _, neg in spec]
    scalars = [k for _, k, _ in spec]
    live = [p for p in points if p is not None]
    assert msm(live, scalars) == naive(live, scalars)


def test_g2_mixed_addition_handles_doubling_and_opposites() -> None:
    q = g2_to_affine(fast_g2_mul(G2, 5))
    assert q is not None
    jq = fast_g2_mul(G2, 5)
    assert g2_to_affine(g2_jac_add_affine(jq, q)) == g2_to_affine(fast_g2_mul(G2, 10))
    assert g2_to_affine(g2_jac_add_affine(fast_g2_mul(G2, R - 5), q)) is None
    assert g2_to_affine(g2_jac_add_affine(fast_g2_mul(G2, 0), q)) == q
    assert g2_to_affine(g2_jac_add_affine(fast_g2_mul(G2, 7), q)) == g2_to_affine(
        fast_g2_mul(G2, 12)
    )


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(0, (1 << 64) - 1), min_size=1, max_size=5))
def test_table_msm_equals_the_bucket_msm(scalars: list[int]) -> None:
    keys = [g2_to_affine(fast_g2_mul(G2, 1000 + 17 * i)) for i in range(len(scalars))]
    points = [k for k in keys if k is not None]
    tables = [key_table(k) for k in points]
    assert table_msm(tables, scalars) == g2_weighted_sum(points, scalars)


def test_g2_batch_add_handles_infinity_doubling_and_opposites() -> None:
    q5, q7 = (g2_to_affine(fast_g2_mul(G2, k)) for k in (5, 7))
    minus5 = g2_to_affine(fast_g2_mul(G2, R - 5))
    assert q5 is not None
    assert q7 is not None
    out = g2_batch_add([(q5, q7), (q5, q5), (q5, minus5), (None, q7), (q7, None), (None, None)])
    expected = [g2_to_affine(fast_g2_mul(G2, k)) for k in (12, 10)] + [None, q7, q7, None]
    assert out == expected
    assert g2_batch_add([(q5, minus5)]) == [None]


def test_table_msm_with_a_key_repeated_and_opposite_keys() -> None:
    """A key that signs twice in a row is two columns with the same table: equal points
    meet in a bucket and are doubled, opposite ones cancel."""
    q = g2_to_affine(fast_g2_mul(G2, 4242))
    minus = g2_to_affine(fast_g2_mul(G2, R - 4242))
    assert q is not None
    assert minus is not None
    scalars = [0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9ABC_DEF0]
    tables = [key_table(q), key_table(q), key_table(minus)]
    assert table_msm(tables, scalars) == g2_weighted_sum([q, q, minus], scalars)
    assert table_msm(tables[1:], [5, 5]) is None
