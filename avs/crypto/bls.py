"""BLS signatures on BN254 exactly as EigenLayer uses them (signatures in G1, keys in G1+G2).

sigma = sk * H(m) with H = :func:`avs.crypto.bn254.hash_to_g1`; verification is
e(H(m), pk2) * e(-sigma, g2) == 1. The registration (proof-of-possession) helpers live
in :mod:`avs.crypto.eip712` and the contract's aggregate check in
:mod:`avs.crypto.checker`; both are re-exported here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from avs.crypto.bn254 import (
    g1_mul,
    g1_neg,
    g1_sum,
    g1_to_bytes,
    g2_mul,
    g2_sum,
    hash_to_g1,
    validate_g2_subgroup,
)
from avs.crypto.checker import apk_gamma, verify_apk_signature
from avs.crypto.eip712 import (
    PUBKEY_REGISTRATION_TYPEHASH,
    registration_digest,
    registration_message_hash,
    sign_registration,
    verify_registration,
)
from avs.crypto.keccak import keccak256
from avs.crypto.pairing import pairing_product_is_one
from avs.crypto.points import (
    G1_GENERATOR,
    G2_GENERATOR,
    G1Point,
    G2Point,
    R,
    validate_secret,
)
from avs.errors import CryptoError

__all__ = [
    "PUBKEY_REGISTRATION_TYPEHASH",
    "KeyPair",
    "aggregate_g1",
    "aggregate_g2",
    "apk_gamma",
    "operator_id",
    "registration_digest",
    "registration_message_hash",
    "sign_registration",
    "verify",
    "verify_apk_signature",
    "verify_registration",
]


def operator_id(pubkey_g1: G1Point) -> bytes:
    """EigenLayer operatorId: keccak256(pk1.X || pk1.Y) with 32-byte big-endian words."""
    if pubkey_g1.is_infinity():
        raise CryptoError("the point at infinity is not a valid BLS public key")
    return keccak256(g1_to_bytes(pubkey_g1))


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A BLS secret key with its derived G1/G2 public keys and operatorId."""

    secret: int = field(repr=False)
    """Secret scalar in [1, r); never printed by ``repr``."""
    pubkey_g1: G1Point
    """sk * g1, registered on chain and hashed into the operatorId."""
    pubkey_g2: G2Point
    """sk * g2, used to verify signatures."""
    operator_id: bytes
    """keccak256(pubkey_g1.X || pubkey_g1.Y)."""

    @classmethod
    def from_secret(cls, sk: int) -> KeyPair:
        """Derive the public keys of a secret key, which must be in [1, r)."""
        validate_secret(sk)
        pk1 = g1_mul(G1_GENERATOR, sk)
        return cls(sk, pk1, g2_mul(G2_GENERATOR, sk), operator_id(pk1))

    @classmethod
    def generate(cls) -> KeyPair:
        """A fresh key from the OS CSPRNG (``secrets``), uniform in [1, r)."""
        return cls.from_secret(secrets.randbelow(R - 1) + 1)

    def sign(self, message: bytes) -> G1Point:
        """sigma = sk * H(message); ``message`` is a 32-byte digest."""
        return g1_mul(hash_to_g1(message), self.secret)


def verify(pubkey_g2: G2Point, message: bytes, signature: G1Point) -> bool:
    """True if ``signature`` is a valid BLS signature of ``message`` under ``pubkey_g2``.

    Reference path (plain py_ecc): checks e(H(m), pk2) * e(-sigma, g2) == 1. An invalid
    public key (infinity, outside the G2 subgroup) raises CryptoError, because accepting
    one would make forgeries trivial; an infinity signature is simply invalid.
    """
    if pubkey_g2.is_infinity():
        raise CryptoError("the point at infinity is not a valid BLS public key")
    validate_g2_subgroup(pubkey_g2)
    if signature.is_infinity():
        return False
    h = hash_to_g1(message)
    return pairing_product_is_one([(h, pubkey_g2), (g1_neg(signature), G2_GENERATOR)])


def aggregate_g1(points: Iterable[G1Point]) -> G1Point:
    """Sum of G1 points: aggregate signatures or G1 public keys (infinity for none)."""
    return g1_sum(points)


def aggregate_g2(points: Iterable[G2Point]) -> G2Point:
    """Sum of G2 points: aggregate G2 public keys (infinity for none)."""
    return g2_sum(points)
