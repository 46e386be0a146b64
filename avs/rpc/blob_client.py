"""A synchronous client of the aggregator's blob service: PutBlob and GetBlob.

Used by the developer commands (``avs blobs``, ``avs models register``, ``avs tasks
submit``), which run outside any event loop. Every call has a deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from avs.errors import RpcError
from avs.models.hashing import ContentHash, content_hash, hash_hex
from avs.rpc.blobs import CHUNK_SIZE, GrpcBlobSource
from avs.rpc.status import error_from_rpc
from avs.rpc.tls import ClientTls, channel_credentials, sync_channel
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc
from avs.rpc.version import WIRE_VERSION, check_version


@dataclass(frozen=True, slots=True)
class PutOutcome:
    """What the aggregator answered to an upload."""

    content_hash: ContentHash
    size: int
    created: bool
    """False when the aggregator already held the blob."""


class BlobClient:
    """Upload and download blobs by content hash over one channel to ``target``."""

    def __init__(
        self,
        target: str,
        timeout_s: float = 120.0,
        tls: ClientTls | None = None,
        plaintext: bool = False,
    ) -> None:
        """Dial ``target`` (``host:port``) lazily; each call gets a ``timeout_s`` deadline.

        TLS unless ``plaintext`` or ``target`` is on loopback with no ``tls`` given
        (:func:`avs.rpc.tls.channel_credentials`).
        """
        self.target = target
        self.timeout_s = timeout_s
        self._channel: Any = sync_channel(target, channel_credentials(target, tls, plaintext), [])
        self._stub = aggregator_pb2_grpc.AggregatorStub(self._channel)

    def put(self, data: bytes) -> PutOutcome:
        """Upload ``data``; the aggregator stores it under its Keccak-256."""
        digest = content_hash(data)
        try:
            reply = self._stub.PutBlob(_chunks(digest, data), timeout=self.timeout_s)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc, f"PutBlob to {self.target}") from exc
        check_version(reply.version, "PutBlobReply")
        if bytes(reply.content_hash) != digest:
            raise RpcError(
                f"aggregator {self.target} acknowledged blob {hash_hex(reply.content_hash)}, "
                f"not the uploaded {hash_hex(digest)}"
            )
        return PutOutcome(digest, int(reply.size), bool(reply.created))

    def get(self, digest: ContentHash, max_size: int) -> bytes:
        """Download blob ``digest`` and check its hash; refuse more than ``max_size`` bytes."""
        data = GrpcBlobSource(self._channel, self.timeout_s).fetch_blob(digest, max_size)
        if content_hash(data) != digest:
            raise RpcError(
                f"aggregator {self.target} sent bytes hashing to {hash_hex(content_hash(data))} "
                f"for blob {hash_hex(digest)}"
            )
        return data

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def __enter__(self) -> BlobClient:
        """Use as a context manager that closes the channel."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the channel."""
        self.close()


def _chunks(digest: ContentHash, data: bytes) -> Iterator[aggregator_pb2.PutBlobChunk]:
    # An empty blob still sends one chunk: the header travels in it.
    for start in range(0, max(len(data), 1), CHUNK_SIZE):
        yield aggregator_pb2.PutBlobChunk(
            version=WIRE_VERSION,
            content_hash=digest,
            total_size=len(data),
            offset=start,
            data=data[start : start + CHUNK_SIZE],
        )
