"""Wiring a node from its config: stores, clients, sources, worker, node API and metrics.

:class:`OperatorApp` takes its chain-facing collaborators as a :class:`ChainPorts` value, so
the same wiring runs against avs.chain (``avs operator run``) or against small real pieces
in tests. :func:`run_until_signal` adds SIGTERM/SIGINT handling for the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from wsgiref.simple_server import WSGIServer

from avs import __version__
from avs.chain.heads import HeadPush
from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair
from avs.errors import ConfigError
from avs.logging import get_logger
from avs.metrics import OperatorMetrics, serve_metrics
from avs.models.store import BlobStore
from avs.nodeapi import NodeApiServer, ServiceStatus
from avs.rpc.client import AggregatorClient
from avs.tasks.registry import TaskTypeRegistry, load_registry
from avs.tasks.session import ExecutionConfig
from avs.watchtower.service import WatchtowerService
from avs_operator.blobs import aggregator_blob_source
from avs_operator.config import OperatorConfig
from avs_operator.fanout import FanOutSink
from avs_operator.headwatch import HeadWatch
from avs_operator.health import AGGREGATOR, CHAIN, CHAIN_HEAD, WARM_UP, ServiceTracker
from avs_operator.inference import InferenceEngine
from avs_operator.node import OperatorNode
from avs_operator.ports import ChainPorts
from avs_operator.prewarm import WarmUp
from avs_operator.protection import ProtectionStore
from avs_operator.signer import Signer
from avs_operator.sources import (
    AggregatorProbe,
    ChainPush,
    ChainSource,
    StreamSource,
    TaskSource,
)
from avs_operator.submitter import Submitter
from avs_operator.watch import node_blobs, operator_watchtower
from avs_operator.worker import TaskWorker

NODE_NAME = "edge-avs-operator"
T = TypeVar("T")


@dataclass(slots=True)
class Endpoints:
    """Where the node serves, once started (ports resolved when configured as 0)."""

    node_api_port: int = 0
    metrics_port: int = 0
    started: asyncio.Event = field(default_factory=asyncio.Event)


class OperatorApp:
    """One operator node with its node API and metrics endpoints."""

    def __init__(
        self,
        config: OperatorConfig,
        keypair: KeyPair,
        chain: ChainPorts,
        registry: TaskTypeRegistry | None = None,
        metrics: OperatorMetrics | None = None,
        challenger: ChainWriter | None = None,
    ) -> None:
        """Nothing is opened until :meth:`run`; ``challenger`` sends the in-process
        watchtower's challenges (None: it only reports wrong certificates)."""
        self.config = config
        self.keypair = keypair
        self.chain = chain
        self.registry = registry or load_registry()
        self.metrics = metrics or OperatorMetrics.create()
        self.endpoints = Endpoints()
        self.node: OperatorNode | None = None
        self.watchtower: WatchtowerService | None = None
        self._challenger = challenger
        self._log = get_logger(component="operator", operator_id="0x" + keypair.operator_id.hex())

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; every resource is closed on the way out."""
        cfg = self.config
        if cfg.devnet_fault:
            self._log.warning("devnet_fault_enabled", fault=cfg.devnet_fault)
        listened = [CHAIN] if cfg.listen_chain and self.chain.feed is not None else []
        watched = [CHAIN_HEAD] if self.chain.clock is not None else []
        services = ServiceTracker(
            (*listened, *watched, AGGREGATOR, WARM_UP),
            on_change=self.metrics.performance_score.set,
        )
        self.metrics.performance_score.set(services.score())
        # Closed in reverse order: endpoints, then the thread pool (in-flight signing ends),
        # then the client, and the protection store last.
        async with contextlib.AsyncExitStack() as stack:
            protection = open_protection(cfg.protection_db)
            stack.callback(protection.close)
            clients = [
                AggregatorClient(
                    url,
                    stream_lifetime_s=cfg.stream_lifetime,
                    tls=cfg.aggregator_tls,
                    plaintext=cfg.aggregator_plaintext,
                )
                for url in cfg.aggregators
            ]
            for each in clients:
                stack.push_async_callback(each.close)
            blob_source = aggregator_blob_source(cfg, self.metrics.registry)
            stack.callback(blob_source.close)
            executor = ThreadPoolExecutor(cfg.max_concurrent_tasks + 1, thread_name_prefix="avs")
            stack.callback(executor.shutdown, wait=True, cancel_futures=True)
            api = _listen(
                "node API",
                cfg.node_api_host,
                cfg.node_api_port,
                lambda: NodeApiServer(
                    NODE_NAME, __version__, services.states, cfg.node_api_host, cfg.node_api_port
                ),
            )
            api.start()
            stack.callback(api.stop)
            self.endpoints.node_api_port = api.port
            if cfg.metrics_port >= 0:
                metrics = _listen(
                    "metrics",
                    cfg.node_api_host,
                    cfg.metrics_port,
                    lambda: serve_metrics(
                        self.metrics.registry, cfg.node_api_host, cfg.metrics_port
                    ),
                )
                stack.callback(_close_wsgi, metrics)
                self.endpoints.metrics_port = int(metrics.server_port)
            blobs = node_blobs(cfg, blob_source)
            engine = InferenceEngine(
                self.registry,
                blobs,
                ExecutionConfig(cfg.execution_providers, cfg.intra_op_threads),
                executor,
                input_deadline_s=cfg.input_deadline,
                allow_file_inputs=cfg.allow_file_inputs,
            )
            self.node = self._build_node(protection, clients, engine, executor, services)
            self.endpoints.started.set()
            self._log.info(
                "operator_started",
                node_api_port=api.port,
                metrics_port=self.endpoints.metrics_port,
                aggregators=list(cfg.aggregators),
                tasks_signed_before=protection.count(),
            )
            watching = self._start_watchtower(stop, blobs)
            warming = asyncio.create_task(self._warm_up(engine, blobs, services), name="warm-up")
            try:
                await self.node.run(stop)
            finally:
                warming.cancel()
                await asyncio.gather(warming, return_exceptions=True)
                if watching is not None:
                    stop.set()
                    await watching
        self._log.info("operator_exited")

    async def _warm_up(
        self, engine: InferenceEngine, blobs: BlobStore, services: ServiceTracker
    ) -> None:
        """Load the registered models of the served task types while the node already
        serves; the warm-up service (readiness) turns Up once that is over."""
        warm = WarmUp(self.chain.reader, self.chain.resolver, engine, blobs, self.registry.ids())
        await warm.run()
        services.set(WARM_UP, ServiceStatus.UP)

    def _start_watchtower(self, stop: asyncio.Event, blobs: BlobStore) -> asyncio.Task[None] | None:
        """Run the in-process watchtower beside the node, if configured and on a real chain."""
        if not self.config.watchtower or self.chain.reader is None:
            return None
        self.watchtower = operator_watchtower(
            self.config, self.chain.reader, self._challenger, self.metrics.registry, blobs
        )
        mode = "challenging" if self._challenger is not None else "check-only"
        self._log.info("watchtower_started", mode=mode)
        return asyncio.create_task(self.watchtower.run(stop), name="watchtower")

    def _build_node(
        self,
        protection: ProtectionStore,
        clients: list[AggregatorClient],
        engine: InferenceEngine,
        executor: ThreadPoolExecutor,
        services: ServiceTracker,
    ) -> OperatorNode:
        """The primary aggregator (first) serves the task stream; responses go to every
        aggregator, and blobs come from any of them (through the engine's store, primary
        first)."""
        cfg, chain = self.config, self.chain
        client = clients[0]
        worker = TaskWorker(
            resolver=chain.resolver,
            clock=chain.clock,
            engine=engine,
            membership=chain.membership,
            records=chain.records,
            signer=Signer(self.keypair, protection, chain.domain),
            submitter=Submitter(FanOutSink(clients), cfg.submit_timeout, cfg.submit_retries),
            metrics=self.metrics,
            fault=cfg.devnet_fault,
            executor=executor,
        )
        sources: list[TaskSource] = []
        if cfg.listen_chain and chain.feed is not None:
            push = HeadPush(cfg.ws_url) if cfg.ws_url else None
            sources.append(
                ChainSource(
                    chain.feed,
                    services,
                    chain.domain,
                    self.metrics,
                    cfg.poll_interval,
                    push=push,
                    push_interval=cfg.block_time,
                )
            )
            if push is not None:
                sources.append(ChainPush(push))
        if cfg.listen_stream:
            sources.append(
                StreamSource(client, self.keypair.operator_id, services, chain.domain, self.metrics)
            )
        else:
            # Responses still go to the aggregator: keep its service state live anyway.
            sources.append(AggregatorProbe(client, services, max(cfg.poll_interval, 5.0)))
        if chain.clock is not None:
            sources.append(HeadWatch(chain.clock, services, cfg.block_time, cfg.head_stall_blocks))
        return OperatorNode(
            sources=sources,
            worker=worker,
            concurrency=cfg.max_concurrent_tasks,
            shutdown_grace=cfg.shutdown_grace,
            clock=chain.clock,
            block_time=cfg.block_time,
        )


def open_protection(path: Path) -> ProtectionStore:
    """Open the slashing-protection store; an unusable data_dir is a ConfigError."""
    try:
        return ProtectionStore(path)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(
            f"cannot open the slashing-protection store {path}: {exc}; data_dir must be a "
            "writable, persistent directory (never delete protection.sqlite)"
        ) from exc


def _listen(what: str, host: str, port: int, start: Callable[[], T]) -> T:
    try:
        return start()
    except OSError as exc:
        raise ConfigError(
            f"cannot serve the {what} on {host}:{port} ({exc.strerror or exc}); "
            "choose a free port in the config"
        ) from exc


def _close_wsgi(server: WSGIServer) -> None:
    server.shutdown()
    server.server_close()


async def run_until_signal(app: OperatorApp) -> None:
    """Run ``app`` until SIGTERM or SIGINT, then shut down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await app.run(stop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
