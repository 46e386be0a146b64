"""Certificate assembly and the protocol's certificate encodings (pure, no network)."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from hypothesis import given
from hypothesis import strategies as st

from avs.chain.certificate import assemble_certificate, non_signers
from avs.chain.views import OperatorSetState, RegisteredOperator
from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import g1_mul, g2_mul, hash_to_g1
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1_INFINITY, G2_GENERATOR, R
from avs.errors import ChainError
from avs.protocol import (
    CertificateHints,
    certification_hash,
    fee_share,
    signatory_record_hash,
)

MSG = keccak256(b"message")
KEYS = [KeyPair.from_secret(1000 + i) for i in range(5)]
# operator i's quorums: 0 and 1 for i < 2, 0 only for i == 2, 1 only for i >= 3
QUORUMS = {0: {0: 5, 1: 5}, 1: {0: 6, 1: 6}, 2: {0: 7}, 3: {1: 8}, 4: {1: 9}}
HINTS = CertificateHints((), (0, 0), (0, 0), ((), ()))


def state() -> OperatorSetState:
    ops = {
        k.operator_id: RegisteredOperator(
            f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, QUORUMS[i]
        )
        for i, k in enumerate(KEYS)
    }
    return OperatorSetState(10, (0, 1), ops, {0: 18, 1: 28})


def test_signers_count_once_per_quorum_they_belong_to() -> None:
    st_ = state()
    signers = [0, 2, 3]
    sigs = {KEYS[i].operator_id: KEYS[i].sign(MSG) for i in signers}
    cert = assemble_certificate(7, b"\x01" * 32, st_, sigs, HINTS)
    # operator 0 is in both quorums: its secret enters sigma and apkG2 twice
    weight = sum(sum(1 for q in (0, 1) if q in QUORUMS[i]) * (1000 + i) for i in signers) % R
    assert cert.sigma == g1_mul(hash_to_g1(MSG), weight)
    assert cert.apk_g2 == g2_mul(G2_GENERATOR, weight)
    missing = sorted(KEYS[i].operator_id for i in (1, 4))
    assert cert.non_signer_ids == tuple(missing)
    assert non_signers(st_, set(sigs)) == missing
    assert cert.quorum_apks == (st_.quorum_apk(0), st_.quorum_apk(1))
    assert [op.operator_id for op in st_.members(1)] == sorted(
        KEYS[i].operator_id for i in (0, 1, 3, 4)
    )


def test_outsiders_are_ignored_and_nobody_is_an_error() -> None:
    outsider = KeyPair.from_secret(4242)
    with pytest.raises(ChainError, match="no signature from an operator of its quorums"):
        assemble_certificate(
            1, b"\x00" * 32, state(), {outsider.operator_id: outsider.sign(MSG)}, HINTS
        )


def test_abi_tuple_shape() -> None:
    sigs = {k.operator_id: k.sign(MSG) for k in KEYS}
    cert = assemble_certificate(1, b"\x00" * 32, state(), sigs, HINTS)
    bitmap_ix, pubkeys, apks, apk_g2, sigma, apk_ix, total_ix, stake_ix = cert.as_abi()
    assert pubkeys == []
    assert bitmap_ix == []
    assert len(apks) == 2
    assert apk_g2 == ((cert.apk_g2.x[1], cert.apk_g2.x[0]), (cert.apk_g2.y[1], cert.apk_g2.y[0]))
    assert sigma == (cert.sigma.x, cert.sigma.y)
    assert (apk_ix, total_ix, stake_ix) == ([0, 0], [0, 0], [[], []])


def test_signatory_record_hash_is_encode_packed() -> None:
    ids = [b"\x01" * 32, b"\x02" * 32]
    assert signatory_record_hash(0x01020304, ids) == keccak256(
        b"\x01\x02\x03\x04" + ids[0] + ids[1]
    )
    assert signatory_record_hash(5, []) == keccak256((5).to_bytes(4, "big"))


def test_certification_hash_is_abi_encode() -> None:
    expected = keccak256(
        abi_encode(["bytes32", "bytes32", "uint96[]"], [b"\x01" * 32, b"\x02" * 32, [3, 4]])
    )
    assert certification_hash(b"\x01" * 32, b"\x02" * 32, [3, 4]) == expected


def test_fee_share_examples() -> None:
    # one quorum: plain pro rata, floor
    assert fee_share(100, [1], [3]) == 33
    # two quorums: 50 each; the last quorum gets the odd wei
    assert fee_share(101, [1, 0], [2, 5]) == 25
    assert fee_share(101, [0, 5], [2, 5]) == 51
    assert fee_share(101, [0, 0], [2, 5]) == 0


@given(
    st.integers(min_value=0, max_value=2**96 - 1),
    st.lists(
        st.lists(st.integers(min_value=1, max_value=2**80), min_size=1, max_size=6),
        min_size=1,
        max_size=3,
    ),
)
def test_signers_never_get_more_than_the_fee(fee: int, per_quorum_stakes: list[list[int]]) -> None:
    """Every signer's shares together never exceed the fee, and lose less than a wei each."""
    n_signers = max(len(s) for s in per_quorum_stakes)
    stakes = [s + [0] * (n_signers - len(s)) for s in per_quorum_stakes]
    signed = [sum(s) for s in stakes]
    shares = [
        fee_share(fee, [stakes[q][i] for q in range(len(stakes))], signed) for i in range(n_signers)
    ]
    assert sum(shares) <= fee
    assert fee - sum(shares) <= n_signers * len(stakes)


def test_infinity_is_the_empty_apk() -> None:
    empty = OperatorSetState(1, (0,), {}, {0: 0})
    assert empty.quorum_apk(0) == G1_INFINITY
