"""BLSSignatureChecker.trySignatureAndApkVerification, restated on the reference path.

The contract checks an aggregate signature together with the claimed G1 aggregate key:
gamma = keccak256(msgHash, apk, apkG2, sigma) mod r (G2 words in EVM order) and
e(sigma + gamma*apk, -g2) * e(H(msgHash) + gamma*g1, apkG2) == 1. The random-looking
gamma binds apk (G1) to apkG2 (G2) so that an aggregator cannot pair a G1 key with an
unrelated G2 key. Use this to predict what the chain will accept before submitting.
"""

from __future__ import annotations

from avs.crypto.bn254 import (
    g1_add,
    g1_mul,
    g1_to_bytes,
    g2_neg,
    g2_to_evm,
    hash_to_g1,
    validate_g2_subgroup,
)
from avs.crypto.keccak import keccak256
from avs.crypto.pairing import pairing_product_is_one
from avs.crypto.points import G1_GENERATOR, G2_GENERATOR, G1Point, G2Point, R
from avs.errors import CryptoError


def apk_gamma(msg_hash: bytes, apk: G1Point, apk_g2: G2Point, sigma: G1Point) -> int:
    """gamma = keccak256(abi.encodePacked(msgHash, apk, apkG2, sigma)) mod r."""
    if len(msg_hash) != 32:
        raise CryptoError("msgHash must be 32 bytes")
    (xi, xr), (yi, yr) = g2_to_evm(apk_g2)
    packed = (
        msg_hash
        + g1_to_bytes(apk)
        + b"".join(w.to_bytes(32, "big") for w in (xi, xr, yi, yr))
        + g1_to_bytes(sigma)
    )
    return int.from_bytes(keccak256(packed), "big") % R


def verify_apk_signature(msg_hash: bytes, apk: G1Point, apk_g2: G2Point, sigma: G1Point) -> bool:
    """True iff the contract's ``trySignatureAndApkVerification`` would report a valid signature.

    ``apk`` is the signers' G1 aggregate key (quorum APKs minus non-signers), ``apk_g2``
    the signers' G2 aggregate key, ``sigma`` the aggregate signature.
    """
    if apk_g2.is_infinity():
        raise CryptoError("the aggregate G2 public key is the point at infinity")
    validate_g2_subgroup(apk_g2)
    gamma = apk_gamma(msg_hash, apk, apk_g2, sigma)
    lhs = g1_add(sigma, g1_mul(apk, gamma))
    rhs = g1_add(hash_to_g1(msg_hash), g1_mul(G1_GENERATOR, gamma))
    return pairing_product_is_one([(lhs, g2_neg(G2_GENERATOR)), (rhs, apk_g2)])
