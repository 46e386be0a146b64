"""The real aggregator core behind the real gRPC server (port 0), over an in-memory chain."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from avs.crypto.bls import KeyPair
from avs.metrics import AggregatorMetrics
from avs.models import BlobStore
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission
from avs.rpc.server import create_server
from avs_aggregator.broadcast import TaskBroadcast
from avs_aggregator.codec import TaskCodec
from avs_aggregator.core import AggregatorCore
from avs_aggregator.memory import FixedOperatorChain, RecordingCertifier
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier

KEYS = [KeyPair.from_secret(0xF00D + i) for i in range(4)]
CODEC = TaskCodec(31337, "0x" + "44" * 20)


def make_task(index: int) -> Task:
    """A task of quorum 0 with a 60 % threshold."""
    return Task(
        index, b"\x01" * 32, b"\x02" * 32, 1, "avs-blob://x", b"\x00", 6000, 10, 10**6, 0,
        "0x" + "55" * 20,
    )  # fmt: skip


def signed(
    key: KeyPair, task: Task, result: bytes, signer: KeyPair | None = None
) -> ResponseSubmission:
    """``key``'s response on ``result``, signed by ``signer`` (default: ``key`` itself)."""
    message = CODEC.message_hash(CODEC.task_hash(task), result)
    return ResponseSubmission(
        task.task_index, key.operator_id, result, (signer or key).sign(message)
    )


@dataclass(slots=True)
class Served:
    """A running aggregator core and server."""

    core: AggregatorCore
    certifier: RecordingCertifier
    blobs: BlobStore
    target: str
    metrics: AggregatorMetrics

    async def certified(self, task_index: int, timeout: float = 60) -> None:
        """Wait until ``task_index`` was certified."""
        async with asyncio.timeout(timeout):
            while not any(c.task_index == task_index for c in self.certifier.calls):
                await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def serve(tmp_path: Path, broadcast: TaskBroadcast | None = None) -> AsyncIterator[Served]:
    """Start core + server on 127.0.0.1:0; everything is stopped on exit."""
    chain = FixedOperatorChain(KEYS)
    certifier = RecordingCertifier(chain)
    metrics = AggregatorMetrics.create()
    core = AggregatorCore(
        TaskStore(tmp_path / "tasks.sqlite"), CODEC, chain, certifier, GroupVerifier(), metrics,
        linger_seconds=0, broadcast=broadcast,
    )  # fmt: skip
    blobs = BlobStore(tmp_path / "blobs")
    server, port = create_server("127.0.0.1:0", core, blobs, 4 * 1024 * 1024)
    await server.start()
    loop = asyncio.create_task(core.run(poll_seconds=0.02))
    try:
        yield Served(core, certifier, blobs, f"127.0.0.1:{port}", metrics)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        await server.stop(0)
