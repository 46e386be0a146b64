"""Group verification finds exactly the bad signers, across several tasks at once.

Run with both strategies: the fast batch verifier the aggregator uses, and the plain
py-ecc reference (slow, so the groups are small).
"""

from __future__ import annotations

import pytest

from avs.crypto.batch_verify import FastVerifier, PlainVerifier, Verifier
from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs_aggregator.verification import GroupToVerify, GroupVerifier, SignerEntry

KEYS = [KeyPair.from_secret(500 + i) for i in range(5)]
STRATEGIES = [pytest.param(FastVerifier, id="fast"), pytest.param(PlainVerifier, id="plain")]


def group(message: bytes, bad: set[int], n: int) -> GroupToVerify:
    wrong = keccak256(b"other message")
    return GroupToVerify(
        message,
        [
            SignerEntry(k.operator_id, k.pubkey_g2, k.sign(wrong if i in bad else message))
            for i, k in enumerate(KEYS[:n])
        ],
    )


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_all_valid(strategy: type[Verifier]) -> None:
    verifier = GroupVerifier(strategy())
    groups = [group(keccak256(b"a"), set(), 3), group(keccak256(b"b"), set(), 2)]
    assert verifier.invalid_signers(groups) == [[], []]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_bad_signers_are_attributed_to_their_group(strategy: type[Verifier]) -> None:
    verifier = GroupVerifier(strategy())
    groups = [group(keccak256(b"a"), {1}, 3), group(keccak256(b"b"), set(), 2)]
    assert verifier.invalid_signers(groups) == [[KEYS[1].operator_id], []]


def test_many_bad_signers_with_the_fast_strategy() -> None:
    verifier = GroupVerifier()
    groups = [group(keccak256(b"t1"), {0, 2}, 5), group(keccak256(b"t2"), {4}, 5)]
    bad = verifier.invalid_signers(groups)
    assert sorted(bad[0]) == sorted([KEYS[0].operator_id, KEYS[2].operator_id])
    assert bad[1] == [KEYS[4].operator_id]
    assert verifier.invalid_signers([]) == []


def test_valid_flags_name_a_forgery_at_every_position() -> None:
    """A batch of arrivals that fails still tells each response its own answer."""
    message = keccak256(b"arrivals")
    genuine = group(message, set(), 5).signers
    for position in range(len(genuine)):
        verifier = GroupVerifier()
        key = KEYS[position]
        forged = SignerEntry(key.operator_id, key.pubkey_g2, KEYS[0].sign(keccak256(b"x")))
        signers = list(genuine)
        signers[position] = forged
        flags = verifier.valid_flags([(message, s) for s in signers])
        assert flags == [i != position for i in range(len(signers))]


def test_certification_rechecks_a_signature_altered_after_its_arrival_check() -> None:
    """Remembered arrival checks skip only the exact triple that was checked."""
    verifier = GroupVerifier()
    message = keccak256(b"remembered")
    checked = group(message, set(), 4)
    assert verifier.all_valid([(message, s) for s in checked.signers])
    altered = list(checked.signers)
    victim = altered[2]
    altered[2] = SignerEntry(victim.operator_id, victim.pubkey_g2, KEYS[2].sign(keccak256(b"y")))
    assert verifier.invalid_signers([GroupToVerify(message, altered)]) == [[victim.operator_id]]
    assert verifier.invalid_signers([checked]) == [[]]


def test_verified_memory_is_bounded() -> None:
    verifier = GroupVerifier(memory=3)
    message = keccak256(b"bounded")
    signers = group(message, set(), 5).signers
    assert verifier.all_valid([(message, s) for s in signers])
    assert verifier.remembered == 3
