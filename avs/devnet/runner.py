"""``avs devnet up``: a whole AVS on this machine, as real processes.

anvil (chain) -> contracts -> N registered operators with delegated stake -> aggregator and
operator processes -> T tasks of real digits images -> a summary from chain data.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from avs.chain.devkit import DevSystem, OnboardedOperator
from avs.crypto.keccak import keccak256
from avs.devnet.consumers import run_consumer_demo
from avs.devnet.custom import CustomWorkload
from avs.devnet.layout import DEFAULT_WORKDIR, DevnetLayout
from avs.devnet.monitor import ChainObservations
from avs.devnet.session import QUORUM, Devnet, Submitted
from avs.devnet.stages import slowest
from avs.devnet.summary import WRONG_FAULTS, OperatorOutcome, TaskOutcome, build_summary
from avs.devnet.workload import DEMO_TASK_TYPES
from avs.errors import AvsError
from avs.protocol import fee_share


@dataclass(frozen=True, slots=True)
class DevnetOptions:
    """What ``avs devnet up`` runs."""

    operators: int = 4
    faulty: int = 1
    tasks: int = 20
    inputs_per_task: int = 16
    workdir: Path = DEFAULT_WORKDIR
    keep_running: bool = False
    block_time: float = 1
    """Seconds per block while the tasks run. Whole seconds: the set-up is automined (one
    block per transaction), then anvil mines on this interval; anvil sets a fractional one
    only at start, so the set-up then runs at this block time too (slower)."""
    response_window: int = 20
    """Blocks operators and the aggregator have to certify a task (at blocks shorter than a
    second: as many seconds, up to the deployment's maximum)."""
    threshold_bps: int = 6_667
    task_types: tuple[str, ...] = DEMO_TASK_TYPES
    settle_timeout: float = 90.0
    """Seconds to wait, after the last task, for every task to be certified or expire."""
    custom: CustomWorkload | None = None
    """A developer's own task type, model and inputs instead of the digits demo."""
    task_rate: float | None = None
    """With keep_running: tasks per second created after the summary."""

    def check(self) -> None:
        """Reject impossible combinations before starting anything."""
        if self.operators < 1 or not 0 <= self.faulty <= self.operators:
            raise AvsError("need --operators >= 1 and 0 <= --faulty <= --operators")
        if self.tasks < 1 or self.inputs_per_task < 1:
            raise AvsError("--tasks and --inputs-per-task must be at least 1")
        if not 0.05 <= self.block_time <= 60:
            raise AvsError("--block-time is between 0.05 and 60 seconds")
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
    devnet = Devnet(DevnetLayout(opts.workdir), opts.block_time)
    try:
        summary = _run(opts, devnet, report)
    except BaseException:
        devnet.stop()  # a failed run never leaves processes behind, even with keep_running
        raise
    if not opts.keep_running:
        devnet.stop()
    return summary


def _run(opts: DevnetOptions, devnet: Devnet, report: Reporter) -> dict[str, Any]:
    system = devnet.start_chain()
    report.step(f"chain      anvil at {devnet.url} (block time {opts.block_time:g}s)")
    report.step(
        f"contracts  deployed at block {system.deployment.block} -> {devnet.layout.deployment}"
    )
    operators = devnet.onboard(opts.operators, opts.faulty)
    report.step(
        f"operators  {opts.operators} registered in quorum {QUORUM}, "
        f"{operators[0].stake // 10**18} tokens each ({opts.faulty} faulty on purpose)"
    )
    _warn_if_threshold_unreachable(opts, report)
    if opts.custom is None:
        models = devnet.register_models(opts.task_types)
    else:
        models = devnet.register_custom(opts.custom)
    report.step("models     " + ", ".join(m.task_type.id for m in models) + " registered")
    stake_before = {
        op.address: system.reader.allocated_stake(op.address, QUORUM) for op in operators
    }
    port = devnet.start_aggregator()
    report.step(f"aggregator gRPC on 127.0.0.1:{port}")
    started = time.monotonic()

    def ready(count: int, total: int) -> None:
        waited = time.monotonic() - started
        report.step(f"operators  {count}/{total} warm (models loaded, health 200) {waited:.1f}s")

    # Tasks are created only once every operator is warm: the latencies below measure the
    # steady path, not processes starting cold.
    devnet.start_operators(ready)
    devnet.interval_mining()

    def progress(done: list[Submitted]) -> None:
        seen = devnet.observe()
        report.progress(len(done), len(seen.certified), expired_count(done, seen))

    prepared = devnet.prepare(range(opts.tasks), opts.inputs_per_task)
    window = response_window(opts, system.deployment.params.max_response_window_blocks)
    submitted = devnet.submit(prepared, opts.threshold_bps, window, progress)
    seen = wait_settled(devnet, submitted, opts.settle_timeout, progress)
    seen = _wait_for_slashes(devnet, seen, submitted)
    summary = summarise(system, operators, devnet.faulty, stake_before, submitted, seen)
    add_stage_latencies(summary, devnet)
    add_consumer_demo(summary, devnet, opts, report)
    devnet.layout.summary.write_text(json.dumps(summary, indent=2) + "\n")
    if opts.keep_running:
        report.step(
            f"running    RPC {devnet.url}, deployment {devnet.layout.deployment}, aggregator "
            f"127.0.0.1:{devnet.aggregator_port} (TLS, CA {devnet.layout.ca_file}); "
            "'avs devnet down' stops it"
        )
        if opts.task_rate is not None:
            devnet.feed_tasks(
                opts.tasks,
                opts.inputs_per_task,
                opts.task_rate,
                (opts.threshold_bps, window),
                report.step,
            )
            report.step(f"feed       {opts.task_rate:g} task(s) per second until stopped")
    return summary


def response_window(opts: DevnetOptions, maximum: int) -> int:
    """The tasks' response window in blocks: ``opts.response_window``, kept at least that
    many seconds on sub-second blocks (within ``maximum``)."""
    if opts.block_time >= 1:
        return opts.response_window
    return max(
        opts.response_window, min(maximum, math.ceil(opts.response_window / opts.block_time))
    )


def add_stage_latencies(summary: dict[str, Any], devnet: Devnet) -> None:
    """``latency.stages_ms`` (p50/p95 per stage, from the nodes' metrics) and the slowest."""
    stages = devnet.stage_latencies()
    summary["latency"]["stages_ms"] = stages
    summary["latency"]["slowest_stage"] = slowest(stages)


def add_consumer_demo(
    summary: dict[str, Any], devnet: Devnet, opts: DevnetOptions, report: Reporter
) -> None:
    """``consumers``: the example consumer contracts acting on one certified task each."""
    if opts.custom is not None:
        return
    summary["consumers"] = run_consumer_demo(
        devnet, opts.inputs_per_task, opts.threshold_bps, opts.response_window, opts.settle_timeout
    )
    report.step("consumers  PayIfConfident and VerdictRegistry acted on their tasks")


def _warn_if_threshold_unreachable(opts: DevnetOptions, report: Reporter) -> None:
    honest, faulty, n = opts.operators - opts.faulty, opts.faulty, opts.operators
    threshold = opts.threshold_bps * n
    if faulty * 10_000 >= threshold:
        report.step(
            f"warning    faulty stake {faulty}/{n} reaches the {opts.threshold_bps / 100:.2f}% "
            "threshold: their wrong int-mlp certificates will be certified, then overturned "
            "on chain by the watchtower (clients refunded, signers slashed)"
        )
    elif honest * 10_000 < threshold:
        report.step(
            f"warning    neither honest ({honest}/{n}) nor faulty ({faulty}/{n}) stake reaches "
            f"the {opts.threshold_bps / 100:.2f}% threshold: tasks will expire"
        )


def expired_count(submitted: list[Submitted], seen: ChainObservations) -> int:
    return sum(
        1
        for s in submitted
        if s.task.task_index not in seen.certified and seen.head > s.task.deadline_block
    )


def wait_settled(
    devnet: Devnet,
    submitted: list[Submitted],
    timeout: float,
    progress: Callable[[list[Submitted]], None] | None = None,
) -> ChainObservations:
    """Wait until every task is certified or past its deadline (or ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        if progress is not None:
            progress(submitted)
        seen = devnet.observe()
        # Only these tasks count: the chain may hold certificates of earlier ones.
        certified = sum(1 for sub in submitted if sub.task.task_index in seen.certified)
        if certified + expired_count(submitted, seen) >= len(submitted):
            return seen
        if time.monotonic() > deadline:
            return seen
        if not devnet.aggregator_running():
            raise AvsError(
                f"the aggregator exited during the run; see {devnet.layout.logs / 'aggregator.log'}"
            )
        time.sleep(0.2)


def _wait_for_slashes(
    devnet: Devnet,
    seen: ChainObservations,
    submitted: list[Submitted],
) -> ChainObservations:
    """Give the aggregator's evidence transactions time to land (until nothing new arrives)."""
    exact = any(s.prepared.model.task_type.exact for s in submitted)
    faulty = devnet.faulty
    if not faulty or not exact:
        return seen
    quiet_since, count = time.monotonic(), len(seen.slashes)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.5)
        seen = devnet.observe()
        if len(seen.slashes) != count:
            quiet_since, count = time.monotonic(), len(seen.slashes)
        slashed = {s.operator for s in seen.slashes}
        if faulty <= slashed and time.monotonic() - quiet_since > 3:
            break
    return seen


def summarise(
    system: DevSystem,
    operators: list[OnboardedOperator],
    faulty: set[str],
    stake_before: dict[str, int],
    submitted: list[Submitted],
    seen: ChainObservations,
) -> dict[str, Any]:
    """The summary of a run from what was submitted and what the chain shows."""
    outcomes = []
    fees: dict[bytes, int] = {op.operator_id: 0 for op in operators}
    faults = {(s.operator, s.task_index) for s in seen.slashes}
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
        overturned = task.task_index in seen.overturned
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
                overturned=overturned,
            )
        )
        if overturned:
            continue  # the client was refunded: nobody earns its fee
        for op in operators:
            if op.operator_id in event.non_signer_ids or (op.address, task.task_index) in faults:
                continue  # a signer slashed on the task forfeits its fee
            stakes = [
                system.reader.stake(op.operator_id, q, task.created_block) for q in task.quorums
            ]
            fees[op.operator_id] += fee_share(task.fee, stakes, event.signed_stake)
    slashes: dict[str, dict[str, int]] = {op.address: {} for op in operators}
    wrong: dict[str, set[int]] = {op.address: set() for op in operators}
    for slash in seen.slashes:
        by_fault = slashes.setdefault(slash.operator, {})
        by_fault[slash.fault] = by_fault.get(slash.fault, 0) + 1
        if slash.fault in WRONG_FAULTS:
            wrong.setdefault(slash.operator, set()).add(slash.task_index)
    operator_rows = [
        OperatorOutcome(
            op.address,
            op.operator_id,
            op.address in faulty,
            stake_before[op.address],
            system.reader.allocated_stake(op.address, QUORUM),
            fees[op.operator_id],
            slashes[op.address],
            frozenset(wrong[op.address]),
        )
        for op in operators
    ]
    summary = build_summary(outcomes, operator_rows)
    summary["certified_digest_mismatches"] = mismatches
    return summary
