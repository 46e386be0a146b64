"""Aggregate-first verification finds exactly the bad signers, with few checks.

The backend here is the plain py-ecc path (real pairings), so these tests are slow-ish
and use small groups; the fast backend has its own agreement tests in tests/unit/crypto.
"""

from __future__ import annotations

from collections.abc import Sequence

from avs.crypto.bls import KeyPair, verify
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, G2Point
from avs_aggregator.verification import (
    AggregateCheck,
    AggregateFirstVerifier,
    GroupToVerify,
    SignerEntry,
)

KEYS = [KeyPair.from_secret(500 + i) for i in range(5)]


def counting_plain(calls: list[int]) -> AggregateCheck:
    def check(batch: Sequence[tuple[G2Point, bytes, G1Point]]) -> bool:
        calls.append(len(batch))
        return all(verify(pk, m, s) for pk, m, s in batch)

    return check


def group(message: bytes, bad: set[int], n: int) -> GroupToVerify:
    wrong = keccak256(b"other message")
    return GroupToVerify(
        message,
        [
            SignerEntry(k.operator_id, k.pubkey_g2, k.sign(wrong if i in bad else message))
            for i, k in enumerate(KEYS[:n])
        ],
    )


def test_all_valid_costs_one_check_for_many_groups() -> None:
    calls: list[int] = []
    verifier = AggregateFirstVerifier(counting_plain(calls))
    groups = [group(keccak256(b"a"), set(), 4), group(keccak256(b"b"), set(), 3)]
    assert verifier.invalid_signers(groups) == [[], []]
    assert calls == [2]


def test_bisection_isolates_the_bad_signer() -> None:
    calls: list[int] = []
    verifier = AggregateFirstVerifier(counting_plain(calls))
    msg = keccak256(b"task")
    result = verifier.invalid_signers([group(msg, {3}, 4)])
    assert result == [[KEYS[3].operator_id]]
    # batch, group, left half, right-left, right-right: well under one check per signer+1
    assert len(calls) <= 5


def test_two_bad_signers_in_one_group() -> None:
    verifier = AggregateFirstVerifier()
    msg = keccak256(b"task2")
    result = verifier.invalid_signers([group(msg, {0, 2}, 3)])
    assert sorted(result[0]) == sorted([KEYS[0].operator_id, KEYS[2].operator_id])
