"""BN254 constants, point validation, arithmetic, EVM encodings and hash_to_g1."""

from __future__ import annotations

import pytest
from py_ecc.bn128 import bn128_curve as plain
from py_ecc.optimized_bn128 import optimized_curve as oc

from avs.crypto.bn254 import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    G2_INFINITY,
    G1Point,
    G2Point,
    P,
    R,
    from_py_ecc_g1,
    from_py_ecc_g2,
    g1_add,
    g1_from_evm,
    g1_mul,
    g1_neg,
    g1_sum,
    g2_add,
    g2_from_evm,
    g2_mul,
    g2_neg,
    g2_to_evm,
    hash_to_g1,
    is_in_g2_subgroup,
    to_py_ecc_g1,
    to_py_ecc_g2,
    validate_secret,
)
from avs.crypto.points import B2
from avs.errors import CryptoError


def test_constants_match_py_ecc() -> None:
    assert oc.field_modulus == P
    assert oc.curve_order == R
    assert tuple(oc.b2.coeffs) == B2
    x, y = oc.normalize(oc.G2)
    assert G2_GENERATOR.x == tuple(int(c) for c in x.coeffs)
    assert G2_GENERATOR.y == tuple(int(c) for c in y.coeffs)
    assert G1Point(1, 2) == G1_GENERATOR


def test_g2_generator_evm_order_is_imag_first() -> None:
    # EIP-197 lists the G2 generator as (x_imag, x_real, y_imag, y_real).
    (xi, xr), (yi, yr) = g2_to_evm(G2_GENERATOR)
    assert xi == 11559732032986387107991004021392285783925812861821192530917403151452391805634
    assert xr == 10857046999023057135944570762232829481370756359578518086990519993285655852781
    assert yi == 4082367875863433681332203403145435568316851327593401208105741076214120093531
    assert yr == 8495653923123431417604973247489272438418190587263600148770280649306958101930


@pytest.mark.parametrize(
    ("x", "y"), [(1, 3), (P, 2), (1, P + 2), (-1, 2), (0, 1), (1, 0)]
)  # fmt: skip
def test_g1_rejects_off_curve_or_out_of_range(x: int, y: int) -> None:
    with pytest.raises(CryptoError, match="not on the BN254 curve"):
        G1Point(x, y)


def test_g2_rejects_off_curve() -> None:
    x, y = G2_GENERATOR.x, G2_GENERATOR.y
    with pytest.raises(CryptoError, match="twist"):
        G2Point(x, (y[0], (y[1] + 1) % P))
    with pytest.raises(CryptoError):
        G2Point((x[0], P), y)
    with pytest.raises(CryptoError):  # swapped (real, imag): the classic encoding mistake
        G2Point((x[1], x[0]), (y[1], y[0]))


def test_infinity_encodings() -> None:
    assert G1_INFINITY.is_infinity()
    assert G2_INFINITY.is_infinity()
    assert not G1_GENERATOR.is_infinity()
    assert g1_mul(G1_GENERATOR, R) == G1_INFINITY
    assert g1_add(G1_GENERATOR, g1_neg(G1_GENERATOR)) == G1_INFINITY
    assert g2_add(G2_GENERATOR, g2_neg(G2_GENERATOR)) == G2_INFINITY
    assert g1_sum([]) == G1_INFINITY


def test_evm_decoders_reject_infinity_unless_allowed() -> None:
    with pytest.raises(CryptoError, match="infinity"):
        g1_from_evm((0, 0))
    with pytest.raises(CryptoError, match="infinity"):
        g2_from_evm(((0, 0), (0, 0)))
    assert g1_from_evm((0, 0), allow_infinity=True) == G1_INFINITY
    assert g2_from_evm(((0, 0), (0, 0)), allow_infinity=True) == G2_INFINITY


@pytest.mark.parametrize("bad", [(1,), (1, 2, 3), (True, 2), ("1", 2)])
def test_g1_from_evm_rejects_malformed(bad: tuple[object, ...]) -> None:
    with pytest.raises(CryptoError):
        g1_from_evm(bad)  # type: ignore[arg-type]


def test_g2_from_evm_round_trip_and_subgroup_check(rogue_g2: G2Point) -> None:
    p = g2_mul(G2_GENERATOR, 123456789)
    assert g2_from_evm(g2_to_evm(p)) == p
    assert is_in_g2_subgroup(p)
    assert not is_in_g2_subgroup(rogue_g2)
    with pytest.raises(CryptoError, match="subgroup"):
        g2_from_evm(g2_to_evm(rogue_g2))


def test_arithmetic_agrees_with_plain_py_ecc() -> None:
    k = 0xDEADBEEF12345
    ours = g1_mul(G1_GENERATOR, k)
    ref = plain.multiply(plain.G1, k)
    assert ref is not None
    assert (ours.x, ours.y) == (ref[0].n, ref[1].n)
    ours2 = g2_mul(G2_GENERATOR, k)
    ref2 = plain.multiply(plain.G2, k)
    assert ref2 is not None
    assert ours2.x == tuple(ref2[0].coeffs)
    assert ours2.y == tuple(ref2[1].coeffs)
    assert g2_mul(G2_GENERATOR, R) == G2_INFINITY  # k is reduced mod r: the identity
    assert g2_mul(G2_INFINITY, k) == G2_INFINITY
    assert g1_add(G1_GENERATOR, G1_GENERATOR) == g1_mul(G1_GENERATOR, 2)
    assert g1_mul(G1_GENERATOR, -1) == g1_neg(G1_GENERATOR)


def test_py_ecc_conversions_round_trip() -> None:
    p1 = g1_mul(G1_GENERATOR, 77)
    p2 = g2_mul(G2_GENERATOR, 77)
    assert from_py_ecc_g1(to_py_ecc_g1(p1)) == p1
    assert from_py_ecc_g2(to_py_ecc_g2(p2)) == p2
    assert from_py_ecc_g1(to_py_ecc_g1(G1_INFINITY)) == G1_INFINITY
    assert from_py_ecc_g2(to_py_ecc_g2(G2_INFINITY)) == G2_INFINITY


@pytest.mark.parametrize("sk", [0, R, R + 1, -5, True])
def test_validate_secret_rejects(sk: int) -> None:
    with pytest.raises(CryptoError, match=r"\[1, r\)"):
        validate_secret(sk)


def test_validate_secret_accepts_bounds() -> None:
    assert validate_secret(1) == 1
    assert validate_secret(R - 1) == R - 1


def _reference_hash_to_g1(m: bytes) -> tuple[int, int]:
    """Independent restatement of BN254.sol hashToG1 using Euler's criterion."""
    x = int.from_bytes(m, "big") % P
    while pow(x**3 + 3, (P - 1) // 2, P) != 1:  # not a quadratic residue: next x
        x = (x + 1) % P
    beta = (x**3 + 3) % P
    return x, pow(beta, (P + 1) // 4, P)  # the exact root BN254.sol returns


@pytest.mark.parametrize(
    "m",
    [bytes(32), b"\xff" * 32, bytes(range(32)), bytes.fromhex("47173285a8d7341e5e972fc677286384"
     "f802f8ef42a5ec5f03bbfa254cb01fad")],
)  # fmt: skip
def test_hash_to_g1_matches_reference_restatement(m: bytes) -> None:
    h = hash_to_g1(m)
    assert (h.x, h.y) == _reference_hash_to_g1(m)


def test_hash_to_g1_known_values() -> None:
    # x = 0: 3 is not a square mod p; x = 1: beta = 4, root 2 -> the generator.
    assert hash_to_g1(bytes(32)) == G1Point(1, 2)
    # m >= p wraps: m and m - p hash to the same point (why m must be a keccak digest).
    m = (2**256 - 1).to_bytes(32, "big")
    assert hash_to_g1(m) == hash_to_g1((2**256 - 1 - P).to_bytes(32, "big"))


def test_hash_to_g1_matches_eigensdk_rs_vector_with_its_byte_order() -> None:
    # Layr-Labs/eigensdk-rs crates/crypto/bls/src/lib.rs test_map_to_curve: message
    # [1..32] -> (1452899..., 1084634...). That map_to_curve reads the digest
    # little-endian; BN254.sol reads uint256(m) big-endian, so feeding the reversed
    # bytes to ours must give their point (checks the loop and the choice of root).
    h = hash_to_g1(bytes(range(1, 33))[::-1])
    assert h.x == 14528991250861404666834535435384615765856667510756806797353855100662256435714
    assert h.y == 1084634806445338125226100575785895110643952950453653534955932359686296806861


@pytest.mark.parametrize("m", [b"", b"\x01" * 31, b"\x01" * 33, "00" * 32])
def test_hash_to_g1_requires_32_bytes(m: object) -> None:
    with pytest.raises(CryptoError, match="32 bytes"):
        hash_to_g1(m)  # type: ignore[arg-type]
