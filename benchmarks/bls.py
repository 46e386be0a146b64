"""BLS primitives: plain py_ecc (baseline) against the fast pairing path, side by side.

Run: ``python benchmarks/bls.py --json`` (``make bench``). Rows: sign, hash_to_g1,
verify_single, pairing_check_2, pairing_check_2_uncached, miller_loop_2,
final_exponentiation. Baselines are plain py_ecc (``pairing`` twice and a product for
the 2-pairing check, ``final_exponentiate`` for the final exponentiation).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import optimized_pairing as op

from avs.crypto.batch_verify import FastVerifier, PlainVerifier
from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import g1_neg, hash_to_g1, to_py_ecc_g1, to_py_ecc_g2
from avs.crypto.fast_fields import F12_ONE, from_py_ecc
from avs.crypto.fast_pairing import (
    final_exponentiation,
    miller_loop,
    precompute_lines,
)
from avs.crypto.keccak import keccak256
from avs.crypto.points import G2_GENERATOR, P, R
from benchmarks.common import Row, emit, median_time, parse_args, pin_to_one_core, row


def main() -> None:
    args = parse_args(__doc__ or "")
    pinned = pin_to_one_core()
    slow, fast = (1, 5) if args.quick else (3, 30)
    rng = random.Random(2024)
    key = KeyPair.from_secret(rng.randrange(1, R))
    msg = keccak256(b"benchmark message")
    sig = key.sign(msg)
    h = hash_to_g1(msg)
    rows: list[Row] = []

    sign_t = median_time(lambda: key.sign(msg), slow * 3)
    rows.append(row("sign", sign_t, None, "s", "plain py_ecc scalar multiplication"))
    h2c = median_time(lambda: hash_to_g1(keccak256(rng.randbytes(32))), fast * 3)
    rows.append(row("hash_to_g1", h2c, None, "s", "try-and-increment, plain ints"))

    plain_v, fast_v = PlainVerifier(), FastVerifier()
    base_verify = median_time(lambda: plain_v.verify(key.pubkey_g2, msg, sig), slow)
    new_verify = median_time(lambda: fast_v.verify(key.pubkey_g2, msg, sig), fast)
    rows.append(
        row(
            "verify_single",
            base_verify,
            new_verify,
            "s",
            "bls.verify (py_ecc: subgroup check + 2-pairing product) vs FastVerifier.verify "
            "(key's subgroup check and lines cached)",
        )
    )

    # the verification equation e(H, pk) * e(-sigma, g2) == 1
    q_pk, q_g2 = to_py_ecc_g2(key.pubkey_g2), to_py_ecc_g2(G2_GENERATOR)
    p_h, p_s = to_py_ecc_g1(h), to_py_ecc_g1(g1_neg(sig))

    def baseline_check() -> bool:
        return bool(op.pairing(q_pk, p_h) * op.pairing(q_g2, p_s) == FQ12.one())

    pk_aff = (key.pubkey_g2.x, key.pubkey_g2.y)
    g2_aff = (G2_GENERATOR.x, G2_GENERATOR.y)
    pk_lines, g2_lines = precompute_lines(pk_aff), precompute_lines(g2_aff)
    pairs = [((h.x, h.y), pk_lines), ((sig.x, (P - sig.y) % P), g2_lines)]

    def fast_check() -> bool:
        return final_exponentiation(miller_loop(pairs)) == F12_ONE

    def fast_check_uncached() -> bool:
        fresh = [((h.x, h.y), precompute_lines(pk_aff)), (pairs[1][0], precompute_lines(g2_aff))]
        return final_exponentiation(miller_loop(fresh)) == F12_ONE

    assert baseline_check()
    assert fast_check()
    assert fast_check_uncached()
    base_pc = median_time(baseline_check, slow)
    rows.append(
        row(
            "pairing_check_2",
            base_pc,
            median_time(fast_check, fast),
            "s",
            "py_ecc pairing x2 + product vs one shared Miller loop (cached G2 lines) + fast "
            "final exponentiation",
        )
    )
    rows.append(
        row(
            "pairing_check_2_uncached",
            base_pc,
            median_time(fast_check_uncached, fast),
            "s",
            "as pairing_check_2 but both G2 points' lines computed inside the timing",
        )
    )
    ml = miller_loop(pairs)
    rows.append(row("miller_loop_2", None, median_time(lambda: miller_loop(pairs), fast), "s"))

    f_py = FQ12([rng.randrange(P) for _ in range(12)])
    f_fast = from_py_ecc(f_py)
    assert final_exponentiation(f_fast) == from_py_ecc(op.final_exponentiate(f_py))
    assert final_exponentiation(ml) == F12_ONE
    rows.append(
        row(
            "final_exponentiation",
            median_time(lambda: op.final_exponentiate(f_py), slow),
            median_time(lambda: final_exponentiation(f_fast), fast),
            "s",
            "py_ecc final_exponentiate vs easy part + Scott et al. hard part (same exponent)",
        )
    )
    emit(rows, args.json, {"cpu": pinned, "repetitions": f"baseline {slow}, new {fast}"})


if __name__ == "__main__":
    main()
