"""EIP-712 registration digest and the BLSApkRegistry proof-of-possession check."""

from __future__ import annotations

import pytest
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from avs.crypto.bls import (
    PUBKEY_REGISTRATION_TYPEHASH,
    KeyPair,
    registration_digest,
    registration_message_hash,
    sign_registration,
    verify_registration,
)
from avs.crypto.bn254 import hash_to_g1
from avs.errors import InputError

OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _eth_account_digest(operator: str, registry: str, chain_id: int, name: str) -> bytes:
    """Independent EIP-712 implementation (eth-account) of the same typed data."""
    signable = encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "BN254PubkeyRegistration": [{"name": "operator", "type": "address"}],
            },
            "primaryType": "BN254PubkeyRegistration",
            "domain": {
                "name": name,
                "version": "v0.0.1",
                "chainId": chain_id,
                "verifyingContract": registry,
            },
            "message": {"operator": operator},
        }
    )
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def test_typehash() -> None:
    assert keccak(text="BN254PubkeyRegistration(address operator)") == PUBKEY_REGISTRATION_TYPEHASH


@pytest.mark.parametrize(("chain_id", "name"), [(31337, "AVSRegistryCoordinator"), (1, "Other")])
def test_digest_matches_eth_account(chain_id: int, name: str) -> None:
    ours = registration_digest(OPERATOR, REGISTRY, chain_id, name=name)
    assert ours == _eth_account_digest(OPERATOR, REGISTRY, chain_id, name)
    assert registration_message_hash(OPERATOR, REGISTRY, chain_id, name=name) == hash_to_g1(ours)


def test_digest_depends_on_every_field() -> None:
    base = registration_digest(OPERATOR, REGISTRY, 31337)
    assert base != registration_digest(REGISTRY, REGISTRY, 31337)
    assert base != registration_digest(OPERATOR, OPERATOR, 31337)
    assert base != registration_digest(OPERATOR, REGISTRY, 31338)
    assert base != registration_digest(OPERATOR, REGISTRY, 31337, version="v0.0.2")


def test_proof_of_possession_passes_contract_check(key69: KeyPair) -> None:
    sigma = sign_registration(key69, OPERATOR, REGISTRY, 31337)
    h = registration_message_hash(OPERATOR, REGISTRY, 31337)
    assert verify_registration(sigma, key69.pubkey_g1, key69.pubkey_g2, h)


def test_proof_for_other_operator_fails(key69: KeyPair) -> None:
    sigma = sign_registration(key69, REGISTRY, REGISTRY, 31337)
    h = registration_message_hash(OPERATOR, REGISTRY, 31337)
    assert not verify_registration(sigma, key69.pubkey_g1, key69.pubkey_g2, h)


def test_mismatched_g1_g2_keys_fail(key69: KeyPair) -> None:
    # A rogue key: G1 half of one key, G2 half of another.
    other = KeyPair.from_secret(70)
    sigma = sign_registration(key69, OPERATOR, REGISTRY, 31337)
    h = registration_message_hash(OPERATOR, REGISTRY, 31337)
    assert not verify_registration(sigma, key69.pubkey_g1, other.pubkey_g2, h)


@pytest.mark.parametrize(
    "bad", ["0x1234", "70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x" + "g" * 40]
)
def test_bad_address_is_input_error(bad: str) -> None:
    with pytest.raises(InputError, match="address"):
        registration_digest(bad, REGISTRY, 1)
