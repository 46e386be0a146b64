"""Signature verification: one check per arriving response, one batch per certificate.

A response is verified on arrival (:meth:`GroupVerifier.is_valid`, one 2-pairing check on
cached key lines) before it may take an operator's place. Before a certificate is built,
every signature of every group that is ready (possibly several tasks at once) goes into
one batch for a :class:`avs.crypto.batch_verify.Verifier`: the fast strategy checks the
whole batch with random linear combinations (a few Miller loops and one final
exponentiation) and only on failure locates the bad signatures (DESIGN.md §5). Each
signature is checked individually, so a signer credited in a certificate really signed.

The verifier remembers (bounded) the exact (message, key, signature) triples it found
valid, so the certification batch does not redo the arrival checks of the same
signatures; anything else (a response rebuilt from the store, an altered signature, a
re-registered key) is a different triple and is checked again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
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


VERIFIED_MEMORY = 1 << 16
"""Most valid signatures remembered (about 200 operators x 300 tasks; ~10 MiB)."""

_Triple = tuple[bytes, G2Point, G1Point]


class GroupVerifier:
    """Checks single responses and finds the invalid signers of many groups in one batch.

    Safe to call from several worker threads: calls are serialised, because the strategy's
    caches are not thread-safe on their own.
    """

    def __init__(self, verifier: Verifier | None = None, memory: int = VERIFIED_MEMORY) -> None:
        # One instance per aggregator: its caches (G2 subgroup checks, precomputed lines
        # of operators' keys) make the keys that sign every task almost free.
        self._verifier: Verifier = verifier if verifier is not None else FastVerifier()
        self._lock = threading.Lock()
        self._memory = memory
        self._verified: OrderedDict[_Triple, None] = OrderedDict()

    def is_valid(self, message: bytes, signer: SignerEntry) -> bool:
        """Whether ``signer``'s signature on ``message`` verifies under its key."""
        with self._lock:
            try:
                ok = self._verifier.verify(signer.pubkey_g2, message, signer.signature)
            except CryptoError:  # a registered key outside the subgroup signs nothing
                return False
            if ok:
                self._remember([_triple(message, signer)])
            return ok

    def all_valid(self, signers: Sequence[tuple[bytes, SignerEntry]]) -> bool:
        """Whether every (message, signer) verifies, in one batch check (no locating)."""
        items = [SignatureItem(m, s.pubkey_g2, s.signature) for m, s in signers]
        with self._lock:
            try:
                ok = self._verifier.batch_verify(items)
            except CryptoError:
                return False
            if ok:
                self._remember(_triple(m, s) for m, s in signers)
            return ok

    def valid_flags(self, signers: Sequence[tuple[bytes, SignerEntry]]) -> list[bool]:
        """Whether each (message, signer) verifies: one batch check when all do, else the
        bad ones are located (:meth:`Verifier.find_invalid`, about one or two pairing
        checks per bad signature) rather than every signature checked alone."""
        if len(signers) == 1:
            return [self.is_valid(*signers[0])]
        items = [SignatureItem(m, s.pubkey_g2, s.signature) for m, s in signers]
        with self._lock:
            try:
                invalid = set(self._verifier.find_invalid(items))
            except CryptoError:  # some key is not a valid key: no batch can say more
                invalid = None
        if invalid is None:
            return [self.is_valid(m, s) for m, s in signers]
        flags = [i not in invalid for i in range(len(signers))]
        with self._lock:
            self._remember(_triple(m, s) for (m, s), ok in zip(signers, flags, strict=True) if ok)
        return flags

    def invalid_signers(self, groups: Sequence[GroupToVerify]) -> list[list[bytes]]:
        """For each group, the operator ids whose signatures are invalid (usually none)."""
        items: list[SignatureItem] = []
        owners: list[tuple[int, bytes]] = []
        bad: list[list[bytes]] = [[] for _ in groups]
        with self._lock:
            for index, group in enumerate(groups):
                for signer in group.signers:
                    if _triple(group.message, signer) in self._verified:
                        continue  # this exact signature was found valid already
                    items.append(SignatureItem(group.message, signer.pubkey_g2, signer.signature))
                    owners.append((index, signer.operator_id))
            if not items:
                return bad
            invalid = self._verifier.find_invalid(items)
            bad_positions = set(invalid)
            self._remember(
                (it.message, it.pubkey_g2, it.signature)
                for position, it in enumerate(items)
                if position not in bad_positions
            )
        for position in invalid:
            group_index, operator_id = owners[position]
            bad[group_index].append(operator_id)
        return bad

    @property
    def remembered(self) -> int:
        """How many valid signatures are remembered (at most ``memory``)."""
        return len(self._verified)

    def _remember(self, triples: Iterable[_Triple]) -> None:
        """Record valid triples (caller holds the lock), oldest forgotten first."""
        verified = self._verified
        for triple in triples:
            verified[triple] = None
            verified.move_to_end(triple)
        while len(verified) > self._memory:
            verified.popitem(last=False)


def _triple(message: bytes, signer: SignerEntry) -> _Triple:
    return (bytes(message), signer.pubkey_g2, signer.signature)
