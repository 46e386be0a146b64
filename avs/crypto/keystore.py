"""BLS key files in the layout eigenlayer-cli writes (eigensdk-go ``bls.KeyPair.SaveToFile``).

The file is a go-ethereum keystore v3 ``crypto`` object plus a ``pubKey`` string, and no
``version``/``id``/``address``::

    {"pubKey": "E([<x decimal>,<y decimal>])",
     "crypto": {"cipher": "aes-128-ctr", "ciphertext": hex, "cipherparams": {"iv": hex},
                "kdf": "scrypt", "kdfparams": {"dklen": 32, "n": 262144, "p": 1, "r": 8,
                "salt": hex}, "mac": hex}}

The plaintext is the secret key as 32 big-endian bytes (gnark-crypto ``fr.Element.Bytes``),
the MAC is keccak256(derivedKey[16:32] || ciphertext) and AES-128-CTR uses
derivedKey[:16]. Files without ``pubKey`` (plain geth v3, as eigensdk-rs writes), with
``pubKey`` written as ``"1 x y"`` (mcl, as the eigensdk Python package writes) and with the
pbkdf2 KDF are read too; ``pubKey``, when present, must match the decrypted key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES

from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, P, R
from avs.errors import CryptoError, KeystoreError

STANDARD_SCRYPT_N = 262144
"""go-ethereum ``keystore.StandardScryptN`` (2^18), what eigenlayer-cli uses."""
STANDARD_SCRYPT_P = 1
"""go-ethereum ``keystore.StandardScryptP``."""
SCRYPT_R = 8
"""go-ethereum's fixed scrypt block size r."""
MAX_SCRYPT_N = 1 << 20
# Bounds on what a key file may ask the KDF for (a corrupt or hostile file must not make
# loading take hours or gigabytes); real keystores stay far below them.
MAX_SCRYPT_R, MAX_SCRYPT_P, MAX_DKLEN, MAX_PBKDF2_C = 32, 16, 64, 10_000_000
"""Largest scrypt n accepted on import, so a hostile file cannot demand gigabytes."""

_PUBKEY = re.compile(r"^\s*E\(\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]\)\s*$")
_PUBKEY_MCL = re.compile(r"^\s*1\s+(\d+)\s+(\d+)\s*$")
"""mcl's ``G1.getStr()``: "1 x y" in decimal (the eigensdk Python package writes this)."""


def _fail(path: object, what: str) -> KeystoreError:
    return KeystoreError(f"key file {path}: {what}")


def _hex(value: object, path: object, field: str) -> bytes:
    if not isinstance(value, str):
        raise _fail(path, f"field crypto.{field} is missing or not a hex string")
    try:
        return bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise _fail(path, f"field crypto.{field} is not valid hex") from None


def _int(params: dict[str, Any], name: str, path: object) -> int:
    v = params.get(name)
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise _fail(path, f"kdfparams.{name} is missing or not a positive integer")
    return v


def _derive_key(crypto: dict[str, Any], password: str, path: object) -> bytes:
    kdf = crypto.get("kdf")
    params = crypto.get("kdfparams")
    if not isinstance(params, dict):
        raise _fail(path, "field crypto.kdfparams is missing")
    salt = _hex(params.get("salt"), path, "kdfparams.salt")
    dklen = _int(params, "dklen", path)
    if not 32 <= dklen <= MAX_DKLEN:
        raise _fail(path, f"kdfparams.dklen must be in [32, {MAX_DKLEN}], got {dklen}")
    pw = password.encode()
    if kdf == "scrypt":
        n, r, p = (_int(params, k, path) for k in ("n", "r", "p"))
        if n & (n - 1) or n < 2 or n > MAX_SCRYPT_N or r > MAX_SCRYPT_R or p > MAX_SCRYPT_P:
            raise _fail(path, f"unsupported scrypt parameters n={n} r={r} p={p}")
        # hashlib refuses to allocate more than maxmem; n=2^18, r=8 needs 256 MiB.
        maxmem = 128 * r * (n + p + 2) + (1 << 24)
        return hashlib.scrypt(pw, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)
    if kdf == "pbkdf2":
        if params.get("prf") != "hmac-sha256":
            raise _fail(path, f"unsupported pbkdf2 prf {params.get('prf')!r}")
        rounds = _int(params, "c", path)
        if rounds > MAX_PBKDF2_C:
            raise _fail(path, f"kdfparams.c = {rounds} is over {MAX_PBKDF2_C} rounds")
        return hashlib.pbkdf2_hmac("sha256", pw, salt, rounds, dklen)
    raise _fail(path, f"unsupported kdf {kdf!r} (expected scrypt or pbkdf2)")


def parse_pubkey(text: str) -> G1Point:
    """Parse gnark-crypto's ``G1Affine.String()`` form ``E([x,y])`` or mcl's ``"1 x y"``
    (decimal coordinates; the eigensdk Python package writes the latter).

    gnark prints an element p - k with small k (<= 65535) as ``-k``; that is accepted too.
    """
    if not isinstance(text, str):
        raise CryptoError(f"pubKey {text!r} is not a string")
    gnark, mcl = _PUBKEY.match(text), _PUBKEY_MCL.match(text)
    if gnark is not None:
        x, y = (int(g) % P for g in gnark.groups())
    elif mcl is not None:
        x, y = (int(g) for g in mcl.groups())
        if x >= P or y >= P:
            raise CryptoError(f"pubKey {text!r} has a coordinate outside the field")
    else:
        raise CryptoError(f"pubKey {text!r} is not of the form E([x,y]) or '1 x y'")
    return G1Point(x, y)


def format_pubkey(point: G1Point) -> str:
    """Format a G1 point exactly as gnark-crypto's ``G1Affine.String()`` does."""

    def fmt(v: int) -> str:
        neg = (P - v) % P
        return f"-{neg}" if 0 < neg <= 0xFFFF else str(v)

    return f"E([{fmt(point.x)},{fmt(point.y)}])"


def decrypt_keystore(document: Any, password: str, *, source: object = "<memory>") -> KeyPair:
    """Decrypt a parsed key-file JSON object; ``source`` only names it in error messages."""
    if not isinstance(document, dict) or not isinstance(document.get("crypto"), dict):
        raise _fail(source, "not a BLS keystore (no 'crypto' object); is this the right file?")
    crypto: dict[str, Any] = document["crypto"]
    if crypto.get("cipher") != "aes-128-ctr":
        raise _fail(source, f"unsupported cipher {crypto.get('cipher')!r} (need aes-128-ctr)")
    ciphertext = _hex(crypto.get("ciphertext"), source, "ciphertext")
    params = crypto.get("cipherparams")
    iv = _hex(params.get("iv") if isinstance(params, dict) else None, source, "cipherparams.iv")
    mac = _hex(crypto.get("mac"), source, "mac")
    if len(iv) != 16:
        raise _fail(source, f"cipherparams.iv must be 16 bytes, got {len(iv)}")
    derived = _derive_key(crypto, password, source)
    if not hmac.compare_digest(keccak256(derived[16:32] + ciphertext), mac):
        raise KeystoreError(
            f"wrong password for key file {source} (MAC mismatch); check the password "
            "or --password-file (a trailing newline is stripped once)"
        )
    plain = AES.new(derived[:16], AES.MODE_CTR, nonce=b"", initial_value=iv).decrypt(ciphertext)
    if not 0 < len(plain) <= 32:
        raise _fail(source, f"decrypted secret has {len(plain)} bytes, expected 32")
    # gnark's fr.Element.SetBytes reduces mod r; do the same so any file it reads, we read.
    sk = int.from_bytes(plain, "big") % R
    try:
        keypair = KeyPair.from_secret(sk)
    except CryptoError:
        raise _fail(source, "decrypted secret key is zero; the file is corrupt") from None
    if "pubKey" in document:
        try:
            stated = parse_pubkey(document["pubKey"])
        except CryptoError as exc:
            raise _fail(source, str(exc)) from None
        if stated != keypair.pubkey_g1:
            raise _fail(source, "pubKey does not match the encrypted secret key; it is corrupt")
    return keypair


def load_keystore(path: str | os.PathLike[str], password: str) -> KeyPair:
    """Read and decrypt a BLS key file (eigenlayer-cli / eigensdk-go / geth v3 layout)."""
    return decrypt_keystore(read_keystore_document(path), password, source=path)


def read_keystore_document(path: str | os.PathLike[str]) -> Any:
    """The parsed JSON of a key file (checked before anyone is asked for its password)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc}); check the path") from None
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _fail(path, "is not valid JSON; is this the right file?") from None
    return document


def encrypt_keystore(
    keypair: KeyPair, password: str, *, scrypt_n: int = STANDARD_SCRYPT_N
) -> dict[str, Any]:
    """The key-file JSON object for ``keypair``, with the field order eigensdk-go writes."""
    if scrypt_n & (scrypt_n - 1) or not 2 <= scrypt_n <= MAX_SCRYPT_N:
        raise CryptoError(f"scrypt n must be a power of two in [2, 2^20], got {scrypt_n}")
    salt, iv = secrets.token_bytes(32), secrets.token_bytes(16)
    maxmem = 128 * SCRYPT_R * (scrypt_n + STANDARD_SCRYPT_P + 2) + (1 << 24)
    derived = hashlib.scrypt(
        password.encode(), salt=salt, n=scrypt_n, r=SCRYPT_R, p=STANDARD_SCRYPT_P, dklen=32,
        maxmem=maxmem,
    )  # fmt: skip
    plain = keypair.secret.to_bytes(32, "big")
    ciphertext = AES.new(derived[:16], AES.MODE_CTR, nonce=b"", initial_value=iv).encrypt(plain)
    return {
        "pubKey": format_pubkey(keypair.pubkey_g1),
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": ciphertext.hex(),
            "cipherparams": {"iv": iv.hex()},
            "kdf": "scrypt",
            "kdfparams": {
                "dklen": 32,
                "n": scrypt_n,
                "p": STANDARD_SCRYPT_P,
                "r": SCRYPT_R,
                "salt": salt.hex(),
            },
            "mac": keccak256(derived[16:32] + ciphertext).hex(),
        },
    }


def save_keystore(
    path: str | os.PathLike[str],
    keypair: KeyPair,
    password: str,
    *,
    scrypt_n: int = STANDARD_SCRYPT_N,
    overwrite: bool = True,
) -> None:
    """Encrypt ``keypair`` to ``path`` (compact JSON, mode 0600, written atomically).

    Lower ``scrypt_n`` only for tests: it makes the password cheap to brute-force.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise KeystoreError(f"key file {target} already exists; refusing to overwrite it")
    data = json.dumps(encrypt_keystore(keypair, password, scrypt_n=scrypt_n), separators=(",", ":"))
    write_key_file(target, data)


def write_key_file(target: Path, data: str) -> None:
    """Write a key file atomically with mode 0600 (readers never see half a key file)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise KeystoreError(f"cannot write key file {target}: {exc.strerror or exc}") from None
