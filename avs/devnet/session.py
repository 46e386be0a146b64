"""A devnet's moving parts held together: chain, contracts, operators, processes, tasks.

``run_devnet`` drives one of these from start to summary; tests use it directly to
interfere mid-run (kill and restart the aggregator, send malformed requests).
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.devkit import DevSystem, OnboardedOperator
from avs.chain.subscriber import ChainSubscriber
from avs.chain.writer import ChainWriter
from avs.devnet.custom import CustomWorkload, prepare_custom, register_custom_model
from avs.devnet.feed import TaskFeed
from avs.devnet.launch import (
    AGGREGATOR,
    PortPool,
    start_aggregator,
    start_chain,
    start_operators,
    write_aggregator_config,
)
from avs.devnet.layout import DevnetLayout
from avs.devnet.monitor import ChainMonitor, ChainObservations
from avs.devnet.processes import ProcessGroup, running_from_state_file
from avs.devnet.stages import collect as collect_stages
from avs.devnet.workload import (
    DevnetModel,
    PreparedTask,
    prepare_task,
    register_models,
    submit_task,
)
from avs.errors import AvsError
from avs.models.store import BlobStore
from avs.protocol import Task
from avs.tasks.demo import digits_test

OPERATOR_STAKE = 1_000 * 10**18
QUORUM = 0
CLIENTS = 4
"""Client accounts creating tasks in parallel (anvil dev accounts 2..5)."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """A task the devnet created."""

    task: Task
    prepared: PreparedTask
    submitted_at: float


class Devnet:
    """One running devnet (see :func:`avs.devnet.runner.run_devnet` for the whole flow)."""

    def __init__(self, layout: DevnetLayout, block_time: float = 1) -> None:
        if running_from_state_file(layout.state_file):
            raise AvsError(
                f"a devnet is already running from {layout.root}; stop it with 'avs devnet down'"
            )
        shutil.rmtree(layout.root, ignore_errors=True)
        layout.logs.mkdir(parents=True)
        self.layout = layout
        self.block_time = block_time
        self.group = ProcessGroup(layout.state_file)
        self.ports = PortPool()
        self.url = ""
        self.aggregator_port = 0
        self._aggregator_config = Path()
        self.operators: list[OnboardedOperator] = []
        self.faulty: set[str] = set()
        self.models: list[DevnetModel] = []
        self._custom_inputs: bytes | None = None
        self.feed: TaskFeed | None = None

    # -- set-up ------------------------------------------------------------------------

    def start_chain(self) -> DevSystem:
        """anvil plus the deployed contracts."""
        # anvil sets its interval over RPC in whole seconds only: a shorter block time is
        # mined from the start (a slower set-up), a whole one after an automined set-up.
        fractional = self.block_time != int(self.block_time)
        self.url = start_chain(
            self.group, self.layout, self.ports, self.block_time if fractional else None
        )
        self.client = ChainClient.connect(self.url, DEV_PRIVATE_KEYS[0])
        self.system = DevSystem.deploy(self.client)
        self.system.deployment.save(self.layout.deployment)
        self.layout.rpc_url_file.write_text(self.url + "\n")
        return self.system

    def onboard(self, count: int, faulty: int) -> list[OnboardedOperator]:
        """Register ``count`` operators in the quorum; the last ``faulty`` will cheat."""
        self.operators = self.system.add_operators(
            count, lambda _i: [QUORUM], lambda _i: OPERATOR_STAKE, seed=b"devnet"
        )
        self.faulty = {op.address for op in self.operators[count - faulty :]} if faulty else set()
        return self.operators

    def register_models(self, task_types: tuple[str, ...]) -> list[DevnetModel]:
        """The shipped demo models, served by the aggregator's blob store."""
        self.blobs = BlobStore(self.layout.aggregator_dir / "data" / "blobs")
        self.models = register_models(self.system.owner, self.blobs, task_types)
        return self.models

    def register_custom(self, workload: CustomWorkload) -> list[DevnetModel]:
        """A developer's task type and model instead of the demo models."""
        self.blobs = BlobStore(self.layout.aggregator_dir / "data" / "blobs")
        model, self._custom_inputs = register_custom_model(
            self.system.owner, self.system.reader, self.blobs, workload
        )
        self.models = [model]
        return self.models

    def start_aggregator(self) -> int:
        """Start (first time: configure) the aggregator process; returns its port."""
        if not self._aggregator_config.is_file():
            self._aggregator_config = write_aggregator_config(
                self.layout, self.url, self.ports, self.block_time
            )
        self.aggregator_port = start_aggregator(self.group, self.layout, self._aggregator_config)
        self.layout.aggregator_url_file.write_text(f"127.0.0.1:{self.aggregator_port}\n")
        return self.aggregator_port

    def kill_aggregator(self) -> None:
        """SIGKILL the aggregator (a crash: no chance to clean up)."""
        self.group.stop(AGGREGATOR, grace=5, sig=signal.SIGKILL)

    def start_operators(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Start every operator process and wait until all are healthy and warmed up
        (``progress`` gets (ready, total) as they come)."""
        start_operators(
            self.group,
            self.layout,
            self.url,
            self.aggregator_port,
            self.operators,
            self.faulty,
            self.ports,
            self.block_time,
            progress,
        )

    def interval_mining(self) -> None:
        """From now on a block every ``block_time`` s, as on a real chain (set-up automined)."""
        if self.block_time == int(self.block_time):
            self.client.rpc("evm_setIntervalMining", [int(self.block_time)])
        self.monitor = ChainMonitor(
            self.client,
            ChainSubscriber(self.client, self.system.deployment),
            self.client.block_number(),
        )

    # -- tasks -------------------------------------------------------------------------

    def prepare(self, indices: range, inputs_per_task: int) -> list[PreparedTask]:
        """Inputs of tasks ``indices``, models taken in turn (custom: the developer's batch)."""
        if self._custom_inputs is not None:
            return [
                prepare_custom(self.models[0], self._custom_inputs, self.blobs) for _ in indices
            ]
        digits = digits_test()
        return [
            prepare_task(i, self.models[i % len(self.models)], inputs_per_task, self.blobs, digits)
            for i in indices
        ]

    def submit(
        self,
        prepared: list[PreparedTask],
        threshold_bps: int,
        window: int,
        on_progress: Callable[[list[Submitted]], None] | None = None,
    ) -> list[Submitted]:
        """Create the tasks from several client accounts at once (a few per block)."""
        writers = [
            ChainWriter(self.client.with_account(key), self.system.deployment)
            for key in DEV_PRIVATE_KEYS[2 : 2 + CLIENTS]
        ]
        submitted: list[Submitted] = []
        lock = threading.Lock()

        def create(index: int) -> None:
            started = time.time()
            item = prepared[index]
            task = submit_task(writers[index % len(writers)], item, [QUORUM], threshold_bps, window)
            with lock:
                submitted.append(Submitted(task, item, started))

        with ThreadPoolExecutor(max_workers=len(writers)) as pool:
            futures = [pool.submit(create, i) for i in range(len(prepared))]
            while not all(f.done() for f in futures):
                time.sleep(0.2)
                if on_progress is not None:
                    with lock:
                        on_progress(list(submitted))
            for future in futures:
                future.result()
        return sorted(submitted, key=lambda s: s.task.task_index)

    def feed_tasks(
        self,
        first_index: int,
        inputs_per_task: int,
        rate: float,
        threshold_and_window: tuple[int, int],
        report: Callable[[str], None],
    ) -> TaskFeed:
        """Keep creating ``rate`` tasks per second from one client account (a live network)."""
        writer = ChainWriter(self.client.with_account(DEV_PRIVATE_KEYS[-1]), self.system.deployment)
        threshold, window = threshold_and_window
        self.feed = TaskFeed(
            writer,
            lambda i: self.prepare(range(i, i + 1), inputs_per_task)[0],
            first_index,
            rate,
            ([QUORUM], threshold, window),
            report,
        )
        self.feed.start()
        return self.feed

    def observe(self) -> ChainObservations:
        """Certifications and slashes seen on chain so far."""
        return self.monitor.poll(time.time())

    def stage_latencies(self) -> dict[str, Any]:
        """Per-stage p50/p95 in ms, read from every node's metrics (:mod:`avs.devnet.stages`)."""
        configs = [
            self.layout.operator_dir(i) / "operator.yaml" for i in range(len(self.operators))
        ]
        return collect_stages(configs, self._aggregator_config)

    def aggregator_running(self) -> bool:
        """Whether the aggregator process is alive."""
        return self.group.is_running(AGGREGATOR)

    def stop(self) -> None:
        """Stop every process (operators and aggregator first, the chain last)."""
        if self.feed is not None:
            self.feed.stop()
        self.group.stop_all(grace=15)
