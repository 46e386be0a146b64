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
        """Download the whole blob, checking chunk order and the size limit."""
        request = aggregator_pb2.GetBlobRequest(
            version=WIRE_VERSION, content_hash=content_hash, offset=0
        )
        call = self._stub.GetBlob(request, timeout=self.timeout_s)
        parts: list[bytes] = []
        received = 0
        try:
            for chunk in call:
                check_version(chunk.version, "BlobChunk")
                if chunk.total_size > max_size or received + len(chunk.data) > max_size:
                    raise BlobTooLargeError(
                        f"aggregator offers blob {hash_hex(content_hash)} of {chunk.total_size} "
                        f"bytes, over the {max_size}-byte limit"
                    )
                if chunk.offset != received:
                    raise ModelError(
                        f"aggregator sent a chunk at offset {chunk.offset}, expected {received}"
                    )
                parts.append(bytes(chunk.data))
                received += len(chunk.data)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc, f"GetBlob {hash_hex(content_hash)}") from exc
        except AvsError:
            call.cancel()  # stop the stream we are abandoning
            raise
        return b"".join(parts)
