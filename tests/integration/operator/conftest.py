"""Fixtures of the operator integration tests: a gRPC peer double of the aggregator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opnode_peer import Peer, start_peer  # type: ignore[import-not-found]


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[Peer]:
    """A peer aggregator on 127.0.0.1 (free port), stopped after the test."""
    server, peer = start_peer(tmp_path / "peer-blobs")
    try:
        yield peer
    finally:
        server.stop(grace=None)
