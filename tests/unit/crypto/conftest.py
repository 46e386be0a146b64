"""Shared fixtures for the crypto tests: fixture paths, cached keys, a rogue G2 point."""

from __future__ import annotations

from pathlib import Path

import pytest
from py_ecc.fields import optimized_bn128_FQ2 as FQ2

from avs.crypto.bls import KeyPair
from avs.crypto.points import B2, G2Point, P

KEYSTORES = Path(__file__).resolve().parents[2] / "fixtures" / "keystores"


def _fp2_sqrt(a: FQ2) -> FQ2 | None:
    """Square root in F_p^2 for p = 3 mod 4 (Adj and Rodriguez-Henriquez, Alg. 9)."""
    a1 = a ** ((P - 3) // 4)
    alpha = a1 * a1 * a
    a0 = (alpha**P) * alpha
    minus_one = FQ2([P - 1, 0])
    if a0 == minus_one:
        return None
    x0 = a1 * a
    if alpha == minus_one:
        return FQ2([0, 1]) * x0
    b = (FQ2.one() + alpha) ** ((P - 1) // 2)
    return b * x0


def twist_point_outside_subgroup() -> G2Point:
    """A point on the G2 twist that is not in the r-torsion subgroup (cofactor is huge)."""
    b2 = FQ2(list(B2))
    for k in range(1, 100):
        x = FQ2([k, 1])
        y = _fp2_sqrt(x**3 + b2)
        if y is not None and y * y == x**3 + b2:
            return G2Point(
                (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))
            )
    raise AssertionError("no twist point found")  # pragma: no cover


@pytest.fixture(scope="session")
def rogue_g2() -> G2Point:
    """On the twist, not in G2."""
    return twist_point_outside_subgroup()


@pytest.fixture(scope="session")
def key69() -> KeyPair:
    """EigenLayer's test aggregate signer key (BLSMockAVSDeployer.aggSignerPrivKey)."""
    return KeyPair.from_secret(69)


@pytest.fixture(scope="session")
def keystores() -> Path:
    """tests/fixtures/keystores."""
    return KEYSTORES
