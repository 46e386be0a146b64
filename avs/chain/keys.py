"""ECDSA account keys from files: a geth v3 keystore (with a password file) or a hex key."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from avs.errors import InputError, KeystoreError


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from None


def load_ecdsa_key(path: Path, password_file: Path | None = None) -> bytes:
    """The 32-byte private key in ``path``.

    A JSON file is a geth v3 keystore decrypted with the password in ``password_file`` (one
    trailing newline stripped); anything else must be a 0x-prefixed or bare 64-hex-digit key.
    """
    text = _read(path, "key file").strip()
    if text.startswith("{"):
        if password_file is None:
            raise InputError(f"{path} is an encrypted keystore: pass its password file too")
        password = _read(password_file, "password file")
        password = password[:-1] if password.endswith("\n") else password
        try:
            key: bytes = Account.decrypt(json.loads(text), password)
        except (ValueError, KeyError, TypeError) as exc:
            raise KeystoreError(f"cannot decrypt keystore {path}: {exc}") from None
        return bytes(key)
    hex_key = text[2:] if text.startswith(("0x", "0X")) else text
    try:
        raw = bytes.fromhex(hex_key)
    except ValueError:
        raise InputError(f"{path} holds neither a keystore nor a hex private key") from None
    if len(raw) != 32:
        raise InputError(f"{path}: a private key is 32 bytes, found {len(raw)}")
    return raw
