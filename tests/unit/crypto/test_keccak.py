"""Keccak-256 on the reused per-thread state equals the reference, in every thread."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from avs.crypto.keccak import keccak256, keccak256_reference

EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def test_known_vectors() -> None:
    assert keccak256(b"").hex() == EMPTY
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )


def test_equals_the_reference_at_every_length_around_the_rate() -> None:
    # 136 bytes is Keccak-256's rate: padding changes shape at and around it.
    for n in [*range(0, 300), 1000, 4096]:
        data = os.urandom(n)
        assert keccak256(data) == keccak256_reference(data), n


def test_threads_hashing_at_once_each_get_their_own_digests() -> None:
    inputs = [os.urandom(i % 200) for i in range(2000)]
    with ThreadPoolExecutor(8) as pool:
        digests = list(pool.map(keccak256, inputs))
    assert digests == [keccak256_reference(d) for d in inputs]
