"""Signature verification: one check per arriving response, one batch per certificate.

A response is verified on arrival (:meth:`GroupVerifier.is_valid`, one 2-pairing check on
cached key lines) before it may take an operator's place. Before a certificate is built,
every signature of every group that is ready (possibly several tasks at once) goes into
one batch for a :class:`avs.crypto.batch_verify.Verifier`: the fast strategy checks the
whole batch with random linear combinations (a few Miller loops and one final
exponentiation) and only on failure locates the bad signatures (DESIGN.md §5). Each
signature is checked individually, so a signer credited in a certificate really signed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from avs.crypto.batch_verify import FastVerifier, SignatureItem, Verifier
from avs.crypto.points import G1Point, G2Point
from avs.errors import CryptoError


@dataclass(frozen=True, slots=True)
class SignerEntry:
    """One signer of a digest group."""

    operator_id: bytes
    """Signer's operator id."""
    pubkey_g2: G2Point
    """Its registered G2 key."""
    signature: G1Point
    """Its signature on the group's message."""


@dataclass(frozen=True, slots=True)
class GroupToVerify:
    """All signatures of one digest group (they sign the same message)."""

    message: bytes
    """The msgHash every signer signed."""
    signers: Sequence[SignerEntry]
    """The signers."""


class GroupVerifier:
    """Checks single responses and finds the invalid signers of many groups in one batch.

    Safe to call from several worker threads: calls are serialised, because the strategy's
    caches are not thread-safe on their own.
    """

    def __init__(self, verifier: Verifier | None = None) -> None:
        # One instance per aggregator: its caches (G2 subgroup checks, precomputed lines
        # of operators' keys) make the keys that sign every task almost free.
        self._verifier: Verifier = verifier if verifier is not None else FastVerifier()
        self._lock = threading.Lock()

    def is_valid(self, message: bytes, signer: SignerEntry) -> bool:
        """Whether ``signer``'s signature on ``message`` verifies under its key."""
        with self._lock:
            try:
                return self._verifier.verify(signer.pubkey_g2, message, signer.signature)
            except CryptoError:  # a registered key outside the subgroup signs nothing
                return False

    def all_valid(self, signers: Sequence[tuple[bytes, SignerEntry]]) -> bool:
        """Whether every (message, signer) verifies, in one batch check (no locating)."""
        items = [SignatureItem(m, s.pubkey_g2, s.signature) for m, s in signers]
        with self._lock:
            try:
                return self._verifier.batch_verify(items)
            except CryptoError:
                return False

    def invalid_signers(self, groups: Sequence[GroupToVerify]) -> list[list[bytes]]:
        """For each group, the operator ids whose signatures are invalid (usually none)."""
        items: list[SignatureItem] = []
        owners: list[tuple[int, bytes]] = []
        for index, group in enumerate(groups):
            for signer in group.signers:
                items.append(SignatureItem(group.message, signer.pubkey_g2, signer.signature))
                owners.append((index, signer.operator_id))
        bad: list[list[bytes]] = [[] for _ in groups]
        if not items:
            return bad
        with self._lock:
            invalid = self._verifier.find_invalid(items)
        for position in invalid:
            group_index, operator_id = owners[position]
            bad[group_index].append(operator_id)
        return bad
