"""Certified result bytes are published in the blob store under the digest the chain records."""

from __future__ import annotations

from pathlib import Path

import pytest
from core_fakes import (  # type: ignore[import-not-found]  # test dir on sys.path
    MemoryChain,
    RecordingCertifier,
    make_task,
)

from avs.crypto.keccak import keccak256
from avs.errors import ChainError
from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.results import PublishingCertifier

RESULT = bytes([3, 0xFF, 7])


def test_a_submitted_certificate_publishes_its_result_bytes(tmp_path: Path) -> None:
    chain, blobs = MemoryChain(), BlobStore(tmp_path)
    certifier = PublishingCertifier(RecordingCertifier(chain), blobs)
    task = make_task()
    outcome = certifier.certify(task, chain.snapshot(task), DigestGroup(keccak256(RESULT), RESULT))
    assert not outcome.already_certified
    # the chain's resultHash names the bytes: a client checks them against it
    assert blobs.get(ContentHash(chain.certified[task.task_index].result_digest)) == RESULT


def test_a_failed_certificate_publishes_nothing(tmp_path: Path) -> None:
    chain, blobs = MemoryChain(), BlobStore(tmp_path)
    inner = RecordingCertifier(chain)
    inner.fail = 1
    task = make_task()
    with pytest.raises(ChainError):
        PublishingCertifier(inner, blobs).certify(
            task, chain.snapshot(task), DigestGroup(keccak256(RESULT), RESULT)
        )
    assert not blobs.contains(ContentHash(keccak256(RESULT)))
