"""BLS sign/verify/aggregate, checked against plain py_ecc pairings (slow: few examples)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bn128 import optimized_pairing as op

from avs.crypto.bls import KeyPair, aggregate_g1, aggregate_g2, verify, verify_apk_signature
from avs.crypto.bn254 import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    G1Point,
    G2Point,
    R,
    g1_add,
    hash_to_g1,
    to_py_ecc_g1,
    to_py_ecc_g2,
)
from avs.errors import CryptoError

# Each verify costs about two pairings (~0.5 s here), so properties run few examples.
SLOW = settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
secrets_st = st.integers(min_value=1, max_value=R - 1)
messages_st = st.binary(min_size=32, max_size=32)


def _plain_pairing_check(pk2: G2Point, message: bytes, sigma: G1Point) -> bool:
    """Independent path: two full py_ecc pairings compared, e(H(m), pk2) == e(sigma, g2)."""
    lhs = op.pairing(to_py_ecc_g2(pk2), to_py_ecc_g1(hash_to_g1(message)))
    rhs = op.pairing(to_py_ecc_g2(G2_GENERATOR), to_py_ecc_g1(sigma))
    return bool(lhs == rhs)


def test_verify_agrees_with_plain_pairing_equality(key69: KeyPair) -> None:
    m = bytes(range(32))
    sigma = key69.sign(m)
    assert verify(key69.pubkey_g2, m, sigma)
    assert _plain_pairing_check(key69.pubkey_g2, m, sigma)
    forged = g1_add(sigma, G1_GENERATOR)
    assert not verify(key69.pubkey_g2, m, forged)
    assert not _plain_pairing_check(key69.pubkey_g2, m, forged)


@SLOW
@given(sk=secrets_st, m=messages_st)
def test_sign_verify_round_trip(sk: int, m: bytes) -> None:
    kp = KeyPair.from_secret(sk)
    assert verify(kp.pubkey_g2, m, kp.sign(m))


@SLOW
@given(sk=secrets_st, m=messages_st, other=messages_st)
def test_wrong_message_fails(sk: int, m: bytes, other: bytes) -> None:
    kp = KeyPair.from_secret(sk)
    if hash_to_g1(m) == hash_to_g1(other):  # same point (e.g. equal or m' = m + p)
        return
    assert not verify(kp.pubkey_g2, other, kp.sign(m))


@settings(SLOW, max_examples=2)
@given(sks=st.lists(secrets_st, min_size=2, max_size=3, unique=True), m=messages_st)
def test_aggregate_verifies_and_missing_signer_fails(sks: list[int], m: bytes) -> None:
    kps = [KeyPair.from_secret(sk) for sk in sks]
    apk2 = aggregate_g2(kp.pubkey_g2 for kp in kps)
    sigs = [kp.sign(m) for kp in kps]
    assert verify(apk2, m, aggregate_g1(sigs))
    assert not verify(apk2, m, aggregate_g1(sigs[1:]))


def test_wrong_key_fails(key69: KeyPair) -> None:
    m = b"\x07" * 32
    assert not verify(KeyPair.from_secret(70).pubkey_g2, m, key69.sign(m))


def test_infinity_signature_is_invalid(key69: KeyPair) -> None:
    assert not verify(key69.pubkey_g2, bytes(32), G1_INFINITY)


def test_invalid_public_keys_raise(rogue_g2: G2Point) -> None:
    with pytest.raises(CryptoError, match="infinity"):
        verify(G2_INFINITY, bytes(32), G1_GENERATOR)
    with pytest.raises(CryptoError, match="subgroup"):
        verify(rogue_g2, bytes(32), G1_GENERATOR)


def test_keypair_repr_hides_secret(key69: KeyPair) -> None:
    kp = KeyPair.from_secret(0x1234567890ABCDEF1234567890)
    assert "secret" not in repr(kp)
    assert str(kp.secret) not in repr(kp)
    assert hex(kp.secret)[2:] not in repr(kp).lower()


def test_generate_gives_distinct_valid_keys() -> None:
    a, b = KeyPair.generate(), KeyPair.generate()
    assert 0 < a.secret < R
    assert a.secret != b.secret
    assert a == KeyPair.from_secret(a.secret)


@pytest.mark.parametrize("sk", [0, R, -1])
def test_from_secret_rejects_invalid(sk: int) -> None:
    with pytest.raises(CryptoError):
        KeyPair.from_secret(sk)


def test_sign_rejects_non_digest(key69: KeyPair) -> None:
    with pytest.raises(CryptoError, match="32 bytes"):
        key69.sign(b"hello")


def test_contract_apk_check_accepts_aggregate_and_rejects_mismatched_apk() -> None:
    # BLSSignatureChecker.trySignatureAndApkVerification restated: two signers.
    a, b = KeyPair.from_secret(11), KeyPair.from_secret(22)
    m = b"\x42" * 32
    sigma = aggregate_g1([a.sign(m), b.sign(m)])
    apk_g2 = aggregate_g2([a.pubkey_g2, b.pubkey_g2])
    apk = aggregate_g1([a.pubkey_g1, b.pubkey_g1])
    assert verify_apk_signature(m, apk, apk_g2, sigma)
    # G1 aggregate that omits a signer (e.g. a wrongly subtracted non-signer) fails.
    assert not verify_apk_signature(m, a.pubkey_g1, apk_g2, sigma)
