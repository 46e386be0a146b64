"""Chaos scenarios on a devnet of real processes, audited on chain afterwards.

Run: ``python benchmarks/chaos.py --scenario NAME --json`` (``make chaos`` runs them all;
``--short`` is the bounded version ``make test`` runs). The devnet: anvil with 1 s blocks,
4 operators (the last signs wrong labels), the aggregator, int-mlp (exact) and
onnx-classify tasks with 20-block windows. Scenarios:

- aggregator-crash-loop: SIGKILL the aggregator at random moments, every other time right
  after a certificate is mined, and restart it;
- operator-crash-loop: SIGKILL a random operator and restart it, over and over;
- grpc-fuzz: thousands of raw and mutated requests (:mod:`avs.rpc.fuzz`) at the running
  aggregator while it certifies tasks;
- rpc-outage: every process reaches the chain through a loopback proxy that refuses for
  30 s, then hangs for 30 s (tasks created meanwhile may expire: with a logged reason);
- competing-aggregators: a second aggregator with its own key; clients upload models and
  inputs to the first only, and each aggregator fetches what it lacks from the other
  (``peer_aggregators``); every operator sends to both (``aggregator_urls``); both pause a
  random 0-1 s before a certificate.

Each prints the audit of :mod:`benchmarks.chaos_audit` (expected: lost 0, certified more
than once 0, honest operators slashed 0, provable faults unslashed 0).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import random
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import grpc
import yaml
from eth_account import Account

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.devnet.launch import AGGREGATOR, avs_command, wait_healthy
from avs.devnet.layout import DevnetLayout
from avs.devnet.nodes import aggregator_settings, write_config
from avs.devnet.processes import wait_for_file
from avs.devnet.runner import wait_settled
from avs.devnet.session import Devnet
from avs.logging import configure_logging
from avs.rpc.fuzz import BAD_CODES, make_case, send
from avs.rpc.tls import ClientTls
from avs.rpc.v1 import aggregator_pb2
from avs.rpc.version import WIRE_VERSION
from benchmarks.chaos_audit import ChaosRun, audit, wait_for_verdicts
from benchmarks.chaos_proxy import RpcProxy

WINDOW, THRESHOLD, INPUTS = 20, 6_667, 4
SECOND, JITTER = "aggregator-2", 1.0
SECOND_KEY = bytes([0x7A] * 32)
"""The second aggregator's key (anvil's five dev accounts all have a role already)."""


@dataclass(frozen=True, slots=True)
class Size:
    """How long a scenario runs."""

    tasks: int
    disruptions: int
    fuzz_cases: int
    outage_seconds: float
    """Length of each phase of the RPC outage (refusing, then hanging)."""


FULL = Size(tasks=40, disruptions=20, fuzz_cases=3_000, outage_seconds=30)
SHORT = Size(tasks=4, disruptions=2, fuzz_cases=150, outage_seconds=6)


def run_scenarios(names: list[str], size: Size, root: Path, seed: int = 1) -> list[dict[str, Any]]:
    """Set up one devnet under ``root``, run the scenarios ``names`` one after another
    (each audited on its own tasks), stop everything; the reports, in order."""
    rng = random.Random(seed)
    devnet = Devnet(DevnetLayout(root / "devnet"))
    cleanups: list[Callable[[], None]] = []
    try:
        devnet.start_chain()
        devnet.onboard(4, faulty=1)
        models = devnet.register_models(("int-mlp", "onnx-classify"))
        devnet.start_aggregator()
        devnet.start_operators()
        devnet.interval_mining()
        exact = {m.model_id for m in models if m.task_type.exact}
        layout = devnet.layout
        reports = []
        next_index = 0
        for name in names:
            run = ChaosRun(
                name,
                devnet.client.block_number(),
                aggregator_dirs=[layout.aggregator_dir],
                aggregator_logs=[layout.logs / "aggregator.log"],
                aggregator_accounts=[Account.from_key(DEV_PRIVATE_KEYS[1]).address],
                first_task=next_index,
            )
            SCENARIOS[name](devnet, run, size, rng)
            next_index += size.tasks
            wait_settled(devnet, run.submitted, timeout=WINDOW * devnet.block_time + 60)
            # The chain is settled; the aggregator may still be catching up on what it saw.
            started = time.monotonic()
            indices = [s.task.task_index for s in run.submitted]
            wait_for_verdicts(indices, run.aggregator_logs, lambda: devnet.observe().certified)
            run.extra["verdict_lag_seconds"] = round(time.monotonic() - started, 1)
            report = _audit_when_evidence_settles(devnet, run, exact)
            report["failed_checks"] = expected_failures(report)
            reports.append(report)
            cleanups += run.cleanups
        return reports
    finally:
        devnet.stop()
        for cleanup in cleanups:
            cleanup()


def _audit_when_evidence_settles(
    devnet: Devnet, run: ChaosRun, exact: set[bytes], timeout: float = 60
) -> dict[str, Any]:
    """Evidence follows certificates by a few blocks: audit until it is in (or timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        report = audit(devnet, run, exact)
        if report["provable_faults_unslashed"] == 0 or time.monotonic() > deadline:
            return report
        time.sleep(2)


def _submit_in_background(devnet: Devnet, run: ChaosRun, count: int) -> threading.Thread:
    """Create ``count`` tasks (a few per block) while the scenario disrupts things."""
    first = run.first_task

    def create() -> None:
        prepared = devnet.prepare(range(first, first + count), INPUTS)
        run.submitted.extend(devnet.submit(prepared, THRESHOLD, WINDOW))

    thread = threading.Thread(target=create, name="chaos-tasks", daemon=True)
    thread.start()
    return thread


def _time_to_next_certificate(devnet: Devnet, since: float, timeout: float = 60) -> float | None:
    """Seconds from ``since`` until a certificate not seen before ``since`` lands."""
    before = set(devnet.observe().certified)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = devnet.observe().certified
        if set(seen) - before:
            return round(time.time() - since, 2)
        time.sleep(0.2)
    return None


def _wait_for_new_certificate(devnet: Devnet, timeout: float) -> None:
    before = set(devnet.observe().certified)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not set(devnet.observe().certified) - before:
        time.sleep(0.05)


def aggregator_crash_loop(devnet: Devnet, run: ChaosRun, size: Size, rng: random.Random) -> None:
    """SIGKILL the aggregator ``size.disruptions`` times (half right after a certificate)."""
    feeder = _submit_in_background(devnet, run, size.tasks)
    for kill in range(size.disruptions):
        if kill % 2:
            _wait_for_new_certificate(devnet, timeout=10)
        else:
            time.sleep(rng.uniform(0.5, 4.0))
        devnet.kill_aggregator()
        time.sleep(rng.uniform(0.0, 1.0))
        _restart(devnet, run, devnet.start_aggregator)
    feeder.join()


def operator_crash_loop(devnet: Devnet, run: ChaosRun, size: Size, rng: random.Random) -> None:
    """SIGKILL a random operator and restart it, ``size.disruptions`` times."""
    feeder = _submit_in_background(devnet, run, size.tasks)
    layout = devnet.layout
    for _ in range(size.disruptions):
        time.sleep(rng.uniform(0.5, 4.0))
        index = rng.randrange(len(devnet.operators))
        name = f"operator-{index}"
        devnet.group.stop(name, grace=5, sig=signal.SIGKILL)
        time.sleep(rng.uniform(0.0, 2.0))
        config = layout.operator_dir(index) / "operator.yaml"
        argv = avs_command("operator", "run", "--config", str(config))
        log = layout.logs / f"{name}.log"
        _restart(devnet, run, functools.partial(devnet.group.start, name, argv, log))
    feeder.join()


def _restart(devnet: Devnet, run: ChaosRun, start: Callable[[], object]) -> None:
    """Restart a killed process; record how long until the next certificate lands."""
    restarted = time.time()
    start()
    recovered = _time_to_next_certificate(devnet, restarted, timeout=15)
    if recovered is not None:
        run.recovery_seconds.append(recovered)


def grpc_fuzz(devnet: Devnet, run: ChaosRun, size: Size, rng: random.Random) -> None:
    """Fuzz the running aggregator's gRPC API while it certifies tasks."""
    feeder = _submit_in_background(devnet, run, size.tasks)
    seeds = {
        "SubmitResponse": [
            aggregator_pb2.SubmitResponseRequest(
                version=WIRE_VERSION, task_index=0, result_bytes=b"\x01"
            ).SerializeToString()
        ],
        "GetBlob": [
            aggregator_pb2.GetBlobRequest(
                version=WIRE_VERSION, content_hash=b"\x00" * 32
            ).SerializeToString()
        ],
    }
    codes: dict[str, int] = {}

    async def fuzz() -> None:
        target = f"127.0.0.1:{devnet.aggregator_port}"
        credentials = ClientTls(devnet.layout.ca_file).credentials()  # the devnet's CA
        async with grpc.aio.secure_channel(target, credentials) as channel:
            for _ in range(size.fuzz_cases):
                code = await send(channel, make_case(rng, seeds), timeout=10)
                codes[code] = codes.get(code, 0) + 1

    asyncio.run(fuzz())
    feeder.join()
    run.extra["fuzz_cases"] = size.fuzz_cases
    run.extra["fuzz_status_codes"] = codes
    run.extra["fuzz_server_failures"] = sum(n for c, n in codes.items() if c in BAD_CODES)
    run.extra["aggregator_alive"] = devnet.aggregator_running()


def competing_aggregators(
    devnet: Devnet,
    run: ChaosRun,
    size: Size,
    rng: random.Random,  # noqa: ARG001 - no random disruption here
) -> None:
    """A second aggregator with its own key; operators send to both; both jitter."""
    layout, second = devnet.layout, devnet.layout.root / "aggregator-2"
    account = Account.from_key(SECOND_KEY)
    devnet.client.send_value(account.address, 10 * 10**18)  # gas for its certificates
    first, second_port = devnet.aggregator_port, devnet.ports.take()
    # Models and inputs are uploaded to the first aggregator only: to prove the wrong
    # results it holds, each fetches what it lacks from the other (GetBlob, TLS, by hash).
    peering = {"certify_jitter_seconds": JITTER, "peer_tls_ca_file": str(layout.ca_file)}
    settings = aggregator_settings(second, devnet.url, layout.deployment, SECOND_KEY, 0)
    settings.update(peering, listen=f"127.0.0.1:{second_port}")
    settings["peer_aggregators"] = [f"127.0.0.1:{first}"]
    config = write_config(second / "aggregator.yaml", settings)
    devnet.group.start(
        SECOND, avs_command("aggregator", "run", "--config", str(config)), layout.logs / "a2.log"
    )
    wait_for_file(second / "port", 60, devnet.group, SECOND)
    peering["peer_aggregators"] = [f"127.0.0.1:{second_port}"]
    _edit_yaml(layout.aggregator_dir / "aggregator.yaml", **peering)
    devnet.group.stop(AGGREGATOR)  # SIGTERM: restarted with the jitter on the same port
    devnet.start_aggregator()
    urls = [f"127.0.0.1:{devnet.aggregator_port}", f"127.0.0.1:{second_port}"]
    _reconfigure_operators(devnet, aggregator_url="", aggregator_urls=urls)
    run.aggregator_dirs.append(second)
    run.aggregator_logs.append(layout.logs / "a2.log")
    run.aggregator_accounts.append(account.address)
    _submit_in_background(devnet, run, size.tasks).join()
    run.extra["second_aggregator_alive"] = devnet.group.is_running(SECOND)


def rpc_outage(devnet: Devnet, run: ChaosRun, size: Size, rng: random.Random) -> None:
    """Every process reaches the chain through a proxy that refuses, then hangs."""
    host, port = devnet.url.removeprefix("http://").split(":")
    proxy = RpcProxy((host, int(port))).start()
    run.cleanups.append(proxy.stop)
    _edit_yaml(devnet.layout.aggregator_dir / "aggregator.yaml", rpc_url=proxy.url)
    devnet.group.stop(AGGREGATOR)
    devnet.start_aggregator()
    _reconfigure_operators(devnet, rpc_url=proxy.url)
    # Half the tasks just before the cut (some are caught in it), half once it is over.
    before = size.tasks // 2
    feeder = _submit_in_background(devnet, run, before)
    time.sleep(rng.uniform(1.0, 3.0))
    cut = time.time()
    for mode in ("refuse", "hang"):
        proxy.set_mode(mode)
        time.sleep(size.outage_seconds)
    proxy.set_mode("pass")
    restored = time.time()
    feeder.join()
    after = dataclasses.replace(run, first_task=run.first_task + before, submitted=[])
    feeder = _submit_in_background(devnet, after, size.tasks - before)
    recovered = _time_to_next_certificate(devnet, restored, timeout=60)
    if recovered is not None:
        run.recovery_seconds.append(recovered)
    feeder.join()
    run.submitted.extend(after.submitted)
    logs = [devnet.layout.logs / f"operator-{i}.log" for i in range(len(devnet.operators))]
    run.extra["outage_seconds"] = round(restored - cut, 1)
    run.extra["operators_reporting_stall"] = sum(
        1 for log in logs if '"chain_head_stalled"' in log.read_text(errors="replace")
    )
    run.extra["aggregator_log_lines_during_outage"] = _lines_between(
        devnet.layout.logs / "aggregator.log", cut, restored
    )


def _reconfigure_operators(devnet: Devnet, **changes: object) -> None:
    """Apply ``changes`` to every operator's config and restart it (until healthy)."""
    layout = devnet.layout
    for index in range(len(devnet.operators)):
        name, config = f"operator-{index}", layout.operator_dir(index) / "operator.yaml"
        settings = _edit_yaml(config, **changes)
        devnet.group.stop(name)
        log = layout.logs / f"{name}.log"
        devnet.group.start(name, avs_command("operator", "run", "--config", str(config)), log)
        wait_healthy(devnet.group, name, int(settings["node_api_port"]), log)


def _lines_between(log: Path, start: float, end: float) -> int:
    """JSON log lines stamped in [start, end] (wall clock)."""
    count = 0
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        stamp = json.loads(line).get("timestamp")
        if isinstance(stamp, str):
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            count += start <= when <= end
    return count


def _edit_yaml(path: Path, **changes: object) -> dict[str, Any]:
    settings: dict[str, Any] = yaml.safe_load(path.read_text())
    settings.update(changes)
    write_config(path, settings)
    return settings


SCENARIOS: dict[str, Callable[[Devnet, ChaosRun, Size, random.Random], None]] = {
    "aggregator-crash-loop": aggregator_crash_loop,
    "operator-crash-loop": operator_crash_loop,
    "grpc-fuzz": grpc_fuzz,
    "rpc-outage": rpc_outage,
    "competing-aggregators": competing_aggregators,  # last: it leaves two aggregators running
}


def expected_failures(report: dict[str, Any]) -> list[str]:
    """The audit figures that must be zero and are not (empty: the scenario passed)."""
    must_be_zero = (
        "lost",
        "certified_more_than_once",
        "honest_operators_slashed",
        "provable_faults_unslashed",
        "fuzz_server_failures",
    )
    return [key for key in must_be_zero if report.get(key)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--short", action="store_true", help="the bounded version (make test)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args()
    configure_logging("warning", json=True)  # stderr: stdout carries only the report
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    print(f"chaos: running {', '.join(names)}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        reports = run_scenarios(names, SHORT if args.short else FULL, Path(tmp), args.seed)
    for report in reports:
        verdict = report["failed_checks"] or "all checks hold"
        print(f"chaos: {report['scenario']}: {verdict}", file=sys.stderr)
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        for report in reports:
            for key, value in report.items():
                print(f"{report['scenario']}: {key}: {value}")
    sys.exit(1 if any(r["failed_checks"] for r in reports) else 0)


if __name__ == "__main__":
    main()
