"""Our key derivation, operatorId and signatures against numbers published by EigenLayer."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from avs.crypto.bls import KeyPair, operator_id
from avs.crypto.bn254 import (
    G1_GENERATOR,
    G1_INFINITY,
    G2_GENERATOR,
    g1_to_bytes,
    g2_mul,
    g2_to_evm,
)
from avs.crypto.keccak import keccak256


def test_sk69_g2_pubkey_matches_blsmockavsdeployer(key69: KeyPair) -> None:
    # Layr-Labs/eigenlayer-middleware test/utils/BLSMockAVSDeployer.sol
    # _setAggregatePublicKeysAndSignature: aggSignerApkG2 = 69 * g2, X[0]/Y[0] = imag.
    assert g2_to_evm(key69.pubkey_g2) == (
        (
            5334410886741819556325359147377682006012228123419628681352847439302316235957,
            19101821850089705274637533855249918363070101489527618151493230256975900223847,
        ),
        (
            4185483097059047421902184823581361466320657066600218863748375739772335928910,
            354176189041917478648604979334478067325821134838555150300539079146482658331,
        ),
    )


def test_6900_g2_matches_one_hundred_quorum_apk() -> None:
    # Same file: oneHundredQuorumApkG2 = 100 * aggSignerPrivKey * g2.
    assert g2_to_evm(g2_mul(G2_GENERATOR, 6900)) == (
        (
            5334877400925935887383922877430837542135722474116902175395820705628447222839,
            6187649255575786743153792867265230878737103598736372524337965086852090105771,
        ),
        (
            21446056442597180561077194011672151329458819211586246807143487001691968661015,
            4668116328019846503695710811760363536142902258271850958815598072072236299223,
        ),
    )


_RS_SK = 12248929636257230549931416853095037629726205319386239410403476017439825112537


def test_g1_pubkey_matches_eigensdk_rs() -> None:
    # Layr-Labs/eigensdk-rs crates/crypto/bls/src/lib.rs test_bls_key_pair.
    kp = KeyPair.from_secret(_RS_SK)
    assert (
        kp.pubkey_g1.x
        == 277950648056014144722774518899051149098728246263316284984520891067822832300
    )
    assert (
        kp.pubkey_g1.y
        == 16927236637669640540790285431111034664564710839671197540688155537113438534238
    )


def test_signature_matches_eigensdk_rs_with_its_byte_order() -> None:
    # Same file, test_sign_message, message [1..32]; its map_to_curve reads the digest
    # little-endian (BN254.sol: big-endian), hence the reversed bytes here.
    sig = KeyPair.from_secret(_RS_SK).sign(bytes(range(1, 33))[::-1])
    assert sig.x == 6480852672313836368883198697599909951599236047787132531972745015650532978134
    assert sig.y == 20692567294854493165175278753837678513615081984887336401902704973346059699322


def test_operator_id_is_keccak_of_padded_words(key69: KeyPair) -> None:
    expected = keccak(encode(["uint256", "uint256"], [key69.pubkey_g1.x, key69.pubkey_g1.y]))
    assert operator_id(key69.pubkey_g1) == expected == key69.operator_id
    # BLSApkRegistry ZERO_PK_HASH = hashG1Point(G1Point(0, 0)): pins the 32-byte padding.
    assert keccak256(g1_to_bytes(G1_INFINITY)).hex() == (
        "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"
    )


def test_operator_id_pads_short_coordinates() -> None:
    # sk = 1 gives pk1 = (1, 2): hashing minimal-length big-endian bytes (as eigensdk-go's
    # GetOperatorID does with big.Int.Bytes) would differ from the contract's hashG1Point.
    kp = KeyPair.from_secret(1)
    assert kp.pubkey_g1 == G1_GENERATOR
    unpadded = b"\x01\x02"
    assert kp.operator_id == keccak(
        encode(["uint256", "uint256"], [kp.pubkey_g1.x, kp.pubkey_g1.y])
    )
    assert kp.operator_id != keccak(unpadded)
