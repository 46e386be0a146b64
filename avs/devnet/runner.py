"""``avs devnet up``: a whole AVS on this machine, as real processes.

anvil (chain) -> contracts -> N registered operators with delegated stake -> aggregator and
operator processes -> T tasks of real digits images -> a summary from chain data.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avs.chain.anvil import DEV_MNEMONIC, DEV_PRIVATE_KEYS, find_anvil, free_port
from avs.chain.client import ChainClient
from avs.chain.devkit import DevSystem, OnboardedOperator
from avs.chain.subscriber import ChainSubscriber
from avs.chain.writer import ChainWriter
from avs.crypto.keccak import keccak256
from avs.devnet.layout import DEFAULT_WORKDIR, DevnetLayout
from avs.devnet.monitor import ChainMonitor, ChainObservations
from avs.devnet.nodes import aggregator_settings, operator_settings, write_config
from avs.devnet.processes import ProcessGroup, running_from_state_file, wait_for_file
from avs.devnet.summary import OperatorOutcome, TaskOutcome, build_summary
from avs.devnet.workload import (
    DEMO_TASK_TYPES,
    PreparedTask,
    prepare_task,
    register_models,
    submit_task,
)
from avs.errors import AvsError, ChainError
from avs.models.store import BlobStore
from avs.protocol import Task, fee_share

OPERATOR_STAKE = 1_000 * 10**18
QUORUM = 0
CLIENTS = 4
"""Client accounts creating tasks in parallel (anvil dev accounts 2..5)."""


@dataclass(frozen=True, slots=True)
class DevnetOptions:
    """What ``avs devnet up`` runs."""

    operators: int = 4
    faulty: int = 0
    tasks: int = 20
    inputs_per_task: int = 16
    workdir: Path = DEFAULT_WORKDIR
    keep_running: bool = False
    block_time: int = 1
    """Seconds per block (anvil also mines each transaction at once)."""
    response_window: int = 20
    """Blocks operators and the aggregator have to certify a task."""
    threshold_bps: int = 6_667
    task_types: tuple[str, ...] = DEMO_TASK_TYPES
    settle_timeout: float = 90.0
    """Seconds to wait, after the last task, for every task to be certified or expire."""

    def check(self) -> None:
        """Reject impossible combinations before starting anything."""
        if self.operators < 1 or not 0 <= self.faulty <= self.operators:
            raise AvsError("need --operators >= 1 and 0 <= --faulty <= --operators")
        if self.tasks < 1 or self.inputs_per_task < 1:
            raise AvsError("--tasks and --inputs-per-task must be at least 1")
        if self.inputs_per_task > 4096:
            raise AvsError("--inputs-per-task is at most 4096 (the contracts' maxInputsPerTask)")


class Reporter:
    """Where the devnet prints progress (the CLI passes a rich console)."""

    def __init__(self, step: Callable[[str], None], progress: Callable[[int, int, int], None]):
        self.step = step
        """One line per set-up step."""
        self.progress = progress
        """(submitted, certified, expired) while tasks run."""


def run_devnet(opts: DevnetOptions, report: Reporter) -> dict[str, Any]:
    """Run the devnet to completion (or leave it running); returns the summary."""
    opts.check()
    layout = DevnetLayout(opts.workdir)
    if running_from_state_file(layout.state_file):
        raise AvsError(
            f"a devnet is already running from {layout.root}; stop it with 'avs devnet down'"
        )
    shutil.rmtree(layout.root, ignore_errors=True)
    layout.logs.mkdir(parents=True)
    group = ProcessGroup(layout.state_file)
    try:
        return _run(opts, layout, group, report)
    finally:
        if not opts.keep_running:
            group.stop_all(grace=15)


def _run(
    opts: DevnetOptions, layout: DevnetLayout, group: ProcessGroup, report: Reporter
) -> dict[str, Any]:
    url = _start_chain(group, layout)
    report.step(f"chain      anvil at {url} (block time {opts.block_time}s)")
    client = ChainClient.connect(url, DEV_PRIVATE_KEYS[0])
    system = DevSystem.deploy(client)
    system.deployment.save(layout.deployment)
    layout.rpc_url_file.write_text(url + "\n")
    report.step(f"contracts  deployed at block {system.deployment.block} -> {layout.deployment}")
    operators = system.add_operators(
        opts.operators, lambda _i: [QUORUM], lambda _i: OPERATOR_STAKE, seed=b"devnet"
    )
    report.step(
        f"operators  {opts.operators} registered in quorum {QUORUM}, "
        f"{OPERATOR_STAKE // 10**18} tokens each ({opts.faulty} faulty on purpose)"
    )
    _warn_if_threshold_unreachable(opts, report)
    blobs = BlobStore(layout.aggregator_dir / "data" / "blobs")
    models = register_models(system.owner, blobs, opts.task_types)
    report.step("models     " + ", ".join(m.task_type.id for m in models) + " registered")
    stake_before = {
        op.address: system.reader.allocated_stake(op.address, QUORUM) for op in operators
    }

    port = _start_aggregator(group, layout, url)
    report.step(f"aggregator gRPC on 127.0.0.1:{port}")
    faulty = {op.address for op in operators[opts.operators - opts.faulty :]}
    _start_operators(group, layout, url, port, operators, faulty)
    report.step(f"operators  {opts.operators} processes healthy (node API up)")

    # From here on a block comes every block_time seconds, as on a real chain, so latencies
    # in blocks mean something (set-up ran with one block per transaction).
    client.rpc("evm_setIntervalMining", [opts.block_time])
    monitor = ChainMonitor(
        client, ChainSubscriber(client, system.deployment), client.block_number()
    )
    submitted = _submit_tasks(opts, system, models, blobs, monitor, report)
    seen = _wait_settled(opts, submitted, monitor, report, group)
    seen = _wait_for_slashes(monitor, seen, submitted, faulty)
    summary = _summarise(system, operators, faulty, stake_before, submitted, seen)
    layout.summary.write_text(_json(summary))
    if opts.keep_running:
        report.step(
            f"running    RPC {url}, deployment {layout.deployment}; 'avs devnet down' stops it"
        )
    return summary


def _start_chain(group: ProcessGroup, layout: DevnetLayout) -> str:
    port = free_port()
    # Automine while setting up (one block per transaction, fast); interval blocks later.
    argv = [str(find_anvil()), "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--chain-id", "31337", "--hardfork", "prague", "--mnemonic", DEV_MNEMONIC]
    argv += ["--accounts", "10", "--balance", "1000000"]
    group.start("anvil", argv, layout.logs / "anvil.log")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not group.is_running("anvil"):
            raise ChainError(f"anvil exited on start; see {layout.logs / 'anvil.log'}")
        try:
            ChainClient.connect(url, timeout=2).block_number()
            return url
        except ChainError:
            time.sleep(0.05)
    raise ChainError(f"anvil did not answer on {url} within 30s")


def _avs(*args: str) -> list[str]:
    return [sys.executable, "-m", "avs", "--log-json", *args]


def _start_aggregator(group: ProcessGroup, layout: DevnetLayout, url: str) -> int:
    directory = layout.aggregator_dir
    settings = aggregator_settings(
        directory, url, layout.deployment, bytes.fromhex(DEV_PRIVATE_KEYS[1][2:]), free_port()
    )
    config = write_config(directory / "aggregator.yaml", settings)
    group.start(
        "aggregator",
        _avs("aggregator", "run", "--config", str(config)),
        layout.logs / "aggregator.log",
    )
    return int(wait_for_file(Path(settings["port_file"]), 60, group, "aggregator"))


def _start_operators(
    group: ProcessGroup,
    layout: DevnetLayout,
    url: str,
    aggregator_port: int,
    operators: list[OnboardedOperator],
    faulty: set[str],
) -> None:
    api_ports = []
    for index, op in enumerate(operators):
        directory = layout.operator_dir(index)
        api_port = free_port()
        settings = operator_settings(
            directory,
            url,
            layout.deployment,
            f"127.0.0.1:{aggregator_port}",
            op.keypair,
            bytes(op.account.key),
            api_port,
            free_port(),
            op.address in faulty,
        )
        config = write_config(directory / "operator.yaml", settings)
        name = f"operator-{index}"
        group.start(
            name, _avs("operator", "run", "--config", str(config)), layout.logs / f"{name}.log"
        )
        api_ports.append((name, api_port))
    for name, api_port in api_ports:
        _wait_healthy(group, name, api_port, layout.logs / f"{name}.log")


def _wait_healthy(
    group: ProcessGroup, name: str, port: int, log: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group.is_running(name):
            raise AvsError(f"{name} exited on start; see {log}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/eigen/node/health", timeout=2
            ) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AvsError(f"{name} did not become healthy within {timeout:.0f}s; see {log}")


def _warn_if_threshold_unreachable(opts: DevnetOptions, report: Reporter) -> None:
    honest = opts.operators - opts.faulty
    if honest * 10_000 < opts.threshold_bps * opts.operators:
        report.step(
            f"warning    honest stake {honest}/{opts.operators} is below the "
            f"{opts.threshold_bps / 100:.2f}% threshold: tasks will expire"
        )


@dataclass(frozen=True, slots=True)
class Submitted:
    """A task the devnet created."""

    task: Task
    prepared: PreparedTask
    submitted_at: float


def _submit_tasks(
    opts: DevnetOptions,
    system: DevSystem,
    models: list[Any],
    blobs: BlobStore,
    monitor: ChainMonitor,
    report: Reporter,
) -> list[Submitted]:
    """Create the tasks from several client accounts at once (a few tasks per block)."""
    prepared = [
        prepare_task(i, models[i % len(models)], opts.inputs_per_task, blobs)
        for i in range(opts.tasks)
    ]
    writers = [
        ChainWriter(system.client.with_account(key), system.deployment)
        for key in DEV_PRIVATE_KEYS[2 : 2 + CLIENTS]
    ]
    submitted: list[Submitted] = []
    lock = threading.Lock()

    def create(index: int) -> None:
        started = time.time()
        task = submit_task(
            writers[index % len(writers)],
            prepared[index],
            [QUORUM],
            opts.threshold_bps,
            opts.response_window,
        )
        with lock:
            submitted.append(Submitted(task, prepared[index], started))

    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        futures = [pool.submit(create, i) for i in range(opts.tasks)]
        while not all(f.done() for f in futures):
            time.sleep(0.2)
            with lock:
                done = list(submitted)
            seen = monitor.poll(time.time())
            report.progress(len(done), len(seen.certified), _expired(done, seen))
        for future in futures:
            future.result()
    return sorted(submitted, key=lambda s: s.task.task_index)


def _expired(submitted: list[Submitted], seen: ChainObservations) -> int:
    return sum(
        1
        for s in submitted
        if s.task.task_index not in seen.certified and seen.head > s.task.deadline_block
    )


def _wait_settled(
    opts: DevnetOptions,
    submitted: list[Submitted],
    monitor: ChainMonitor,
    report: Reporter,
    group: ProcessGroup,
) -> ChainObservations:
    deadline = time.monotonic() + opts.settle_timeout
    while True:
        seen = monitor.poll(time.time())
        expired = _expired(submitted, seen)
        report.progress(len(submitted), len(seen.certified), expired)
        if len(seen.certified) + expired >= len(submitted):
            return seen
        if time.monotonic() > deadline:
            return seen
        if not group.is_running("aggregator"):
            raise AvsError("the aggregator exited during the run; see .devnet/logs/aggregator.log")
        time.sleep(0.2)


def _wait_for_slashes(
    monitor: ChainMonitor,
    seen: ChainObservations,
    submitted: list[Submitted],
    faulty: set[str],
) -> ChainObservations:
    """Give the aggregator's evidence transactions time to land (until nothing new arrives)."""
    exact = any(s.prepared.model.task_type.exact for s in submitted)
    if not faulty or not exact:
        return seen
    quiet_since, count = time.monotonic(), len(seen.slashes)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.5)
        seen = monitor.poll(time.time())
        if len(seen.slashes) != count:
            quiet_since, count = time.monotonic(), len(seen.slashes)
        slashed = {s.operator for s in seen.slashes}
        if faulty <= slashed and time.monotonic() - quiet_since > 3:
            break
    return seen


def _summarise(
    system: DevSystem,
    operators: list[OnboardedOperator],
    faulty: set[str],
    stake_before: dict[str, int],
    submitted: list[Submitted],
    seen: ChainObservations,
) -> dict[str, Any]:
    outcomes = []
    fees: dict[bytes, int] = {op.operator_id: 0 for op in operators}
    mismatches = 0
    for sub in submitted:
        task, prepared = sub.task, sub.prepared
        certified = seen.certified.get(task.task_index)
        if certified is None:
            outcomes.append(
                TaskOutcome(
                    task.task_index,
                    prepared.model.task_type.id,
                    prepared.true_labels,
                    task.created_block,
                    sub.submitted_at,
                    expired=True,
                )
            )
            continue
        event, seen_at = certified
        matches = keccak256(prepared.expected_result) == event.result_digest
        mismatches += not matches
        outcomes.append(
            TaskOutcome(
                task.task_index,
                prepared.model.task_type.id,
                prepared.true_labels,
                task.created_block,
                sub.submitted_at,
                event.block_number,
                seen_at,
                prepared.expected_result if matches else None,
                frozenset(event.non_signer_ids),
            )
        )
        for op in operators:
            if op.operator_id in event.non_signer_ids:
                continue
            stakes = [
                system.reader.stake(op.operator_id, q, task.created_block) for q in task.quorums
            ]
            fees[op.operator_id] += fee_share(task.fee, stakes, event.signed_stake)
    slashes: dict[str, int] = {}
    for slash in seen.slashes:
        slashes[slash.operator] = slashes.get(slash.operator, 0) + 1
    operator_rows = [
        OperatorOutcome(
            op.address,
            op.operator_id,
            op.address in faulty,
            stake_before[op.address],
            system.reader.allocated_stake(op.address, QUORUM),
            fees[op.operator_id],
            slashes.get(op.address, 0),
        )
        for op in operators
    ]
    summary = build_summary(outcomes, operator_rows)
    summary["certified_digest_mismatches"] = mismatches
    return summary


def _json(summary: dict[str, Any]) -> str:
    import json

    return json.dumps(summary, indent=2) + "\n"
