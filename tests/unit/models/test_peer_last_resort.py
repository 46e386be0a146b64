"""A blob source whose every peer is cooling down still asks one (the first to cool down)."""

from __future__ import annotations

import pytest

from avs.backoff import Backoff
from avs.errors import RpcError
from avs.models import content_hash
from avs.models.errors import BlobNotFoundError
from avs.models.hashing import ContentHash
from avs.watchtower.peers import PeerBlobSource

BLOB = b"model bytes"
LONG = Backoff(initial=600.0, factor=1.0, maximum=600.0, jitter=0.0)


class RestartingAggregator:
    """Unreachable for its first ``down_calls`` requests, then serves ``BLOB``."""

    def __init__(self, target: str, down_calls: int) -> None:
        self.target = target
        self.down_calls = down_calls
        self.calls = 0

    def get(self, digest: ContentHash, max_size: int) -> bytes:
        self.calls += 1
        if self.calls <= self.down_calls:
            raise RpcError(f"{self.target} unreachable")
        if digest != content_hash(BLOB):
            raise BlobNotFoundError("not held")
        return BLOB

    def close(self) -> None:
        pass


def test_the_only_aggregator_is_asked_again_while_cooling_down() -> None:
    # Regression: an operator's only aggregator, down for a restart, was skipped for its
    # whole cool-down, so every task created meanwhile expired unanswered.
    only = RestartingAggregator("a:1", down_calls=1)
    source = PeerBlobSource([only], max_blob_bytes=1024, cooldown=LONG)
    with pytest.raises(BlobNotFoundError):
        source.fetch_blob(content_hash(BLOB), 1024)
    assert source.fetch_blob(content_hash(BLOB), 1024) == BLOB
    assert only.calls == 2


def test_a_cooling_peer_is_not_asked_while_another_answers() -> None:
    bad = RestartingAggregator("bad:1", down_calls=10)
    good = RestartingAggregator("good:1", down_calls=0)
    source = PeerBlobSource([bad, good], max_blob_bytes=1024, cooldown=LONG)
    for _ in range(3):
        assert source.fetch_blob(content_hash(BLOB), 1024) == BLOB
    assert (bad.calls, good.calls) == (1, 3)


def test_when_all_cool_down_the_first_to_recover_is_asked_once() -> None:
    first = RestartingAggregator("first:1", down_calls=10)
    second = RestartingAggregator("second:1", down_calls=10)
    source = PeerBlobSource([first, second], max_blob_bytes=1024, cooldown=LONG)
    with pytest.raises(BlobNotFoundError):
        source.fetch_blob(content_hash(BLOB), 1024)
    with pytest.raises(BlobNotFoundError, match=r"second:1 \(cooling down\)"):
        source.fetch_blob(content_hash(BLOB), 1024)
    assert (first.calls, second.calls) == (2, 1)
