"""Wiring and lifecycle of a running aggregator: chain follower, gRPC server, certifier.

SIGTERM/SIGINT stop intake (health NOT_SERVING), let in-flight calls finish, close the
store and exit 0; everything needed to resume is already on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.events import TaskCreated
from avs.chain.heads import HeadPush, wait_for_block
from avs.chain.reader import ChainReader
from avs.chain.subscriber import ChainSubscriber
from avs.chain.views import CertifiedTask
from avs.chain.writer import ChainWriter
from avs.errors import ChainError, ContractRevert
from avs.keyfiles import load_ecdsa_key
from avs.logging import get_logger
from avs.metrics import AggregatorMetrics, serve_metrics
from avs.models.store import BlobStore
from avs.rpc.blob_upload import UploadLimits
from avs.rpc.server import create_server
from avs.rpc.tls import check_server_security
from avs.watchtower.build import watchtower_over
from avs.watchtower.peers import PeerBlobSource
from avs.watchtower.source import peer_blob_source
from avs_aggregator.chain_adapter import ChainAdapter
from avs_aggregator.codec import TaskCodec
from avs_aggregator.config import AggregatorConfig
from avs_aggregator.core import AggregatorCore
from avs_aggregator.finalizer import ConsumerFinalizer, FinalizerMetrics
from avs_aggregator.results import PublishingCertifier
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier

log = get_logger(component="aggregator")
NEXT_BLOCK = "next_block"


@dataclass(slots=True)
class ChainFollower:
    """Feeds new TaskCreated events and block heights into the core.

    Reads the chain every ``poll_interval`` s, and at once when ``push`` announces a new
    block; a pushed block is read with the same calls as a polled one.
    """

    core: AggregatorCore
    client: ChainClient
    subscriber: ChainSubscriber
    adapter: ChainAdapter
    store: TaskStore
    start_block: int
    poll_interval: float
    push: HeadPush | None = None
    metrics: AggregatorMetrics | None = None
    healthy: bool = False
    _woken_at: float = 0.0
    _lost_at: float | None = None

    async def run(self) -> None:
        """Poll forever; a chain outage is logged and retried, never fatal: one line when
        the chain is lost, one when it answers again (with the seconds in between)."""
        next_block = self.store.get_meta(NEXT_BLOCK, self.start_block)
        while True:
            self._woken_at = time.monotonic()
            try:
                next_block = await self.step(next_block)
                if self._lost_at is not None:
                    down = round(time.monotonic() - self._lost_at, 1)
                    log.info("chain_poll_recovered", next_block=next_block, down_s=down)
                    self._lost_at = None
                self.healthy = True
            except Exception as exc:  # an RPC outage must not stop the aggregator
                if self.healthy:
                    log.error("chain_poll_failed", error=str(exc))
                    self._lost_at = time.monotonic()
                self.healthy = False
            await wait_for_block(self.push, self.poll_interval)

    async def _add(self, event: TaskCreated) -> None:
        """Start aggregating one task; a task the chain cannot describe is skipped.

        A revert or a bug tied to one hostile task would otherwise fail this block range
        on every poll, forever (the range is persisted); an RPC outage still propagates so
        the range is read again.
        """
        try:
            # The operator set is read beside the hints (cached per block for add_task).
            hints, _snapshot = await asyncio.gather(
                asyncio.to_thread(self.adapter.hints, event.task),
                asyncio.to_thread(self.adapter.snapshot, event.task),
            )
            added = await self.core.add_task(event.task, hints)
            if added and self.metrics is not None:
                seen = time.monotonic() - self._woken_at
                self.metrics.stage_seconds.labels(stage="seen").observe(seen)
        except ChainError as exc:
            if not isinstance(exc, ContractRevert):
                raise
            log.error("task_skipped", task=event.task.task_index, error=str(exc))
        except Exception as exc:  # logged; one task must not stop the follower
            log.error(
                "task_skipped", task=event.task.task_index, error=f"{type(exc).__name__}: {exc}"
            )

    async def step(self, next_block: int) -> int:
        """Process blocks [next_block, head]; returns the next block to read."""
        head = await asyncio.to_thread(self.client.block_number)
        if head < next_block:
            return next_block
        events = await asyncio.to_thread(self.subscriber.poll, next_block, head)
        for event in events:
            if isinstance(event, TaskCreated):
                await self._add(event)
            elif isinstance(event, CertifiedTask):
                # A competitor's certificate: stop trying, record it, owe its evidence.
                certification = self.adapter.as_certification(event)
                await self.core.on_certified(event.task_index, certification)
        self.store.set_meta(NEXT_BLOCK, head + 1)
        await self.core.expire(head)
        return head + 1


def peer_source(
    cfg: AggregatorConfig, blobs: BlobStore, registry: CollectorRegistry | None = None
) -> PeerBlobSource | None:
    """Where ``blobs`` fetches what it lacks: the peer aggregators (None when there are none),
    never past the blob quota; requests are counted into ``registry``."""
    if not cfg.peer_aggregators:
        return None
    return peer_blob_source(
        cfg.peer_aggregators,
        tls=cfg.peer_tls,
        plaintext=cfg.peer_plaintext,
        timeout_s=cfg.peer_fetch_timeout,
        max_blob_bytes=cfg.peer_max_blob_bytes,
        room=lambda: cfg.blob_quota_bytes - blobs.total_bytes(),
        registry=registry,
    )


async def run_aggregator(cfg: AggregatorConfig, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (default: until SIGTERM/SIGINT)."""
    deployment = Deployment.load(cfg.deployment)
    account = load_ecdsa_key(cfg.ecdsa_key_file, cfg.ecdsa_password_file)
    metrics = AggregatorMetrics.create()
    # Every transaction of this key (certificates, evidence, stake refreshes) goes through
    # this client, so reverts are counted here, by function, whoever sent them.
    client = ChainClient.connect(cfg.rpc_url, account.key).with_revert_observer(
        metrics.reverted.observe
    )
    reader, writer = ChainReader(client, deployment), ChainWriter(client, deployment)
    blobs = BlobStore(cfg.blob_dir)
    blobs.source = peer_source(cfg, blobs, metrics.registry)
    tower = watchtower_over(reader, writer, blobs, registry=metrics.registry)
    adapter = ChainAdapter(
        reader, writer, cfg.certify_jitter_seconds, tower if cfg.challenge else None
    )
    store = TaskStore(cfg.task_db)
    codec = TaskCodec(deployment.chain_id, deployment.contracts["TaskManager"])
    core = AggregatorCore(
        store,
        codec,
        adapter,
        PublishingCertifier(adapter, blobs),
        GroupVerifier(),
        metrics,
        challenger=adapter if cfg.challenge else None,
        linger_seconds=cfg.linger_seconds,
    )
    uploads = UploadLimits(max_blob_bytes=cfg.max_upload_bytes, quota_bytes=cfg.blob_quota_bytes)
    check_server_security(cfg.listen, cfg.tls, cfg.allow_plaintext)
    server, port = create_server(
        cfg.listen, core, blobs, cfg.max_message_bytes, uploads, tls=cfg.tls
    )
    await server.start()
    if cfg.metrics_port >= 0:
        serve_metrics(metrics.registry, cfg.metrics_host, cfg.metrics_port)
    if cfg.port_file is not None:
        cfg.port_file.write_text(f"{port}\n")
    log.info(
        "aggregator_started",
        port=port,
        address=account.address,
        chain_id=deployment.chain_id,
        tls=cfg.tls is not None,
        client_certs=cfg.tls_client_ca_file is not None,
        peers=list(cfg.peer_aggregators),
    )
    recovered = await core.recover()
    if recovered:
        log.info("tasks_recovered", count=recovered)
    follower = ChainFollower(
        core,
        client,
        ChainSubscriber(
            client,
            deployment,
            on_malformed=lambda bad: metrics.events_malformed.labels(event=bad.event).inc(),
        ),
        adapter,
        store,
        deployment.block,
        cfg.poll_interval,
        HeadPush(cfg.ws_url) if cfg.ws_url else None,
        metrics,
    )
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    workers = [
        asyncio.create_task(follower.run()),
        *([asyncio.create_task(follower.push.run())] if follower.push is not None else []),
        asyncio.create_task(core.run()),
        asyncio.create_task(core.run_evidence()),
    ]
    if cfg.finalize_consumer_tasks:
        finalizer = ConsumerFinalizer(
            reader, writer, blobs, store, FinalizerMetrics.create(metrics.registry)
        )
        workers.append(asyncio.create_task(finalizer.run(cfg.poll_interval)))
    metrics.performance_score.set(100)
    await stop.wait()
    log.info("aggregator_stopping")
    await server.stop(grace=5)
    await core.drain(timeout=30)
    for worker in workers:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    store.close()
    log.info("aggregator_stopped")
