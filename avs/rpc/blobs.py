"""GetBlob on both sides: chunking for the server, a BlobSource client for the BlobStore."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from avs.errors import AvsError, InputError, ModelError
from avs.models.errors import BlobNotFoundError, BlobTooLargeError
from avs.models.hashing import ContentHash, hash_hex, parse_content_hash
from avs.models.store import BlobStore
from avs.rpc.status import error_from_rpc
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.rpc.version import WIRE_VERSION, check_version

CHUNK_SIZE = 256 * 1024
"""Bytes per BlobChunk (the proto allows up to 1 MiB; gRPC's default message cap is 4 MiB)."""

MIN_CHUNK_BYTES = 16 * 1024
"""The fewest bytes a GetBlob chunk other than the last may carry: a blob of N bytes arrives
in at most ceil(N / MIN_CHUNK_BYTES) chunks, so a server cannot hold a download with a flood
of tiny or empty chunks until the deadline."""


def blob_chunks(
    data: bytes, offset: int = 0, chunk_size: int = CHUNK_SIZE
) -> Iterator[aggregator_pb2.BlobChunk]:
    """The GetBlob reply stream for ``data`` from byte ``offset`` (checked before streaming)."""
    if offset > len(data):
        raise InputError(f"offset {offset} is past the end of a {len(data)}-byte blob")
    return _chunks(data, offset, chunk_size)


def _chunks(data: bytes, offset: int, chunk_size: int) -> Iterator[aggregator_pb2.BlobChunk]:
    # An empty remainder still yields one chunk, so the client learns total_size.
    for start in range(offset, max(len(data), offset + 1), chunk_size):
        yield aggregator_pb2.BlobChunk(
            version=WIRE_VERSION,
            offset=start,
            data=data[start : start + chunk_size],
            total_size=len(data),
        )


def parse_blob_request(request: aggregator_pb2.GetBlobRequest) -> tuple[ContentHash, int]:
    """Validate a GetBlobRequest: (content hash, offset); InputError if malformed."""
    check_version(request.version, "GetBlobRequest")
    return parse_content_hash(bytes(request.content_hash)), int(request.offset)


def serve_blob(
    store: BlobStore, request: aggregator_pb2.GetBlobRequest
) -> Iterator[aggregator_pb2.BlobChunk]:
    """A GetBlob handler body: the cached blob named by ``request``, chunked from its offset.

    Only blobs already in ``store`` are served (never fetched on a peer's behalf); an unknown
    hash raises BlobNotFoundError, which :mod:`avs.rpc.status` maps to NOT_FOUND.
    """
    digest, offset = parse_blob_request(request)
    if not store.contains(digest):
        raise BlobNotFoundError(f"blob {hash_hex(digest)} is not held by this aggregator")
    return blob_chunks(store.get(digest), offset)


class BlobAssembly:
    """Checks a GetBlob reply stream (requested from offset 0) chunk by chunk.

    The first chunk's ``total_size`` is the server's promise: it must fit ``max_size``, stay
    the same in every chunk, and be met exactly; chunks come in order, carry data (only an
    empty blob has an empty chunk) and number at most ceil(total / MIN_CHUNK_BYTES). Every
    breach raises ModelError (BlobTooLargeError for the size) at the chunk that commits it,
    so a hostile stream ends after a bounded number of chunks, not at the deadline.
    """

    def __init__(self, content_hash: ContentHash, max_size: int) -> None:
        """Assemble blob ``content_hash`` of at most ``max_size`` bytes."""
        self._name = hash_hex(content_hash)
        self._max_size = max_size
        self._total: int | None = None
        self._max_chunks = 0
        self._chunks = 0
        self._received = 0
        self._parts: list[bytes] = []

    def add(self, chunk: aggregator_pb2.BlobChunk) -> None:
        """Take the next chunk, or raise why the stream is not a well-formed blob."""
        check_version(chunk.version, "BlobChunk")
        total = self._promised(int(chunk.total_size))
        if chunk.offset != self._received:
            raise ModelError(
                f"aggregator sent a chunk at offset {chunk.offset}, expected {self._received}"
            )
        size = len(chunk.data)
        if size == 0 and total != 0:
            raise ModelError(f"aggregator sent an empty chunk of blob {self._name}")
        if self._received + size > total:
            raise ModelError(
                f"aggregator sent more than the {total} bytes it announced for blob {self._name}"
            )
        self._chunks += 1
        if self._chunks > self._max_chunks:
            raise ModelError(
                f"aggregator sent more than {self._max_chunks} chunks for the {total}-byte "
                f"blob {self._name}"
            )
        self._parts.append(bytes(chunk.data))
        self._received += size

    def result(self) -> bytes:
        """The blob's bytes once the stream ended (unverified: the caller checks the hash)."""
        if self._total is None:
            raise ModelError(f"aggregator ended the stream of blob {self._name} without a chunk")
        if self._received != self._total:
            raise ModelError(
                f"aggregator ended the stream of blob {self._name} after {self._received} of "
                f"{self._total} bytes"
            )
        return b"".join(self._parts)

    def _promised(self, total: int) -> int:
        if self._total is None:
            if total > self._max_size:
                raise BlobTooLargeError(
                    f"aggregator offers blob {self._name} of {total} bytes, over the "
                    f"{self._max_size}-byte limit"
                )
            self._total = total
            self._max_chunks = max(1, -(-total // MIN_CHUNK_BYTES))
        elif total != self._total:
            raise ModelError(
                f"aggregator changed the size of blob {self._name} from {self._total} to "
                f"{total} bytes mid-stream"
            )
        return self._total


class GrpcBlobSource:
    """A :class:`avs.models.fetchers.BlobSource` backed by the aggregator's GetBlob stream.

    Synchronous (the BlobStore is); an asyncio caller runs the store in a worker thread.
    The bytes are not trusted here: the BlobStore checks their hash.
    """

    def __init__(self, channel: Any, timeout_s: float = 60.0) -> None:
        """Use an open ``grpc.Channel``; every call has a ``timeout_s`` deadline."""
        self._stub = aggregator_pb2_grpc.AggregatorStub(channel)
        self.timeout_s = timeout_s

    def fetch_blob(self, content_hash: ContentHash, max_size: int) -> bytes:
        """Download the whole blob under :class:`BlobAssembly`'s rules."""
        request = aggregator_pb2.GetBlobRequest(
            version=WIRE_VERSION, content_hash=content_hash, offset=0
        )
        call = self._stub.GetBlob(request, timeout=self.timeout_s)
        assembly = BlobAssembly(content_hash, max_size)
        try:
            for chunk in call:
                assembly.add(chunk)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc, f"GetBlob {hash_hex(content_hash)}") from exc
        except AvsError:
            call.cancel()  # stop the stream we are abandoning
            raise
        return assembly.result()
