"""Batch verification and bad-signature identification, against the plain py_ecc path.

Ground truth: a signature sk*H(m) + delta with delta != 0 is invalid by construction;
a few cases are also run through :class:`PlainVerifier` (real py_ecc pairings).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avs.crypto.batch_verify import (
    FastVerifier,
    PlainVerifier,
    SignatureItem,
    Verifier,
    batch_verify,
    find_invalid,
    verify_aggregate,
)
from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import hash_to_g1
from avs.crypto.fast_curve import g1_mul
from avs.crypto.fast_fields import F12
from avs.crypto.fast_msm import jac_sum
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1_INFINITY, G2_INFINITY, G1Point, G2Point, R
from avs.errors import CryptoError

RNG = random.Random(1234)
KEYS = [KeyPair.from_secret(RNG.randrange(1, R)) for _ in range(6)]
MESSAGES = [keccak256(b"task %d" % i) for i in range(5)]
DELTA = G1Point(1, 2)


def sign(kp: KeyPair, message: bytes, delta: int = 0) -> G1Point:
    """sk * H(m) + delta * g1 with fast int arithmetic (KeyPair.sign is ~60 ms)."""
    h = hash_to_g1(message)
    s = jac_sum([g1_mul((h.x, h.y), kp.secret), g1_mul((1, 2), delta) if delta else None])
    return G1_INFINITY if s is None else G1Point(int(s[0]), int(s[1]))


def item(k: int, m: int, delta: int = 0) -> SignatureItem:
    return SignatureItem(MESSAGES[m], KEYS[k].pubkey_g2, sign(KEYS[k], MESSAGES[m], delta))


def matrix(rows: int, cols: int) -> list[SignatureItem]:
    return [item(k, m) for m in range(rows) for k in range(cols)]


def test_fast_signing_helper_matches_keypair_sign() -> None:
    assert sign(KEYS[0], MESSAGES[0]) == KEYS[0].sign(MESSAGES[0])


@pytest.mark.slow
def test_fast_and_plain_verifiers_agree_on_a_mixed_batch() -> None:
    items = [item(0, 0), item(1, 0, delta=5), item(2, 1)]
    plain, fast = PlainVerifier(), FastVerifier()
    assert plain.find_invalid(items) == fast.find_invalid(items) == [1]
    assert not plain.batch_verify(items)
    assert not fast.batch_verify(items)
    assert fast.verify(KEYS[0].pubkey_g2, MESSAGES[0], items[0].signature)
    assert plain.verify_aggregate(
        [KEYS[0].pubkey_g2, KEYS[2].pubkey_g2],
        MESSAGES[1],
        [items[2].signature, sign(KEYS[0], MESSAGES[1])],
    )


def test_honest_batches_verify_with_shared_and_mixed_signer_sets() -> None:
    fast = FastVerifier()
    assert fast.batch_verify(matrix(5, 6))
    # rows signed by different subsets (forces the per-column pairing path too)
    mixed = [item(k, m) for m in range(5) for k in range(6) if (k + m) % 4]
    assert fast.batch_verify(mixed)
    assert fast.find_invalid(mixed) == []
    assert fast.batch_verify([])


@pytest.mark.parametrize(
    "bad",
    [{0}, {7}, {29}, {3, 4}, {0, 6, 12, 18, 24}, {1, 8, 15, 22, 29}, set(range(6))],
)
def test_find_invalid_names_exactly_the_bad_items(bad: set[int]) -> None:
    items = [item(k, m, delta=7 if m * 6 + k in bad else 0) for m in range(5) for k in range(6)]
    fast = FastVerifier()
    assert not fast.batch_verify(items)
    assert fast.find_invalid(items) == sorted(bad)


def wrong_result(k: int, m: int) -> SignatureItem:
    """Signer k signed another result than message m (a realistic fault)."""
    other = sign(KEYS[k], keccak256(MESSAGES[m] + b"other result"))
    return SignatureItem(MESSAGES[m], KEYS[k].pubkey_g2, other)


@pytest.mark.parametrize(
    "bad",
    [
        {2, 9, 16, 23, 24},  # one random signer per row: rows are located in pairs
        {4, 10, 16, 22, 28},  # the same faulty signer in every row: becomes a suspect
        {0, 1, 8, 20},  # a row with two bad signatures next to rows with one
    ],
)
def test_find_invalid_with_distinct_errors_per_row(bad: set[int]) -> None:
    items = [
        wrong_result(k, m) if m * 6 + k in bad else item(k, m) for m in range(5) for k in range(6)
    ]
    assert FastVerifier().find_invalid(items) == sorted(bad)


def test_errors_that_cancel_in_the_aggregate_are_still_caught() -> None:
    items = matrix(2, 6)
    items[1] = item(1, 0, delta=3)
    items[2] = item(2, 0, delta=R - 3)  # sigma_1 + sigma_2 is the valid aggregate
    fast = FastVerifier()
    row = items[:6]
    assert fast.verify_aggregate(
        [it.pubkey_g2 for it in row], MESSAGES[0], [it.signature for it in row]
    )
    assert not fast.batch_verify(items)
    assert fast.find_invalid(items) == [1, 2]
    # the same cancellation across two rows and two signers (a 2x2 pattern)
    cross = matrix(2, 2)
    cross = [item(0, 0, 4), item(1, 0, R - 4), item(0, 1, R - 4), item(1, 1, 4)]
    assert not fast.batch_verify(cross)
    assert fast.find_invalid(cross) == [0, 1, 2, 3]


def test_swapped_wrong_message_duplicate_and_infinity_signatures() -> None:
    fast = FastVerifier()
    good = item(0, 0)
    swapped = SignatureItem(MESSAGES[0], KEYS[1].pubkey_g2, good.signature)
    wrong_message = SignatureItem(MESSAGES[1], KEYS[0].pubkey_g2, good.signature)
    infinity = SignatureItem(MESSAGES[0], KEYS[2].pubkey_g2, G1_INFINITY)
    items = [good, swapped, good, wrong_message, infinity, item(3, 0)]
    assert fast.find_invalid(items) == [1, 3, 4]
    assert fast.batch_verify([good, good])
    assert not fast.verify(KEYS[2].pubkey_g2, MESSAGES[0], G1_INFINITY)


def test_a_repeat_offender_is_found_across_calls() -> None:
    fast = FastVerifier()
    for round_ in range(2):
        items = [item(k, m, delta=11 + round_ if k == 4 else 0) for m in range(4) for k in range(6)]
        assert fast.find_invalid(items) == [4, 10, 16, 22]


def test_verify_aggregate_semantics() -> None:
    fast: Verifier = FastVerifier()
    pks = [k.pubkey_g2 for k in KEYS]
    sigs = [sign(k, MESSAGES[2]) for k in KEYS]
    assert fast.verify_aggregate(pks, MESSAGES[2], sigs)
    assert not fast.verify_aggregate(pks, MESSAGES[3], sigs)
    assert not fast.verify_aggregate([*pks[:-1], pks[0]], MESSAGES[2], sigs)
    assert not fast.verify_aggregate([], MESSAGES[2], [])
    with pytest.raises(CryptoError, match="public keys"):
        fast.verify_aggregate(pks, MESSAGES[2], sigs[:-1])


def small_order_key(rogue: G2Point) -> G2Point:
    from avs.crypto.fast_curve import g2_mul, g2_to_affine
    from avs.crypto.points import P

    q = g2_to_affine(g2_mul((rogue.x, rogue.y), R * ((2 * P - R) // 10069)))
    assert q is not None
    return G2Point((int(q[0][0]), int(q[0][1])), (int(q[1][0]), int(q[1][1])))


@pytest.mark.parametrize("verifier", [FastVerifier(), PlainVerifier()])
def test_invalid_public_keys_are_refused(verifier: Verifier, rogue_g2: G2Point) -> None:
    sig = sign(KEYS[0], MESSAGES[0])
    for bad_key in (G2_INFINITY, rogue_g2, small_order_key(rogue_g2)):
        with pytest.raises(CryptoError):
            verifier.verify(bad_key, MESSAGES[0], sig)
        with pytest.raises(CryptoError):
            verifier.batch_verify([SignatureItem(MESSAGES[0], bad_key, sig)])


# --- property: the batch never accepts an invalid signature --------------------------------

CORRUPTION = st.sampled_from(["delta", "cancel", "swap", "message", "none"])


@settings(max_examples=12, deadline=None)
@given(
    rows=st.integers(1, 3),
    cols=st.integers(1, 4),
    edits=st.lists(st.tuples(st.integers(0, 11), CORRUPTION, st.integers(1, R - 1)), max_size=4),
)
def test_batch_never_accepts_an_invalid_signature(
    rows: int, cols: int, edits: Sequence[tuple[int, str, int]]
) -> None:
    items = matrix(rows, cols)
    n = len(items)
    for pos, kind, k in edits:
        i = pos % n
        m, c = divmod(i, cols)
        if kind == "delta":
            items[i] = item(c, m, delta=k)
        elif kind == "cancel" and n > 1:
            j = (i + 1) % n
            m2, c2 = divmod(j, cols)
            items[i], items[j] = item(c, m, delta=k), item(c2, m2, delta=R - k)
        elif kind == "swap":
            other = KEYS[(c + 1) % len(KEYS)]
            items[i] = SignatureItem(items[i].message, items[i].pubkey_g2, sign(other, MESSAGES[m]))
        elif kind == "message":
            items[i] = SignatureItem(MESSAGES[4], items[i].pubkey_g2, items[i].signature)
    truth = [
        i
        for i, it in enumerate(items)
        if it.signature != sign(KEYS[[k.pubkey_g2 for k in KEYS].index(it.pubkey_g2)], it.message)
    ]
    fast = FastVerifier()
    assert fast.batch_verify(items) == (not truth)
    assert fast.find_invalid(items) == truth


@pytest.mark.parametrize(("rows", "cols"), [(1, 6), (2, 5), (5, 2)])
def test_a_forgery_at_every_position_is_caught(rows: int, cols: int) -> None:
    """Both shapes of the signature-side MSM (row vectors when rows <= columns, column
    vectors otherwise) and the key tables: no position escapes the batch check."""
    honest = matrix(rows, cols)
    verifier = FastVerifier()
    verifier.warm_up([k.pubkey_g2 for k in KEYS])  # the key tables are used from here on
    assert verifier.batch_verify(honest)
    for i in range(len(honest)):
        m, c = divmod(i, cols)
        items = list(honest)
        items[i] = item(c, m, delta=RNG.randrange(1, R))
        assert not verifier.batch_verify(items), (rows, cols, i)
        assert verifier.find_invalid(items) == [i]


def test_identification_costs_about_one_check_per_bad_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts final exponentiations (pairing checks), not time: a faulty signer in every
    row is located in two rows, then checked alone in the others."""
    import avs.crypto.fast_pairing as fp

    calls: list[int] = []
    original = fp.final_exponentiation

    def counting(f: F12) -> F12:
        calls.append(1)
        return original(f)

    monkeypatch.setattr(fp, "final_exponentiation", counting)
    for module in ("avs.crypto.fast_locate", "avs.crypto.fast_batch", "avs.crypto.batch_verify"):
        monkeypatch.setattr(f"{module}.final_exponentiation", counting, raising=False)
    rows = 5
    items = [wrong_result(k, m) if k == 3 else item(k, m) for m in range(rows) for k in range(6)]
    fast = FastVerifier()
    fast.batch_verify(items[:6])  # warm the key caches outside the count
    calls.clear()
    assert fast.find_invalid(items) == [m * 6 + 3 for m in range(rows)]
    # root row check + 2 row values + 1 pair value + 3 suspect checks + confirmation
    assert len(calls) <= rows + 4


def test_warm_up_and_module_functions(rogue_g2: G2Point) -> None:
    fast = FastVerifier()
    fast.warm_up(pubkeys=[k.pubkey_g2 for k in KEYS], messages=MESSAGES)
    with pytest.raises(CryptoError):
        fast.warm_up(pubkeys=[rogue_g2])
    pks = [k.pubkey_g2 for k in KEYS[:4]]
    sigs = [sign(k, MESSAGES[0]) for k in KEYS[:4]]
    # the aggregate key is cached by signer set, whatever the order of the responses
    assert fast.verify_aggregate(pks, MESSAGES[0], sigs)
    assert fast.verify_aggregate(pks[::-1], MESSAGES[0], sigs[::-1])
    # an aggregate check binds the sums only, not each signature to its key
    assert fast.verify_aggregate(pks[::-1], MESSAGES[0], sigs)
    items = [SignatureItem(MESSAGES[0], pk, s) for pk, s in zip(pks, sigs, strict=True)]
    assert batch_verify(items)
    assert find_invalid([*items, item(0, 1, delta=2)]) == [4]
    assert verify_aggregate(pks, MESSAGES[1], sigs) is False


def test_batches_with_missing_signatures_sparse_and_dense() -> None:
    """Rows missing a signer at scattered positions (the missing entries' hashes summed
    per column one by one) and a signer missing from every row (in lock step)."""
    full = [item(k, m) for m in range(5) for k in range(6)]
    scattered = [it for i, it in enumerate(full) if i not in {1, 8, 15, 22, 29}]
    column = [it for i, it in enumerate(full) if i % 6 != 3]
    fast = FastVerifier()
    assert fast.batch_verify(scattered)
    assert fast.batch_verify(column)
    for items in (scattered, column):
        broken = list(items)
        broken[7] = SignatureItem(broken[7].message, broken[7].pubkey_g2, DELTA)
        assert not fast.batch_verify(broken)
        assert fast.find_invalid(broken) == [7]
