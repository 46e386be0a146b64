"""BLS key registration (proof of possession) as EigenLayer's RegistryCoordinator checks it.

The operator signs H = hash_to_g1(EIP-712 digest of ``BN254PubkeyRegistration(address
operator)``) under the registry coordinator's domain; BLSApkRegistry then checks
e(sigma + gamma*pk1, -g2) * e(H + gamma*g1, pk2) == 1 with
gamma = keccak256(sigma, pk1, pk2, H) mod r (G2 words in EVM order).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
from avs.errors import CryptoError, InputError

if TYPE_CHECKING:
    from avs.crypto.bls import KeyPair

DOMAIN_TYPEHASH = keccak256(
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
"""keccak256 of the EIP-712 domain type string with all four standard fields."""

PUBKEY_REGISTRATION_TYPEHASH = keccak256(b"BN254PubkeyRegistration(address operator)")
"""RegistryCoordinator.PUBKEY_REGISTRATION_TYPEHASH."""

DEFAULT_DOMAIN_NAME = "AVSRegistryCoordinator"
"""EIP-712 domain name of EigenLayer's RegistryCoordinator."""
DEFAULT_DOMAIN_VERSION = "v0.0.1"
"""EIP-712 domain version of EigenLayer's RegistryCoordinator."""

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _address_word(address: str, what: str) -> bytes:
    # abi.encode(address): left-padded to 32 bytes. Checksum case is not enforced
    # because the hash only depends on the 20 bytes.
    if not isinstance(address, str) or not _ADDRESS.match(address):
        raise InputError(f"{what} must be a 0x-prefixed 20-byte hex address, got {address!r}")
    return bytes(12) + bytes.fromhex(address[2:])


def _uint_word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def domain_separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    """EIP-712 domain separator, as OpenZeppelin's ``EIP712._domainSeparatorV4``."""
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 0:
        raise InputError(f"chain id must be a non-negative integer, got {chain_id!r}")
    return keccak256(
        DOMAIN_TYPEHASH
        + keccak256(name.encode())
        + keccak256(version.encode())
        + _uint_word(chain_id)
        + _address_word(verifying_contract, "registry coordinator address")
    )


def registration_digest(
    operator: str,
    registry: str,
    chain_id: int,
    name: str = DEFAULT_DOMAIN_NAME,
    version: str = DEFAULT_DOMAIN_VERSION,
) -> bytes:
    """The 32-byte EIP-712 digest that RegistryCoordinator hashes to G1.

    ``_hashTypedDataV4(keccak256(abi.encode(PUBKEY_REGISTRATION_TYPEHASH, operator)))``.
    """
    struct_hash = keccak256(
        PUBKEY_REGISTRATION_TYPEHASH + _address_word(operator, "operator address")
    )
    return keccak256(
        b"\x19\x01" + domain_separator(name, version, chain_id, registry) + struct_hash
    )


def registration_message_hash(
    operator: str,
    registry: str,
    chain_id: int,
    name: str = DEFAULT_DOMAIN_NAME,
    version: str = DEFAULT_DOMAIN_VERSION,
) -> G1Point:
    """RegistryCoordinator.pubkeyRegistrationMessageHash(operator): the G1 point to sign."""
    return hash_to_g1(registration_digest(operator, registry, chain_id, name, version))


def sign_registration(
    keypair: KeyPair,
    operator: str,
    registry: str,
    chain_id: int,
    name: str = DEFAULT_DOMAIN_NAME,
    version: str = DEFAULT_DOMAIN_VERSION,
) -> G1Point:
    """The proof of possession sk * H for ``registerOperator``'s PubkeyRegistrationParams."""
    h = registration_message_hash(operator, registry, chain_id, name, version)
    return g1_mul(h, keypair.secret)


def registration_gamma(sigma: G1Point, pk1: G1Point, pk2: G2Point, h: G1Point) -> int:
    """gamma = keccak256(abi.encodePacked(sigma, pk1, pk2, H)) mod r, as BLSApkRegistry."""
    (xi, xr), (yi, yr) = g2_to_evm(pk2)
    packed = (
        g1_to_bytes(sigma)
        + g1_to_bytes(pk1)
        + b"".join(_uint_word(w) for w in (xi, xr, yi, yr))
        + g1_to_bytes(h)
    )
    return int.from_bytes(keccak256(packed), "big") % R


def verify_registration(sigma: G1Point, pk1: G1Point, pk2: G2Point, h: G1Point) -> bool:
    """The BLSApkRegistry.registerBLSPublicKey pairing check (reference py_ecc path).

    True iff sigma signs H under the key whose G1 and G2 halves are pk1 and pk2.
    """
    if pk1.is_infinity() or pk2.is_infinity():
        raise CryptoError("cannot register the point at infinity as a BLS public key")
    validate_g2_subgroup(pk2)
    gamma = registration_gamma(sigma, pk1, pk2, h)
    lhs = g1_add(sigma, g1_mul(pk1, gamma))
    rhs = g1_add(h, g1_mul(G1_GENERATOR, gamma))
    return pairing_product_is_one([(lhs, g2_neg(G2_GENERATOR)), (rhs, pk2)])
