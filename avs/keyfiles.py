"""Loading keys from files named in a config (never from values): BLS and ECDSA.

- BLS (BN254): the eigenlayer-cli key file, via :func:`avs.crypto.keystore.load_keystore`;
- ECDSA: a geth v3 keystore for the operator's Ethereum address, via ``eth_account``
  (eth_account is not web3; only avs.chain talks to the chain).
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from avs.crypto.bls import KeyPair
from avs.crypto.keystore import load_keystore
from avs.errors import ConfigError, KeystoreError


def read_password(path: Path | None, what: str) -> str:
    """The password in ``path`` (one trailing newline stripped); empty without a file."""
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(f"cannot read {what} password file {path}: {reason}") from None
    # Only one newline: a password may itself end in whitespace.
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


def load_bls_key(key_file: Path, password_file: Path | None) -> KeyPair:
    """Decrypt the BLS key file; a wrong password or corrupt file is a KeystoreError."""
    return load_keystore(key_file, read_password(password_file, "BLS key"))


def load_ecdsa_key(key_file: Path, password_file: Path | None) -> LocalAccount:
    """Decrypt a geth v3 keystore of an Ethereum account (operator or aggregator)."""
    password = read_password(password_file, "ECDSA key")
    try:
        document = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise KeystoreError(f"ECDSA key file {key_file} cannot be read: {reason}") from None
    except ValueError:
        raise KeystoreError(f"ECDSA key file {key_file} is not valid JSON") from None
    try:
        secret = Account.decrypt(document, password)
    except ValueError as exc:
        # eth_account raises ValueError("MAC mismatch") for a wrong password.
        raise KeystoreError(
            f"ECDSA key file {key_file} cannot be decrypted ({exc}); check the password file"
        ) from None
    except (KeyError, TypeError) as exc:
        raise KeystoreError(
            f"ECDSA key file {key_file} is not a geth v3 keystore (missing {exc})"
        ) from None
    account: LocalAccount = Account.from_key(secret)
    return account
