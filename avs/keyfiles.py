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
from eth_utils.address import to_checksum_address

from avs.crypto.bls import KeyPair, operator_id
from avs.crypto.keystore import (
    MAX_DKLEN,
    MAX_PBKDF2_C,
    MAX_SCRYPT_N,
    MAX_SCRYPT_P,
    MAX_SCRYPT_R,
    STANDARD_SCRYPT_N,
    load_keystore,
    parse_pubkey,
)
from avs.errors import ConfigError, CryptoError, InputError, KeystoreError


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
    _check_kdf_bounds(document, key_file)
    try:
        secret = Account.decrypt(document, password)
    except ValueError as exc:
        # eth_account raises ValueError("MAC mismatch") for a wrong password.
        raise KeystoreError(
            f"ECDSA key file {key_file} cannot be decrypted ({exc}); check the password file"
        ) from None
    except Exception as exc:  # eth_account trusts the file's shape; any slip means "not ours"
        raise KeystoreError(
            f"ECDSA key file {key_file} is not a geth v3 keystore ({type(exc).__name__}: {exc})"
        ) from None
    account: LocalAccount = Account.from_key(secret)
    return account


def _check_kdf_bounds(document: object, key_file: Path) -> None:
    """Refuse KDF parameters that would make eth_account spin or allocate without bound."""
    crypto = document.get("crypto", document.get("Crypto")) if isinstance(document, dict) else None
    params = crypto.get("kdfparams") if isinstance(crypto, dict) else None
    if not isinstance(params, dict):
        raise KeystoreError(f"ECDSA key file {key_file} is not a geth v3 keystore (no kdfparams)")
    limits = {"n": MAX_SCRYPT_N, "r": MAX_SCRYPT_R, "p": MAX_SCRYPT_P}
    limits |= {"dklen": MAX_DKLEN, "c": MAX_PBKDF2_C}
    for name, limit in limits.items():
        value = params.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= limit:
            raise KeystoreError(
                f"ECDSA key file {key_file}: kdfparams.{name} must be an integer in [1, {limit}]"
            )


def ecdsa_keystore(secret: bytes, password: str, scrypt_n: int = STANDARD_SCRYPT_N) -> str:
    """Web3 Secret Storage (geth v3, scrypt) JSON of an ECDSA key, as eigenlayer-cli writes."""
    document = Account.encrypt(secret, password, kdf="scrypt", iterations=scrypt_n)
    return json.dumps(document, separators=(",", ":"))


def parse_secret(text: str, what: str, limit: int) -> int:
    """A private key given as 0x hex or decimal (eigenlayer-cli prints BLS keys in decimal)."""
    value = text.strip()
    try:
        number = int(value, 16) if value.lower().startswith("0x") else int(value, 10)
    except ValueError:
        raise InputError(f"{what} must be 0x hex or a decimal number") from None
    if not 0 < number < limit:
        raise InputError(f"{what} is out of range (it must be in [1, {limit - 1}])")
    return number


def key_file_summary(path: Path) -> dict[str, str]:
    """Type and public identity of a key file, read without its password.

    BLS files carry ``pubKey`` (the operator id is its hash); ECDSA files carry ``address``.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {"path": str(path), "type": "unreadable", "id": ""}
    if not isinstance(document, dict) or "crypto" not in document:
        return {"path": str(path), "type": "not a key file", "id": ""}
    if isinstance(document.get("pubKey"), str):
        try:
            point = parse_pubkey(document["pubKey"])
        except CryptoError:
            return {"path": str(path), "type": "bls", "id": "(malformed pubKey)"}
        return {"path": str(path), "type": "bls", "id": "0x" + operator_id(point).hex()}
    address = document.get("address")
    if isinstance(address, str) and len(address.removeprefix("0x")) == 40:
        return {"path": str(path), "type": "ecdsa", "id": to_checksum_address(address)}
    return {"path": str(path), "type": "unknown", "id": ""}
