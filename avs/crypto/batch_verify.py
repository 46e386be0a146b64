"""BLS verification strategies: the plain py_ecc reference and the fast batch verifier.

Both implement :class:`Verifier`, so callers (the aggregator) choose a strategy without
changing code, and tests run the same assertions against both:

- :class:`PlainVerifier`: every signature checked with plain py_ecc pairings; slow,
  obviously correct, the reference.
- :class:`~avs.crypto.fast_verifier.FastVerifier`: the fast pairing of
  :mod:`avs.crypto.fast_pairing`, batch verification with random linear combinations
  (:mod:`avs.crypto.fast_batch`) and identification of bad signatures
  (:mod:`avs.crypto.fast_identify`), with caches for per-key work.

Semantics shared by both: a public key that is infinity or outside the G2 subgroup
raises :class:`~avs.errors.CryptoError` (as :func:`avs.crypto.bls.verify` does); an
infinity signature is simply invalid. ``batch_verify`` accepts only if every item is
valid (soundness error below 2^-63 for the fast verifier). ``verify_aggregate`` checks
the aggregate signature against the aggregate key, exactly what the on-chain
certificate check needs; signers who collude can cancel each other's errors there, so
use ``batch_verify``/``find_invalid`` when every individual signature must be valid.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from avs.crypto import bls
from avs.crypto.bn254 import g1_neg, g1_sum, g2_sum, hash_to_g1, validate_g2_subgroup
from avs.crypto.fast_verifier import FastVerifier, check_lengths
from avs.crypto.pairing import pairing_product_is_one as plain_product_is_one
from avs.crypto.points import G2_GENERATOR, G1Point, G2Point
from avs.errors import CryptoError


@dataclass(frozen=True, slots=True)
class SignatureItem:
    """One (message, public key, signature) triple to verify."""

    message: bytes
    """The signed 32-byte digest (a task's msgHash)."""
    pubkey_g2: G2Point
    """The signer's G2 public key."""
    signature: G1Point
    """The claimed signature sk * H(message)."""


class Verifier(Protocol):
    """A BLS verification strategy (see the module docstring for the shared semantics)."""

    def verify(self, pubkey_g2: G2Point, message: bytes, signature: G1Point) -> bool:
        """True if ``signature`` is valid for ``message`` under ``pubkey_g2``."""
        ...

    def verify_aggregate(
        self, pubkeys_g2: Sequence[G2Point], message: bytes, signatures: Sequence[G1Point]
    ) -> bool:
        """True if sum(signatures) is valid for ``message`` under sum(pubkeys_g2)."""
        ...

    def batch_verify(self, items: Sequence[SignatureItem]) -> bool:
        """True if every item is a valid signature."""
        ...

    def find_invalid(self, items: Sequence[SignatureItem]) -> list[int]:
        """Indices (ascending) of the items that are not valid signatures."""
        ...


class PlainVerifier:
    """Reference strategy: plain py_ecc pairings, one check per signature (~0.5 s each)."""

    def verify(self, pubkey_g2: G2Point, message: bytes, signature: G1Point) -> bool:
        """See :class:`Verifier`."""
        return bls.verify(pubkey_g2, message, signature)

    def verify_aggregate(
        self, pubkeys_g2: Sequence[G2Point], message: bytes, signatures: Sequence[G1Point]
    ) -> bool:
        """See :class:`Verifier`."""
        check_lengths(pubkeys_g2, signatures)
        for pk in pubkeys_g2:
            if pk.is_infinity():
                raise CryptoError("the point at infinity is not a valid BLS public key")
            validate_g2_subgroup(pk)
        if not signatures or any(s.is_infinity() for s in signatures):
            return False
        h = hash_to_g1(message)
        apk = g2_sum(pubkeys_g2)
        return plain_product_is_one([(h, apk), (g1_neg(g1_sum(signatures)), G2_GENERATOR)])

    def batch_verify(self, items: Sequence[SignatureItem]) -> bool:
        """See :class:`Verifier`."""
        return not self.find_invalid(items)

    def find_invalid(self, items: Sequence[SignatureItem]) -> list[int]:
        """See :class:`Verifier`."""
        return [
            i
            for i, it in enumerate(items)
            if not bls.verify(it.pubkey_g2, it.message, it.signature)
        ]


_DEFAULT = FastVerifier()
_DEFAULT_LOCK = threading.Lock()  # the shared caches are not thread-safe on their own


def verify_aggregate(
    pubkeys_g2: Sequence[G2Point], message: bytes, signatures: Sequence[G1Point]
) -> bool:
    """:meth:`FastVerifier.verify_aggregate` on a shared module-level cache."""
    with _DEFAULT_LOCK:
        return _DEFAULT.verify_aggregate(pubkeys_g2, message, signatures)


def batch_verify(items: Sequence[SignatureItem]) -> bool:
    """:meth:`FastVerifier.batch_verify` on a shared module-level cache."""
    with _DEFAULT_LOCK:
        return _DEFAULT.batch_verify(items)


def find_invalid(items: Sequence[SignatureItem]) -> list[int]:
    """:meth:`FastVerifier.find_invalid` on a shared module-level cache."""
    with _DEFAULT_LOCK:
        return _DEFAULT.find_invalid(items)


__all__ = [
    "FastVerifier",
    "PlainVerifier",
    "SignatureItem",
    "Verifier",
    "batch_verify",
    "find_invalid",
    "verify_aggregate",
]
