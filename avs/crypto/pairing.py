"""The reference (plain py_ecc) pairing-product check.

Slow (~0.3-0.7 s per pairing in pure Python) but obviously correct; a faster backend
must agree with :func:`pairing_product_is_one` on every input.
"""

from __future__ import annotations

from collections.abc import Sequence

from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import optimized_pairing as op

from avs.crypto.bn254 import to_py_ecc_g1, to_py_ecc_g2
from avs.crypto.points import G1Point, G2Point


def pairing_product_is_one(pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
    """True if prod_i e(g1_i, g2_i) == 1, like the EVM's ecPairing precompile (EIP-197).

    Miller loops are multiplied first and the final exponentiation is done once, which
    is what makes the product cheaper than separate pairings. Pairs with an infinity
    point contribute 1, as in the precompile.
    """
    acc = FQ12.one()
    for p1, p2 in pairs:
        if p1.is_infinity() or p2.is_infinity():
            continue
        acc = acc * op.pairing(to_py_ecc_g2(p2), to_py_ecc_g1(p1), final_exponentiate=False)
    return bool(op.final_exponentiate(acc) == FQ12.one())
