"""The client's checks of a GetBlob reply stream, chunk by chunk (no network)."""

from __future__ import annotations

import pytest

from avs.errors import ModelError
from avs.models import content_hash
from avs.models.errors import BlobTooLargeError
from avs.rpc.blobs import MIN_CHUNK_BYTES, BlobAssembly, blob_chunks
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION

DIGEST = content_hash(b"any")


def chunk(offset: int, data: bytes, total: int) -> aggregator_pb2.BlobChunk:
    return aggregator_pb2.BlobChunk(
        version=WIRE_VERSION, offset=offset, data=data, total_size=total
    )


def assemble(chunks: list[aggregator_pb2.BlobChunk], max_size: int = 1 << 20) -> bytes:
    assembly = BlobAssembly(DIGEST, max_size)
    for each in chunks:
        assembly.add(each)
    return assembly.result()


@pytest.mark.parametrize("data", [b"", b"x", bytes(range(256)) * 3000])
def test_an_honest_stream_assembles(data: bytes) -> None:
    assert assemble(list(blob_chunks(data)), max_size=len(data)) == data


@pytest.mark.parametrize(
    ("chunks", "error"),
    [
        ([chunk(0, b"", 10)], "empty chunk"),
        ([chunk(0, b"", 0), chunk(0, b"", 0)], "more than 1 chunks"),
        ([chunk(0, b"abc", 10), chunk(3, b"def", 11)], "changed the size"),
        ([chunk(0, b"abc", 3), chunk(3, b"d", 3)], "more than the 3 bytes"),
        ([chunk(0, b"abc", 2)], "more than the 2 bytes"),
        ([chunk(0, b"abc", 10), chunk(2, b"def", 10)], "offset 2, expected 3"),
        ([chunk(0, b"x", 10), chunk(1, b"x", 10)], "more than 1 chunks"),
        ([chunk(0, b"abc", 10)], "after 3 of 10 bytes"),
        ([], "without a chunk"),
    ],
)
def test_a_malformed_stream_is_refused(chunks: list[aggregator_pb2.BlobChunk], error: str) -> None:
    with pytest.raises(ModelError, match=error):
        assemble(chunks)


def test_tiny_chunks_are_cut_off_at_the_chunk_bound() -> None:
    total = 4 * MIN_CHUNK_BYTES
    assembly = BlobAssembly(DIGEST, total)
    for offset in range(4):
        assembly.add(chunk(offset, b"x", total))
    with pytest.raises(ModelError, match="more than 4 chunks"):
        assembly.add(chunk(4, b"x", total))


def test_an_announced_size_over_the_limit_is_refused_at_once() -> None:
    with pytest.raises(BlobTooLargeError, match="over the 10-byte limit"):
        BlobAssembly(DIGEST, 10).add(chunk(0, b"x", 11))
