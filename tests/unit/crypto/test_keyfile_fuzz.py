"""Key files with random or mutated JSON: always a one-line KeystoreError, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avs.crypto.bls import KeyPair
from avs.crypto.keystore import encrypt_keystore
from avs.errors import AvsError
from avs.keyfiles import load_bls_key, load_ecdsa_key

PASSWORD = "pw"
BLS_DOC = encrypt_keystore(KeyPair.from_secret(0x1234), PASSWORD, scrypt_n=2)
ECDSA_DOC = Account.encrypt(b"\x11" * 32, PASSWORD, kdf="scrypt", iterations=2)

# Small numbers only where a KDF would take them literally: the loaders cap the rest.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        ["scrypt", "pbkdf2", "aes-128-ctr", "hmac-sha256", "00" * 16, "0x" + "ab" * 32]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
PATHS = [
    ("crypto",), ("crypto", "kdf"), ("crypto", "kdfparams"), ("crypto", "kdfparams", "n"),
    ("crypto", "kdfparams", "dklen"), ("crypto", "kdfparams", "c"), ("crypto", "kdfparams", "salt"),
    ("crypto", "cipher"), ("crypto", "ciphertext"), ("crypto", "cipherparams"), ("crypto", "mac"),
    ("pubKey",), ("version",),
]  # fmt: skip


def mutated(document: dict[str, Any], path: tuple[str, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            return copy
        node = node[key]
    node[path[-1]] = value
    return copy


def refused_cleanly(load: Any, tmp: Path, document: Any) -> None:
    key_file, password_file = tmp / "key.json", tmp / "pw"
    key_file.write_text(json.dumps(document))
    password_file.write_text(PASSWORD)
    message = "loaded"
    try:
        load(key_file, password_file)
    except AvsError as exc:
        message = str(exc)
    assert message
    assert "\n" not in message


FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(document=json_values)
def test_random_json_key_files(tmp_path: Path, document: Any) -> None:
    refused_cleanly(load_bls_key, tmp_path, document)
    refused_cleanly(load_ecdsa_key, tmp_path, document)


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values)
def test_mutated_key_files(tmp_path: Path, path: tuple[str, ...], value: Any) -> None:
    refused_cleanly(load_bls_key, tmp_path, mutated(BLS_DOC, path, value))
    refused_cleanly(load_ecdsa_key, tmp_path, mutated(ECDSA_DOC, path, value))
