"""Peer aggregators for blob-fetch tests: honest ones (the real server) and hostile GetBlob
servers that send wrong bytes, never stop sending, stall, or answer NOT_FOUND only after a
long wait; all TLS on 127.0.0.1:0."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import grpc

from avs.devnet.certs import ThrowawayCa
from avs.models import BlobStore
from avs.protocol import Task
from avs.rpc.blobs import CHUNK_SIZE
from avs.rpc.messages import ResponseSubmission, SubmitResult, SubscribeRequest, TaskHints
from avs.rpc.server import create_server
from avs.rpc.tls import ServerTls
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc, task_pb2
from avs.rpc.version import WIRE_VERSION
from avs_aggregator.config import AggregatorConfig

SLOW_ANSWER_S = 2.0
"""How long SLOW_NOT_FOUND waits: over half of the tests' 3 s peer_fetch_timeout."""


class Idle:
    """A backend with no tasks: only the blob service matters here."""

    async def submit(self, submission: ResponseSubmission) -> SubmitResult:
        raise AssertionError("not reached")

    async def subscribe(self, request: SubscribeRequest) -> AsyncIterator[tuple[Task, TaskHints]]:
        raise AssertionError("not reached")
        yield  # pragma: no cover - makes this an async generator


class Behaviour(StrEnum):
    """How a hostile peer answers GetBlob."""

    WRONG_BYTES = "wrong-bytes"
    """Well-framed chunks of bytes that are not the blob asked for."""
    ENDLESS = "endless"
    """Claims a small blob, then streams full chunks forever."""
    STALLED = "stalled"
    """Sends one byte of a large blob, then nothing, ever."""
    SLOW_NOT_FOUND = "slow-not-found"
    """Answers NOT_FOUND, but only after most of the caller's deadline."""


@dataclass(slots=True)
class HostilePeer(aggregator_pb2_grpc.AggregatorServicer):
    """A GetBlob server under the attacker's control; counts what it was asked and sent."""

    behaviour: Behaviour
    requests: int = 0
    bytes_sent: int = 0
    _never: asyncio.Event = field(default_factory=asyncio.Event)

    async def GetBlob(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.GetBlobRequest, context: Any
    ) -> AsyncIterator[aggregator_pb2.BlobChunk]:
        self.requests += 1
        if self.behaviour is Behaviour.WRONG_BYTES:
            data = b"not the blob you asked for"
            yield self._chunk(0, data, len(data))
        elif self.behaviour is Behaviour.ENDLESS:
            offset = 0
            while True:
                yield self._chunk(offset, b"\x00" * CHUNK_SIZE, 1000)
                offset += CHUNK_SIZE
        elif self.behaviour is Behaviour.STALLED:
            yield self._chunk(0, b"\x00", 10_000)
            await self._never.wait()
        else:
            await asyncio.sleep(SLOW_ANSWER_S)
            await context.abort(grpc.StatusCode.NOT_FOUND, "not held here")

    async def SubmitResponse(self, request: Any, context: Any) -> Any:  # noqa: N802
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")

    async def SubscribeTasks(  # noqa: N802
        self, request: Any, context: Any
    ) -> AsyncIterator[task_pb2.Task]:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")
        yield task_pb2.Task()  # pragma: no cover - makes this a stream handler

    async def PutBlob(self, request_iterator: Any, context: Any) -> Any:  # noqa: N802
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "blobs only")

    def _chunk(self, offset: int, data: bytes, total: int) -> aggregator_pb2.BlobChunk:
        self.bytes_sent += len(data)
        return aggregator_pb2.BlobChunk(
            version=WIRE_VERSION, offset=offset, data=data, total_size=total
        )


@dataclass(frozen=True, slots=True)
class PeerTls:
    """A throwaway CA and the server certificate every test peer presents."""

    ca_file: Path
    server: ServerTls

    @classmethod
    def create(cls, directory: Path) -> PeerTls:
        """A CA in ``directory`` and a certificate for localhost / 127.0.0.1."""
        ca = ThrowawayCa.create(directory)
        cert = ca.issue("aggregator", server=True, hosts=("localhost", "127.0.0.1"))
        return cls(ca.ca_file, ServerTls(cert.cert_file, cert.key_file))


@contextlib.asynccontextmanager
async def honest_peer(tls: PeerTls, blobs: BlobStore) -> AsyncIterator[str]:
    """The real aggregator gRPC server serving ``blobs``; yields its ``host:port``."""
    server, port = create_server("127.0.0.1:0", Idle(), blobs, 4 << 20, tls=tls.server)
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


@contextlib.asynccontextmanager
async def hostile_peer(tls: PeerTls, peer: HostilePeer) -> AsyncIterator[str]:
    """``peer`` served over TLS; yields its ``host:port``."""
    server = grpc.aio.server()
    aggregator_pb2_grpc.add_AggregatorServicer_to_server(peer, server)
    port = server.add_secure_port("127.0.0.1:0", tls.server.credentials())
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


def peer_config(tmp_path: Path, peers: list[str], ca_file: Path, **kw: Any) -> AggregatorConfig:
    """An aggregator config whose only relevant settings are its peers (verified by ``ca_file``)."""
    return AggregatorConfig(
        rpc_url="http://127.0.0.1:1",
        deployment=tmp_path / "deployment.json",
        ecdsa_key_file=tmp_path / "unused.key",
        data_dir=tmp_path / "data",
        peer_aggregators=tuple(peers),
        peer_tls_ca_file=ca_file,
        **kw,
    )
