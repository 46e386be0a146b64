"""GetBlob chunking and request validation (the streaming itself is in integration tests)."""

from __future__ import annotations

import pytest

from avs.errors import InputError
from avs.models import content_hash
from avs.rpc.blobs import blob_chunks, parse_blob_request
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION


def test_chunks_cover_the_blob_in_order_from_offset() -> None:
    data = bytes(range(256)) * 10
    chunks = list(blob_chunks(data, offset=100, chunk_size=1000))
    assert [c.offset for c in chunks] == [100, 1100, 2100]
    assert b"".join(c.data for c in chunks) == data[100:]
    assert {c.total_size for c in chunks} == {len(data)}
    assert {c.version for c in chunks} == {WIRE_VERSION}


def test_empty_remainder_still_reports_the_size() -> None:
    (chunk,) = blob_chunks(b"abc", offset=3)
    assert (chunk.offset, chunk.data, chunk.total_size) == (3, b"", 3)


def test_offset_past_the_end_is_invalid() -> None:
    with pytest.raises(InputError, match="past the end"):
        blob_chunks(b"abc", offset=4)


def test_request_needs_version_and_a_32_byte_hash() -> None:
    digest = content_hash(b"x")
    ok = aggregator_pb2.GetBlobRequest(version=1, content_hash=digest, offset=5)
    assert parse_blob_request(ok) == (digest, 5)
    with pytest.raises(InputError, match="wire version 0"):
        parse_blob_request(aggregator_pb2.GetBlobRequest(content_hash=digest))
    with pytest.raises(InputError, match="expected 32"):
        parse_blob_request(aggregator_pb2.GetBlobRequest(version=1, content_hash=b"\x01"))
