"""Sustained load on a real aggregator with N operators per quorum (issue 17, "Scale").

Run: ``python benchmarks/load.py --operators 16,64,200 --tasks 30 --rate 1 --json``.

For each operator count: a fresh anvil; the contracts; N operators registered on chain
through the real path (stake, allocation, ``registerForOperatorSets`` with a proof of
possession; the same calls sent in bulk, a few blocks for all of them); a real aggregator
process (``avs aggregator run``: AggregatorCore, gRPC server on a loopback port, chain
adapter) and N in-process simulated operators holding real BLS keys, one gRPC channel each.
The generator mines one block every ``--block-time`` seconds (automine off) and creates
tasks at ``--rate`` per second at the deployment's default threshold. Because it mines, it
knows each task's block, so every signature is computed before timing starts. Operators
answer when the aggregator's task stream delivers the task (``--arrivals stream``, the
default), or as soon as its block is mined (``--arrivals block``).

Each row reports: certified tasks/s sustained (certified tasks over the time from the first
task's block to the last certificate's block), latency from the task's block to its
certificate's block in blocks and ms (p50/p95/p99), the aggregator process's CPU time and
RSS (``/proc``, Linux), the backlog (tasks created but not certified, sampled each block),
and the sizes of the signature batches the aggregator verified responses in (its
``avs_verify_batch_size`` histogram), its mean time per task stage (``stages_mean_ms``, from
``avs_task_stage_seconds``), and this process's CPU (``generator_cpu_cores``: the simulated
operators share the machine with the aggregator). Latency in ms is measured between the generator's
``evm_mine`` calls, so it moves in steps of one block time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from avs.chain.anvil import DEV_PRIVATE_KEYS, AnvilProcess, free_port
from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import WAD, DevSystem
from avs.chain.events import decode_events
from avs.chain.views import CertifiedTask
from avs.logging import configure_logging
from avs.protocol import Task, inputs_root
from benchmarks.load_aggregator import AggregatorProcess
from benchmarks.load_report import percentiles, summarise_batches, summarise_stages
from benchmarks.load_swarm import PlannedTask, Swarm, plan_tasks, presign

RESULT = b"\x07" * 16
"""The canonical result every operator signs (16 labels of a 16-input task)."""
INPUTS = [i.to_bytes(4, "big") for i in range(16)]
SETTLE_BLOCKS = 10
"""Blocks mined after the last task before giving up on uncertified ones."""


def setup(n: int) -> tuple[AnvilProcess, DevSystem, bytes, float]:
    """Anvil, contracts, ``n`` registered operators and a model; returns the set-up time."""
    node = AnvilProcess()
    started = time.perf_counter()
    try:
        client = ChainClient.connect(node.start(), DEV_PRIVATE_KEYS[0])
        system = DevSystem.deploy(client, DeployParams(quorum_count=1))
        system.add_operators(n, lambda _i: [0], lambda _i: 100 * WAD, seed=b"load", bulk=True)
        model = system.register_model("onnx-classify", fee_per_input=10**9)
    except BaseException:
        node.stop()
        raise
    return node, system, model, time.perf_counter() - started


def template_task(system: DevSystem, model: bytes) -> Task:
    """A first task created for real: later tasks copy its fields (index and blocks aside)."""
    fee = system.reader.model(model).fee_per_input * len(INPUTS)
    threshold = system.deployment.params.min_threshold_bps
    window = system.deployment.params.max_response_window_blocks
    task, _ = system.owner.create_task(
        model, inputs_root(INPUTS), len(INPUTS), "avs-blob://0x" + "ab" * 32, [0],
        threshold, window, fee,
    )  # fmt: skip
    return task


class Generator:
    """Mines blocks, creates the planned tasks, releases responses, records what lands."""

    def __init__(
        self, system: DevSystem, swarm: Swarm, agg: AggregatorProcess, release_on_block: bool
    ) -> None:
        self.system = system
        self.release_on_block = release_on_block
        self.swarm = swarm
        self.agg = agg
        self.mined_at: dict[int, float] = {}
        self.created: dict[int, int] = {}
        self.certified: dict[int, int] = {}
        self.backlog: list[int] = []
        self.cpu_cores = 0.0
        """CPU of this process (generator and simulated operators) over the timed run."""
        self._threads = ThreadPoolExecutor(max_workers=16, thread_name_prefix="load-create")
        topic = system.reader.tasks.abi.event("TaskCertified").topic0
        self._certified_topic = topic

    def _create(self, planned: PlannedTask, template: Task) -> Future[Any]:
        p = planned.task
        return self._threads.submit(
            self.system.owner.create_task,
            p.model_id, p.inputs_root, p.input_count, p.inputs_uri, list(p.quorum_numbers),
            p.threshold_bps, template.deadline_block - template.created_block, p.fee,
        )  # fmt: skip

    def _wait_pending(self, nonce: int) -> None:
        client = self.system.client
        while int(client.rpc("eth_getTransactionCount", [client.address, "pending"]), 16) < nonce:
            time.sleep(0.005)

    def _mine(self) -> int:
        self.system.client.rpc("evm_mine")
        block = self.system.client.block_number()
        self.mined_at[block] = time.perf_counter()
        return block

    def _scan_certified(self, block: int) -> None:
        tasks = self.system.reader.tasks
        logs = self.system.client.get_logs([tasks.address], [self._certified_topic], block, block)
        for event in decode_events(self.system.reader.event_contracts, logs):
            if isinstance(event, CertifiedTask) and event.task_index in self.created:
                self.certified.setdefault(event.task_index, event.block_number)

    async def run(
        self, plan: list[PlannedTask], template: Task, responses: dict[int, Any], bt: float
    ) -> None:
        """Mine slot by slot until every task is certified or the settle blocks ran out."""
        client = self.system.client
        by_slot: dict[int, list[PlannedTask]] = {}
        for p in plan:
            by_slot.setdefault(p.slot, []).append(p)
        last_slot = max(by_slot)
        start = time.perf_counter()
        slot = 0
        while True:
            slot += 1
            await asyncio.sleep(max(0.0, start + slot * bt - time.perf_counter()))
            todo = by_slot.get(slot, [])
            nonce = int(client.rpc("eth_getTransactionCount", [client.address, "pending"]), 16)
            futures = [self._create(p, template) for p in todo]
            await asyncio.to_thread(self._wait_pending, nonce + len(todo))
            block = await asyncio.to_thread(self._mine)
            planned = {p.task.task_index: p.task for p in todo}
            for future in futures:
                created, _receipt = await asyncio.wrap_future(future)
                if planned.get(created.task_index) != created:
                    raise RuntimeError(f"task {created.task_index} differs from its plan")
                self.created[created.task_index] = block
            if self.release_on_block:
                for index in planned:
                    self.swarm.release(responses[index])
            await asyncio.to_thread(self._scan_certified, block)
            self.backlog.append(len(self.created) - len(self.certified))
            self.agg.sample()
            if len(self.certified) == len(plan) or slot >= last_slot + SETTLE_BLOCKS:
                return

    def close(self) -> None:
        """Stop the creation threads."""
        self._threads.shutdown(wait=True)


async def load_row(
    n: int,
    tasks: int,
    rate: float,
    bt: float,
    workdir: Path,
    arrivals: str = "stream",
    profile: Path | None = None,
) -> dict[str, Any]:
    """One row: ``n`` operators, ``tasks`` tasks at ``rate``/s, blocks every ``bt`` s."""
    node, system, model, setup_s = setup(n)
    agg = AggregatorProcess(workdir / f"aggregator-{n}", system, DEV_PRIVATE_KEYS[1], profile)
    swarm: Swarm | None = None
    try:
        template = template_task(system, model)
        port = agg.start(free_port())
        swarm = Swarm(f"127.0.0.1:{port}", [op.operator_id for op in system.operators])
        await swarm.connect(30.0)
        system.client.rpc("evm_setAutomine", [False])
        head = system.client.block_number()
        first = replace(template, task_index=system.reader.next_task_index())
        plan = plan_tasks(first, head, tasks, rate, bt)
        signing = time.perf_counter()
        responses = presign(
            [p.task for p in plan], system.operators, system.reader.task_hash, RESULT
        )
        presign_s = time.perf_counter() - signing
        if arrivals == "stream":
            swarm.listen(responses, first.task_index)
        gen = Generator(system, swarm, agg, release_on_block=arrivals == "block")
        agg.begin()
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            await gen.run(plan, template, responses, bt)
        finally:
            gen.close()
        agg.sample()
        gen.cpu_cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
        await swarm.drain(10.0)
        return report(n, tasks, rate, bt, gen, agg, swarm, (setup_s, presign_s))
    finally:
        if swarm is not None:
            await swarm.close()
        agg.stop()
        node.stop()


def report(
    n: int,
    tasks: int,
    rate: float,
    bt: float,
    gen: Generator,
    agg: AggregatorProcess,
    swarm: Swarm,
    timings: tuple[float, float],
) -> dict[str, Any]:
    """The row's JSON."""
    setup_s, presign_s = timings
    exposition = agg.metrics_text()
    done = {i: b for i, b in gen.certified.items() if i in gen.created}
    blocks = [b - gen.created[i] for i, b in done.items()]
    ms = [(gen.mined_at[b] - gen.mined_at[gen.created[i]]) * 1000 for i, b in done.items()]
    span = 0.0
    if done:
        span = gen.mined_at[max(done.values())] - gen.mined_at[min(gen.created.values())]
    return {
        "operators": n,
        "tasks": tasks,
        "rate_tasks_per_s": rate,
        "arrivals": "block" if gen.release_on_block else "stream",
        "block_time_s": bt,
        "certified": len(done),
        "certified_tasks_per_s": round(len(done) / span, 3) if span > 0 else None,
        "latency_blocks": percentiles(blocks),
        "latency_ms": percentiles(ms),
        "backlog": {
            "max": max(gen.backlog, default=0),
            "end": gen.backlog[-1] if gen.backlog else 0,
        },
        "aggregator": agg.usage(len(done)),
        "generator_cpu_cores": round(gen.cpu_cores, 3),
        "verify_batch_sizes": summarise_batches(exposition),
        "stages_mean_ms": summarise_stages(exposition),
        "aggregator_warnings": agg.warnings(),
        "submissions": dict(swarm.stats.statuses),
        "retries": dict(swarm.stats.retries),
        "setup_s": round(setup_s, 1),
        "presign_s": round(presign_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--operators", default="16", help="operators per quorum; a comma list runs one row each"
    )
    parser.add_argument("--tasks", type=int, default=20, help="tasks per row")
    parser.add_argument("--rate", type=float, default=1.0, help="tasks created per second")
    parser.add_argument("--block-time", type=float, default=1.0, help="seconds between blocks")
    parser.add_argument(
        "--arrivals",
        choices=("stream", "block"),
        default="stream",
        help="operators answer when the aggregator's task stream delivers a task (default), "
        "or when its block is mined (as after a chain event; may reach the aggregator first)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--profile-dir",
        type=Path,
        help="run the aggregator under cProfile; stats go to DIR/aggregator-N.prof",
    )
    args = parser.parse_args()
    try:
        counts = [int(x) for x in args.operators.split(",")]
    except ValueError:
        parser.error("--operators takes integers, e.g. 16 or 16,64,200")
    if any(c < 1 for c in counts) or args.tasks < 1 or args.rate <= 0 or args.block_time <= 0:
        parser.error("--operators, --tasks, --rate and --block-time must be positive")
    configure_logging("warning")
    # SIGTERM unwinds like Ctrl-C, so anvil and the aggregator process are stopped too
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))
    rows = []
    with tempfile.TemporaryDirectory(prefix="avs-load-") as tmp:
        for n in counts:
            print(f"load: {n} operators, {args.tasks} tasks ...", file=sys.stderr, flush=True)
            profile = None
            if args.profile_dir is not None:
                args.profile_dir.mkdir(parents=True, exist_ok=True)
                profile = args.profile_dir.resolve() / f"aggregator-{n}.prof"
            row = load_row(
                n, args.tasks, args.rate, args.block_time, Path(tmp), args.arrivals, profile
            )
            rows.append(asyncio.run(row))
    context = {
        "clock": "wall time (time.perf_counter) between the generator's evm_mine calls",
        "aggregator_cpu": "utime+stime of the aggregator process over the timed run (/proc)",
        "threshold": "deployment default (DeployParams.min_threshold_bps)",
        "machine_note": "generator, aggregator and anvil share this machine's cores",
    }
    if args.json:
        print(json.dumps({"rows": rows, "context": context}, indent=2))
        return
    for r in rows:
        lb, lm = r["latency_blocks"], r["latency_ms"]
        print(
            f"{r['operators']:>4} ops  {r['certified']}/{r['tasks']} certified  "
            f"{r['certified_tasks_per_s']} tasks/s  latency p50/p95/p99 {lb['p50']}/{lb['p95']}/"
            f"{lb['p99']} blocks, {lm['p50']}/{lm['p95']}/{lm['p99']} ms  "
            f"backlog max {r['backlog']['max']}  aggregator {r['aggregator']}"
        )


if __name__ == "__main__":
    main()
