"""Keccak-256 (the Ethereum pre-standard variant, not NIST SHA3-256).

pycryptodome's C Keccak does the hashing. Its ``keccak.new(...).digest()`` spends ~5x the
hash itself on per-call Python and cffi setup (allocating, wrapping and freeing a state),
which dominates on the operator's hot path (a Merkle root hashes 2N-1 short strings per
task of N inputs). So each thread keeps one state of the same C library and resets it per
digest; the public API remains the fallback and the reference the tests compare against.
"""

from __future__ import annotations

import threading
from typing import Any

from Crypto.Hash import keccak as _keccak

_RATE_CAPACITY_BYTES = 64  # Keccak-256: capacity 512 bits
_ROUNDS = 24
_PADDING = 0x01  # Keccak (pre-standard) padding; SHA3 would be 0x06


def keccak256_reference(data: bytes) -> bytes:
    """Keccak-256 through pycryptodome's public API (one hash object per call)."""
    digest: bytes = _keccak.new(digest_bits=256, data=data).digest()
    return digest


class _ThreadState(threading.local):
    """One reusable C Keccak state and output buffer per thread."""

    def __init__(self, lib: Any) -> None:
        from Crypto.Util import _raw_api

        raw: Any = _raw_api  # private helpers, untyped in pycryptodome's stubs
        state = raw.VoidPointer()
        if lib.keccak_init(state.address_of(), _RATE_CAPACITY_BYTES, _ROUNDS):
            raise RuntimeError("pycryptodome could not create a Keccak state")
        self.owner = raw.SmartPointer(state.get(), lib.keccak_destroy)  # freed with the thread
        self.state = self.owner.get()
        self.out = raw.create_string_buffer(32)


def _fast_hasher() -> Any:
    """A keccak256 on a per-thread reused state, or None if this pycryptodome lacks it."""
    lib = getattr(_keccak, "_raw_keccak_lib", None)
    if lib is None or not hasattr(lib, "keccak_reset"):
        return None
    try:
        local = _ThreadState(lib)
    except (ImportError, RuntimeError):
        return None
    reset, absorb, squeeze = lib.keccak_reset, lib.keccak_absorb, lib.keccak_digest

    def keccak256_fast(data: bytes) -> bytes:
        s = local
        if type(data) is not bytes:
            data = bytes(data)
        if reset(s.state) or absorb(s.state, data, len(data)):
            raise RuntimeError("pycryptodome Keccak failed")
        if squeeze(s.state, s.out, 32, _PADDING):
            raise RuntimeError("pycryptodome Keccak failed")
        return bytes(s.out)

    if keccak256_fast(b"") != keccak256_reference(b""):  # never trust a private API blindly
        return None
    return keccak256_fast


_FAST = _fast_hasher()


def keccak256(data: bytes) -> bytes:
    """Return the 32-byte Keccak-256 digest of ``data``, as Solidity's ``keccak256``."""
    if _FAST is not None:
        digest: bytes = _FAST(data)
        return digest
    return keccak256_reference(data)
