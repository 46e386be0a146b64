"""Key files: eigenlayer-cli / eigensdk-go compatibility, round trips, and every failure."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from Crypto.Cipher import AES

from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import G1Point, P
from avs.crypto.keccak import keccak256
from avs.crypto.keystore import (
    decrypt_keystore,
    encrypt_keystore,
    format_pubkey,
    load_keystore,
    parse_pubkey,
    save_keystore,
)
from avs.errors import CryptoError, KeystoreError

FAST_N = 2**12  # production files use 2^18; tests write cheap ones


def test_loads_eigensdk_go_file_unchanged(keystores: Path) -> None:
    # Published by Layr-Labs/eigensdk-go (crypto/bls/operator_keys_test_directory), written
    # by bls.KeyPair.SaveToFile with scrypt n = 262144, password "test".
    kp = load_keystore(keystores / "eigensdk-go-test.bls.key.json", "test")
    assert kp.secret == 0x2731504B0DD5D31CBEF5411D2B8221C2D8CFE73E44E16252238696B74C4E0774
    # The file's own pubKey (gnark-computed) equals our sk * g1.
    assert kp.pubkey_g1 == G1Point(
        5926317184925439151187795302636898395466174058057092923258039738351796578930,
        8089142686356639658893903961565109796481315873249662043487003602119643699529,
    )


def test_loads_eigensdk_rs_file_without_pubkey(keystores: Path) -> None:
    # Layr-Labs/eigensdk-rs crates/crypto/bls/mockdata: password.txt, private_key_hex.txt.
    kp = load_keystore(keystores / "eigensdk-rs-test.bls.key.json", "zbEykAPaTQ5Ww3dQqXCp")
    assert kp.secret == 0x036AAB3E53981C1466F02C30D600589382D4C596C6A76434090C680BAFC23A19


def test_sk69_fixture_has_eigensdk_go_layout(keystores: Path) -> None:
    path = keystores / "sk69.bls.key.json"
    raw = path.read_text()
    go = (keystores / "eigensdk-go-test.bls.key.json").read_text()
    assert _shape(json.loads(raw)) == _shape(json.loads(go))
    assert "\n" not in raw
    assert " " not in raw
    assert load_keystore(path, "edge-avs-fixture").secret == 69


def _shape(doc: Any) -> Any:
    """Keys in order, recursively, with the values replaced by their types."""
    if isinstance(doc, dict):
        return [(k, _shape(v)) for k, v in doc.items()]
    return type(doc).__name__


def test_round_trip_and_file_mode(tmp_path: Path) -> None:
    kp = KeyPair.generate()
    path = tmp_path / "sub" / "op.bls.key.json"
    save_keystore(path, kp, "pässwörd ☃", scrypt_n=FAST_N)
    assert load_keystore(path, "pässwörd ☃") == kp
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc["pubKey"] == f"E([{kp.pubkey_g1.x},{kp.pubkey_g1.y}])"
    assert doc["crypto"]["kdfparams"]["n"] == FAST_N


def test_empty_password_round_trip(tmp_path: Path) -> None:
    kp = KeyPair.from_secret(12345)
    save_keystore(tmp_path / "k.json", kp, "", scrypt_n=FAST_N)
    assert load_keystore(tmp_path / "k.json", "").secret == 12345
    with pytest.raises(KeystoreError, match="wrong password"):
        load_keystore(tmp_path / "k.json", " ")


def test_wrong_password_names_the_file(keystores: Path) -> None:
    path = keystores / "eigensdk-rs-test.bls.key.json"
    with pytest.raises(KeystoreError, match=r"wrong password for key file .*eigensdk-rs-test"):
        load_keystore(path, "not-it")


def test_refuses_to_overwrite_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("keep me")
    with pytest.raises(KeystoreError, match="already exists"):
        save_keystore(path, KeyPair.from_secret(5), "pw", scrypt_n=FAST_N, overwrite=False)
    assert path.read_text() == "keep me"


@pytest.fixture(scope="module")
def good_doc() -> dict[str, Any]:
    return encrypt_keystore(KeyPair.from_secret(4242), "pw", scrypt_n=FAST_N)


def _mutated(doc: dict[str, Any], path: list[str], value: object) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(doc))
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["crypto"], _DELETE, "no 'crypto' object"),
        (["crypto", "cipher"], "aes-256-gcm", "unsupported cipher"),
        (["crypto", "mac"], _DELETE, "crypto.mac"),
        (["crypto", "ciphertext"], "zz", "not valid hex"),
        (["crypto", "cipherparams"], _DELETE, "cipherparams.iv"),
        (["crypto", "kdf"], "argon2", "unsupported kdf"),
        (["crypto", "kdfparams", "n"], 1000, "unsupported scrypt"),
        (["crypto", "kdfparams", "n"], 2**30, "unsupported scrypt"),
        (["crypto", "kdfparams", "dklen"], 16, "dklen"),
        (["crypto", "kdfparams", "salt"], _DELETE, "salt"),
        (["pubKey"], "0xdeadbeef", "E\\(\\[x,y\\]\\)"),
        (["pubKey"], "E([1,2])", "does not match"),
        (["crypto", "ciphertext"], "00" * 32, "wrong password"),  # tampered: MAC fails
    ],
)
def test_corrupt_documents_are_keystore_errors(
    good_doc: dict[str, Any], path: list[str], value: object, message: str
) -> None:
    with pytest.raises(KeystoreError, match=message):
        decrypt_keystore(_mutated(good_doc, path, value), "pw")


def test_good_doc_decrypts(good_doc: dict[str, Any]) -> None:
    assert decrypt_keystore(good_doc, "pw").secret == 4242


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[]", b'"str"'])
def test_unparseable_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(KeystoreError, match=r"bad\.json"):
        load_keystore(path, "pw")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeystoreError, match="cannot be read"):
        load_keystore(tmp_path / "nope.json", "pw")


def test_pbkdf2_geth_variant_is_read(good_doc: dict[str, Any]) -> None:
    # geth also writes pbkdf2 files; build one by hand with the same ciphertext scheme.
    salt = bytes(range(32))
    derived = hashlib.pbkdf2_hmac("sha256", b"pw", salt, 1000, 32)
    iv = bytes(16)
    ct = AES.new(derived[:16], AES.MODE_CTR, nonce=b"", initial_value=iv).encrypt(
        (777).to_bytes(32, "big")
    )
    doc = {
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": ct.hex(),
            "cipherparams": {"iv": iv.hex()},
            "kdf": "pbkdf2",
            "kdfparams": {"c": 1000, "dklen": 32, "prf": "hmac-sha256", "salt": salt.hex()},
            "mac": keccak256(derived[16:32] + ct).hex(),
        }
    }
    assert decrypt_keystore(doc, "pw").secret == 777


def test_zero_secret_is_rejected() -> None:
    salt, iv = bytes(32), bytes(16)
    derived = hashlib.scrypt(b"pw", salt=salt, n=16, r=8, p=1, dklen=32)
    ct = AES.new(derived[:16], AES.MODE_CTR, nonce=b"", initial_value=iv).encrypt(bytes(32))
    doc = {
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": ct.hex(),
            "cipherparams": {"iv": iv.hex()},
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": 16, "p": 1, "r": 8, "salt": salt.hex()},
            "mac": keccak256(derived[16:32] + ct).hex(),
        }
    }
    with pytest.raises(KeystoreError, match="zero"):
        decrypt_keystore(doc, "pw")


def test_gnark_negative_pubkey_format() -> None:
    # gnark prints field elements p - k (k <= 65535) as "-k"; -(1, 2) = (1, p - 2).
    neg_g = G1Point(1, P - 2)
    assert format_pubkey(neg_g) == "E([1,-2])"
    assert parse_pubkey("E([1,-2])") == neg_g
    assert parse_pubkey(" E([ 1 , 2 ]) ") == G1Point(1, 2)
    with pytest.raises(CryptoError):
        parse_pubkey("E([1,3])")  # off curve


def test_mcl_pubkey_format_of_the_eigensdk_python_package(good_doc: dict[str, Any]) -> None:
    pk = KeyPair.from_secret(4242).pubkey_g1
    assert parse_pubkey(f"1 {pk.x} {pk.y}") == pk
    doc = {**good_doc, "pubKey": f"1 {pk.x} {pk.y}"}
    assert decrypt_keystore(doc, "pw").secret == 4242
    other = KeyPair.from_secret(4243).pubkey_g1
    with pytest.raises(KeystoreError, match="does not match"):
        decrypt_keystore({**good_doc, "pubKey": f"1 {other.x} {other.y}"}, "pw")
    for bad in ("0", f"1 {pk.x}", f"2 {pk.x} {pk.y}", f"1 {pk.x + P} {pk.y}", "1 1 3"):
        with pytest.raises(CryptoError):
            parse_pubkey(bad)
