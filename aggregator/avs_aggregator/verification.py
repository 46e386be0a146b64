"""Signature verification strategy: aggregate first, bisect only on failure.

The aggregator never pays a pairing per signature (DESIGN.md §5): each digest group is
checked as one aggregate signature under the group's aggregate G2 key; several groups
(tasks) ready at once are checked in one batch; only a failing batch is split, and a
failing group is bisected until the bad signers are isolated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from avs.crypto.bls import aggregate_g1, aggregate_g2
from avs.crypto.points import G1Point, G2Point

AggregateCheck = Callable[[Sequence[tuple[G2Point, bytes, G1Point]]], bool]
"""Checks a batch of (aggregate G2 key, message, aggregate signature): True if all valid."""


@dataclass(frozen=True, slots=True)
class SignerEntry:
    """One signer of a digest group."""

    operator_id: bytes
    pubkey_g2: G2Point
    signature: G1Point


@dataclass(frozen=True, slots=True)
class GroupToVerify:
    """All signatures of one digest group (they sign the same message)."""

    message: bytes
    """The msgHash every signer signed."""
    signers: Sequence[SignerEntry]


def plain_check(batch: Sequence[tuple[G2Point, bytes, G1Point]]) -> bool:
    """Reference backend: one plain py-ecc 2-pairing check per item."""
    from avs.crypto.bls import verify

    return all(verify(pk, msg, sig) for pk, msg, sig in batch)


class AggregateFirstVerifier:
    """Finds the invalid signers of many groups with as few pairing checks as possible."""

    def __init__(self, check: AggregateCheck = plain_check) -> None:
        self._check = check
        self.checks_run = 0
        """Number of backend calls made (observability for tests and metrics)."""

    def invalid_signers(self, groups: Sequence[GroupToVerify]) -> list[list[bytes]]:
        """For each group, the operator ids whose signatures are invalid (usually none)."""
        if not groups:
            return []
        if self._run([_aggregate(g.message, g.signers) for g in groups if g.signers]):
            return [[] for _ in groups]
        return [self._bisect(g.message, list(g.signers)) for g in groups]

    def _bisect(self, message: bytes, signers: list[SignerEntry]) -> list[bytes]:
        if not signers:
            return []
        if self._run([_aggregate(message, signers)]):
            return []
        if len(signers) == 1:
            return [signers[0].operator_id]
        middle = len(signers) // 2
        left, right = signers[:middle], signers[middle:]
        bad_left = self._bisect(message, left)
        if not bad_left:
            # The whole set failed and the left half is clean, so the fault is on the right:
            # skip re-checking the right half as a whole.
            return self._bisect_known_bad(message, right)
        return bad_left + self._bisect(message, right)

    def _bisect_known_bad(self, message: bytes, signers: list[SignerEntry]) -> list[bytes]:
        if len(signers) == 1:
            return [signers[0].operator_id]
        middle = len(signers) // 2
        left, right = signers[:middle], signers[middle:]
        bad_left = self._bisect(message, left)
        if not bad_left:
            return self._bisect_known_bad(message, right)
        return bad_left + self._bisect(message, right)

    def _run(self, batch: list[tuple[G2Point, bytes, G1Point]]) -> bool:
        self.checks_run += 1
        return self._check(batch)


def _aggregate(message: bytes, signers: Sequence[SignerEntry]) -> tuple[G2Point, bytes, G1Point]:
    return (
        aggregate_g2(s.pubkey_g2 for s in signers),
        message,
        aggregate_g1(s.signature for s in signers),
    )
