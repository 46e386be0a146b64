"""Arriving responses verified in shared batches: each still gets its own right answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs_aggregator.arrivals import ArrivalBatcher
from avs_aggregator.verification import GroupVerifier, SignerEntry

KEYS = [KeyPair.from_secret(9100 + i) for i in range(8)]
STRANGER = KeyPair.from_secret(424242)


class CountingVerifier(GroupVerifier):
    """The real verifier, counting batch checks and their sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.singles = 0

    def is_valid(self, message: bytes, signer: SignerEntry) -> bool:
        self.singles += 1
        return super().is_valid(message, signer)

    def all_valid(self, signers: Sequence[tuple[bytes, SignerEntry]]) -> bool:
        self.batches.append(len(signers))
        return super().all_valid(signers)


def test_concurrent_arrivals_share_batches_and_each_gets_its_answer() -> None:
    messages = [keccak256(bytes([t])) for t in range(3)]
    cases: list[tuple[bytes, SignerEntry, bool]] = []
    for message in messages:
        for key in KEYS:
            genuine = SignerEntry(key.operator_id, key.pubkey_g2, key.sign(message))
            cases.append((message, genuine, True))
        # A forgery in operator 0's name next to its genuine response, same message.
        forged = SignerEntry(KEYS[0].operator_id, KEYS[0].pubkey_g2, STRANGER.sign(message))
        cases.append((message, forged, False))

    async def scenario() -> tuple[list[bool], list[int]]:
        verifier = CountingVerifier()
        batcher = ArrivalBatcher(verifier)
        answers = await asyncio.gather(*(batcher.is_valid(m, s) for m, s, _ok in cases))
        return list(answers), verifier.batches

    answers, batches = asyncio.run(scenario())
    assert answers == [ok for _m, _s, ok in cases]
    # Checked together (at most the first arrival alone), not one pairing check each.
    assert len(batches) <= 2
    assert sum(batches) >= len(cases) - 1


def test_a_lone_arrival_is_checked_at_once() -> None:
    message = keccak256(b"lone")
    key = KEYS[1]

    async def scenario() -> bool:
        batcher = ArrivalBatcher(GroupVerifier())
        return await batcher.is_valid(
            message, SignerEntry(key.operator_id, key.pubkey_g2, key.sign(message))
        )

    assert asyncio.run(scenario())


def test_one_bad_response_in_a_batch_is_located_not_every_response_checked_alone() -> None:
    message = keccak256(b"one faulty operator")
    cases = [(SignerEntry(k.operator_id, k.pubkey_g2, k.sign(message)), True) for k in KEYS[:-1]]
    faulty = KEYS[-1]
    cases.insert(
        3, (SignerEntry(faulty.operator_id, faulty.pubkey_g2, faulty.sign(b"x" * 32)), False)
    )

    async def scenario() -> tuple[list[bool], int]:
        verifier = CountingVerifier()
        batcher = ArrivalBatcher(verifier)
        answers = await asyncio.gather(*(batcher.is_valid(message, s) for s, _ok in cases))
        return list(answers), verifier.singles

    answers, singles = asyncio.run(scenario())
    assert answers == [ok for _s, ok in cases]
    assert singles <= 1  # at most a lone first arrival; before, every response of the batch


def test_every_batch_size_is_reported() -> None:
    message = keccak256(b"sizes")
    entries = [SignerEntry(k.operator_id, k.pubkey_g2, k.sign(message)) for k in KEYS[:5]]
    sizes: list[int] = []

    async def scenario() -> None:
        batcher = ArrivalBatcher(GroupVerifier(), on_batch=sizes.append)
        await asyncio.gather(*(batcher.is_valid(message, e) for e in entries))

    asyncio.run(scenario())
    assert sum(sizes) == len(entries)
    assert max(sizes) > 1  # concurrent arrivals were reported as one batch, not one each


def test_after_a_batch_with_a_bad_signature_the_next_batch_is_located_directly() -> None:
    faulty = KEYS[-1]

    def task(t: int) -> list[tuple[bytes, SignerEntry, bool]]:
        message = keccak256(b"task %d" % t)
        out = [(message, SignerEntry(k.operator_id, k.pubkey_g2, k.sign(message)), True)
               for k in KEYS[:-1]]  # fmt: skip
        wrong = SignerEntry(faulty.operator_id, faulty.pubkey_g2, faulty.sign(b"w" * 32))
        return [*out, (message, wrong, False)]

    async def scenario() -> tuple[list[list[bool]], list[int]]:
        verifier = CountingVerifier()
        batcher = ArrivalBatcher(verifier)
        answers = []
        for t in range(3):  # one task's responses arrive at a time
            cases = task(t)
            answers.append(
                list(await asyncio.gather(*(batcher.is_valid(m, s) for m, s, _ in cases)))
            )
        return answers, verifier.batches

    answers, batches = asyncio.run(scenario())
    assert all(a == [ok for _m, _s, ok in task(0)] for a in answers)
    assert len(batches) == 1  # only the first task paid a plain batch check that failed
