"""The chain audit after a chaos scenario: what every task became, and who was slashed.

Figures (issue 13): submitted, certified, certified more than once, expired with a logged
reason, lost (neither certified nor expired with a reason), honest operators slashed,
provable faults left unslashed (a faulty operator's signed response on a wrong result of an
exact task type, sitting in an aggregator's store, with no slash for that task), reverted
transactions of the aggregators and the gas they burnt (in all and by contract function),
and recovery times.

A task's fate is the aggregator's to log once the chain passes its deadline, and an
aggregator catching up after an outage or a restart does so a few blocks later:
:func:`wait_for_verdicts` gives it :data:`VERDICT_SECONDS` before a task counts as lost.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from avs.chain.events import OperatorSlashed
from avs.chain.subscriber import ChainSubscriber
from avs.chain.views import CertifiedTask
from avs.crypto.keccak import keccak256
from avs.devnet.session import Devnet, Submitted
from avs.errors import AvsError

VERDICT_SECONDS = 30.0
"""How long after the chain settles a scenario's tasks the aggregators have to log the
expiry of each uncertified one (30 block times on the devnet)."""


@dataclass(slots=True)
class ChaosRun:
    """What a scenario did, for the audit."""

    name: str
    start_block: int
    submitted: list[Submitted] = field(default_factory=list)
    recovery_seconds: list[float] = field(default_factory=list)
    """Per disruption: seconds until the next certificate landed after it ended."""
    aggregator_dirs: list[Path] = field(default_factory=list)
    aggregator_logs: list[Path] = field(default_factory=list)
    aggregator_accounts: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    """Run when the devnet stops (e.g. a proxy its processes still use until then)."""
    first_task: int = 0
    """Index of the first prepared task (scenarios on one devnet use distinct inputs)."""


def audit(devnet: Devnet, run: ChaosRun, exact_models: set[bytes]) -> dict[str, Any]:
    """The scenario's figures, read from the chain, the aggregators' stores and logs."""
    client = devnet.client
    head = client.block_number()
    events = ChainSubscriber(client, devnet.system.deployment).poll(run.start_block, head)
    certificates = Counter(e.task_index for e in events if isinstance(e, CertifiedTask))
    certified = {e.task_index: e for e in events if isinstance(e, CertifiedTask)}
    slashes = [e for e in events if isinstance(e, OperatorSlashed)]
    faulty = {op.operator_id for op in devnet.operators if op.address in devnet.faulty}
    indices = [s.task.task_index for s in run.submitted]
    expired_logged = _logged_expiries(run.aggregator_logs)
    expired = [i for i in indices if i not in certified and i in expired_logged]
    lost = undecided_tasks(indices, run.aggregator_logs, certified)
    slashed_tasks = {(s.task_index, s.operator_id) for s in slashes}
    provable = _provable_faults(run, certified, faulty, exact_models)
    reverted = _reverted(devnet, run.aggregator_accounts, run.start_block, head)
    return {
        "scenario": run.name,
        "submitted": len(indices),
        "certified": sum(1 for i in indices if i in certified),
        "certified_more_than_once": sum(1 for i in indices if certificates[i] > 1),
        "expired_with_logged_reason": len(expired),
        "lost": len(lost),
        "lost_tasks": lost,
        "honest_operators_slashed": sum(1 for s in slashes if s.operator_id not in faulty),
        "provable_faults": len(provable),
        "provable_faults_unslashed": sum(1 for key in provable if key not in slashed_tasks),
        "reverted_transactions": sum(r["transactions"] for r in reverted.values()),
        "reverted_gas": sum(r["gas"] for r in reverted.values()),
        "reverted_by_function": reverted,
        "recovery_seconds_median": _median(run.recovery_seconds),
        "recovery_seconds_max": max(run.recovery_seconds, default=None),
        **run.extra,
    }


def wait_for_verdicts(
    tasks: Sequence[int],
    logs: Sequence[Path],
    certified: Callable[[], Collection[int]],
    timeout: float = VERDICT_SECONDS,
) -> list[int]:
    """Wait until each of ``tasks`` is in ``certified()`` (read from the chain) or logged as
    expired in one of the aggregators' ``logs`` (or ``timeout`` s); returns those without
    either by then."""
    deadline = time.monotonic() + timeout
    while True:
        undecided = undecided_tasks(tasks, logs, certified())
        if not undecided or time.monotonic() > deadline:
            return undecided
        time.sleep(0.5)


def undecided_tasks(
    tasks: Sequence[int], logs: Sequence[Path], certified: Collection[int]
) -> list[int]:
    """The ``tasks`` neither in ``certified`` nor logged as expired in any of ``logs``."""
    expired = _logged_expiries(logs)
    return [i for i in tasks if i not in certified and i not in expired]


def _logged_expiries(logs: Iterable[Path]) -> set[int]:
    found: set[int] = set()
    for path in logs:
        if not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"task_expired"' in line:
                record = json.loads(line)
                if record.get("event") == "task_expired":
                    found.add(int(record["task"]))
    return found


def _provable_faults(
    run: ChaosRun,
    certified: dict[int, CertifiedTask],
    faulty: set[bytes],
    exact_models: set[bytes],
) -> set[tuple[int, bytes]]:
    """(task, operator) pairs: a faulty operator's stored response on a wrong exact result."""
    exact_tasks = {s.task.task_index for s in run.submitted if s.task.model_id in exact_models}
    found: set[tuple[int, bytes]] = set()
    for directory in run.aggregator_dirs:
        db = directory / "data" / "tasks.sqlite"
        if not db.is_file():
            continue
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT task_index, operator_id, result_bytes FROM responses")
            for task_index, operator_id, result_bytes in rows:
                event = certified.get(int(task_index))
                if event is None or int(task_index) not in exact_tasks:
                    continue
                op = bytes(operator_id)
                if op in faulty and keccak256(bytes(result_bytes)) != event.result_digest:
                    found.add((int(task_index), op))
    return found


def _reverted(
    devnet: Devnet, accounts: Sequence[str], lo: int, hi: int
) -> dict[str, dict[str, int]]:
    """Reverted transactions sent by ``accounts`` in blocks [lo, hi] and their gas, by the
    contract function they called (named from the deployment's ABIs)."""
    senders = {a.lower() for a in accounts}
    functions = _functions_by_selector(devnet)
    found: dict[str, dict[str, int]] = {}
    for number in range(lo, hi + 1):
        block = devnet.client.rpc("eth_getBlockByNumber", [hex(number), True])
        for tx in block["transactions"] if block else []:
            if str(tx["from"]).lower() not in senders:
                continue
            receipt = devnet.client.rpc("eth_getTransactionReceipt", [tx["hash"]])
            if int(receipt["status"], 16) == 0:
                to, selector = str(tx.get("to") or "").lower(), str(tx["input"])[:10].lower()
                name = functions.get((to, selector), f"unknown {selector}")
                row = found.setdefault(name, {"transactions": 0, "gas": 0})
                row["transactions"] += 1
                row["gas"] += int(receipt["gasUsed"], 16)
    return found


def _functions_by_selector(devnet: Devnet) -> dict[tuple[str, str], str]:
    """(contract address, 0x-selector) -> function name, for every deployed contract."""
    deployment = devnet.system.deployment
    names: dict[tuple[str, str], str] = {}
    for contract_name in deployment.contracts:
        try:
            contract = deployment.contract(contract_name)
        except (AvsError, OSError):  # a contract without an artifact here: left unnamed
            continue
        for function in contract.abi.functions.values():
            key = (contract.address.lower(), f"0x{function.selector.hex()}")
            names[key] = function.name
    return names


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
