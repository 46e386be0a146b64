"""A test double of the operator's PEER: a minimal synchronous gRPC Aggregator on port 0.

(A module with a unique name, not conftest: several test directories have a conftest.py.)

It implements the generated service (SubscribeTasks streams the tasks it is given,
SubmitResponse records every request and answers from a script, GetBlob serves a BlobStore),
so the operator is tested over the real wire with its real client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2_grpc

from avs.errors import AvsError
from avs.models.store import BlobStore
from avs.protocol import Task, TaskResponse
from avs.rpc import convert
from avs.rpc.blobs import blob_chunks, serve_blob
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs.rpc.status import abort
from avs.rpc.v1 import aggregator_pb2, aggregator_pb2_grpc, task_pb2


@dataclass
class PeerState:
    """What the test controls and observes."""

    tasks: list[Task] = field(default_factory=list)
    submissions: list[TaskResponse] = field(default_factory=list)
    answers: list[SubmitStatus] = field(default_factory=list)
    """Scripted answers, used first to last; then ACCEPTED (DUPLICATE for a repeat)."""
    fail_next_subscribe: int = 0
    """Abort this many SubscribeTasks calls with UNAVAILABLE (to exercise reconnects)."""
    subscribes: int = 0
    wrong_blobs: bool = False
    """Answer every GetBlob with well-framed bytes that are not the blob (a hostile peer)."""
    changed: threading.Condition = field(default_factory=threading.Condition)


class PeerAggregator(aggregator_pb2_grpc.AggregatorServicer):
    """The servicer; every handler runs in the server's thread pool."""

    def __init__(self, state: PeerState, blobs: BlobStore) -> None:
        self.state = state
        self.blobs = blobs

    def SubmitResponse(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubmitResponseRequest, context: Any
    ) -> aggregator_pb2.SubmitResponseReply:
        try:
            submission = convert.submission_from_proto(request)
        except AvsError as exc:
            abort(context, exc)
        response = TaskResponse(
            submission.task_index,
            submission.result_bytes,
            submission.signature,
            submission.operator_id,
        )
        with self.state.changed:
            repeat = response in self.state.submissions
            self.state.submissions.append(response)
            if self.state.answers:
                status = self.state.answers.pop(0)
            else:
                status = SubmitStatus.DUPLICATE if repeat else SubmitStatus.ACCEPTED
            self.state.changed.notify_all()
        return convert.result_to_proto(SubmitResult(status, f"peer double: {status.value}"))

    def SubscribeTasks(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.SubscribeTasksRequest, context: Any
    ) -> Iterator[task_pb2.Task]:
        with self.state.changed:
            self.state.subscribes += 1
            fail = self.state.fail_next_subscribe > 0
            self.state.fail_next_subscribe -= int(fail)
        if fail:
            context.abort(grpc.StatusCode.UNAVAILABLE, "peer double: not ready yet")
        sent = 0
        while context.is_active():
            with self.state.changed:
                new = [
                    t for t in self.state.tasks[sent:] if t.task_index >= request.from_task_index
                ]
                sent = len(self.state.tasks)
                if not new:
                    self.state.changed.wait(0.05)
            for task in new:
                yield convert.task_to_proto(task)

    def GetBlob(  # noqa: N802 - gRPC method name
        self, request: aggregator_pb2.GetBlobRequest, context: Any
    ) -> Iterator[aggregator_pb2.BlobChunk]:
        if self.state.wrong_blobs:
            yield from blob_chunks(b"not the blob that was asked for")
            return
        try:
            yield from serve_blob(self.blobs, request)
        except AvsError as exc:
            abort(context, exc)

    def PutBlob(  # noqa: N802 - gRPC method name
        self, request_iterator: Iterator[aggregator_pb2.PutBlobChunk], context: Any
    ) -> aggregator_pb2.PutBlobReply:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "operators never upload")
        raise AssertionError


@dataclass
class Peer:
    """A running peer double."""

    address: str
    state: PeerState
    blobs: BlobStore

    def add_task(self, task: Task) -> None:
        """Stream ``task`` to subscribers."""
        with self.state.changed:
            self.state.tasks.append(task)
            self.state.changed.notify_all()

    def wait_submissions(self, count: int, timeout: float = 60.0) -> list[TaskResponse]:
        """Block until ``count`` submissions arrived (fails the test after ``timeout`` s)."""
        with self.state.changed:
            ok = self.state.changed.wait_for(lambda: len(self.state.submissions) >= count, timeout)
            assert ok, f"only {len(self.state.submissions)} of {count} submissions arrived"
            return list(self.state.submissions)


def start_peer(blob_dir: Path) -> tuple[Any, Peer]:
    """Start a peer double on 127.0.0.1 (free port): ``(grpc server, peer)``."""
    state = PeerState()
    blobs = BlobStore(blob_dir)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    aggregator_pb2_grpc.add_AggregatorServicer_to_server(PeerAggregator(state, blobs), server)
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)  # SERVING
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, Peer(f"127.0.0.1:{port}", state, blobs)
