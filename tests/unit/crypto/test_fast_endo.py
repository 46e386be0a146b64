"""The G1 endomorphism and the split column weights of the batch check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from avs.crypto.fast_curve import g1_mul, g2_to_affine, g2_weighted_sum
from avs.crypto.fast_curve import g2_mul as fast_g2_mul
from avs.crypto.fast_endo import (
    HALF_BITS,
    LAMBDA,
    combined,
    g1_endo,
    random_split_scalar,
)
from avs.crypto.fast_g2table import split_key_tables, table_msm
from avs.crypto.points import G2_GENERATOR, R

G1 = (1, 2)
G2 = (G2_GENERATOR.x, G2_GENERATOR.y)
HALF = st.integers(0, (1 << HALF_BITS) - 1)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, R - 1))
def test_phi_multiplies_every_point_by_lambda(k: int) -> None:
    q = g1_mul(G1, k)
    assert q is not None
    assert g1_endo(q) == g1_mul(q, LAMBDA)


def test_split_weights_are_distinct_mod_r() -> None:
    """A collision k0 + lambda k1 = k0' + lambda k1' (mod r) with 32-bit halves is a
    non-zero vector (x, y) of the lattice x + lambda y = 0 mod r with |x|, |y| < 2^32;
    its shortest vector (Lagrange reduction) is far longer than that."""
    u, v = (R, 0), (-LAMBDA % R, 1)

    def norm(w: tuple[int, int]) -> int:
        return w[0] * w[0] + w[1] * w[1]

    if norm(u) < norm(v):
        u, v = v, u
    while norm(v) < norm(u):  # v is the shorter one: reduce u by it, swap
        n, dot = norm(v), u[0] * v[0] + u[1] * v[1]
        m = (2 * dot + n) // (2 * n)  # nearest integer, exactly
        u, v = v, (u[0] - m * v[0], u[1] - m * v[1])
    assert (v[0] + LAMBDA * v[1]) % R == 0
    assert v != (0, 0)
    # every non-zero lattice vector is at least as long: a coordinate above 2^63
    assert min(norm(u), norm(v)) >= 1 << 128


def test_random_split_scalars_are_in_range_and_not_zero() -> None:
    for _ in range(200):
        k0, k1 = random_split_scalar()
        assert 0 <= k0 < 1 << HALF_BITS
        assert 0 <= k1 < 1 << HALF_BITS
        assert (k0, k1) != (0, 0)
        assert combined(k0, k1) != 0


@settings(max_examples=6, deadline=None)
@given(st.lists(st.tuples(HALF, HALF), min_size=1, max_size=4))
def test_split_tables_give_the_combined_weighted_sum(halves: list[tuple[int, int]]) -> None:
    keys = [g2_to_affine(fast_g2_mul(G2, 300 + 11 * i)) for i in range(len(halves))]
    points = [k for k in keys if k is not None]
    tables = [split_key_tables(q) for q in points]
    got = table_msm(
        [t[0] for t in tables] + [t[1] for t in tables],
        [k0 for k0, _ in halves] + [k1 for _, k1 in halves],
    )
    assert got == g2_weighted_sum(points, [combined(k0, k1) for k0, k1 in halves])
