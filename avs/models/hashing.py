"""Content addressing: Keccak-256 is THE id of a model or blob; SHA-256 is informational.

Keccak-256 is chosen because the on-chain ModelRegistry stores "the content hash of the
ONNX file" and a Solidity verifier can recompute it with the ``keccak256`` opcode. SHA-256
is recorded beside it in the demo manifest for tools outside Ethereum (``sha256sum``, OCI).
"""

from __future__ import annotations

import hashlib
from typing import NewType

from avs.crypto.keccak import keccak256
from avs.errors import InputError

ContentHash = NewType("ContentHash", bytes)
"""32-byte Keccak-256 digest of a blob's bytes."""

HASH_SIZE = 32


def content_hash(data: bytes) -> ContentHash:
    """Return the content hash (Keccak-256) that names ``data`` in the store and on chain."""
    return ContentHash(keccak256(data))


def sha256(data: bytes) -> bytes:
    """Return the SHA-256 digest of ``data`` (recorded in manifests, never used as an id)."""
    return hashlib.sha256(data).digest()


def parse_content_hash(value: str | bytes) -> ContentHash:
    """Accept a 32-byte hash as raw bytes or as (0x-prefixed) hex text; reject anything else."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = value.removeprefix("0x").removeprefix("0X")
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise InputError(
                f"content hash {value!r} is not hex; expected 0x + 64 hex digits"
            ) from exc
    if len(raw) != HASH_SIZE:
        raise InputError(
            f"content hash has {len(raw)} bytes; expected {HASH_SIZE} (0x + 64 hex digits)"
        )
    return ContentHash(raw)


def hash_hex(value: bytes) -> str:
    """Format a hash as 0x-prefixed lower-case hex, the form used in URIs, logs and JSON."""
    return "0x" + value.hex()
