"""A real aggregator cut off from its RPC endpoint (the chaos suite's loopback proxy, which
refuses, then hangs) loses no task: once the chain answers again, every task whose deadline
passed meanwhile, including one created during the outage, is closed as expired with a
logged reason (the chaos audit's "lost" is a task with neither a certificate nor that line).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.devnet.nodes import write_ecdsa_key, write_password
from avs.logging import configure_logging
from avs_aggregator.app import run_aggregator
from avs_aggregator.config import AggregatorConfig

from .systems import SmallSystem

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from benchmarks.chaos_proxy import RpcProxy

WINDOW = 4


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Starts from the module's freshly deployed small_system."""


@pytest.fixture
def json_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Captured stderr; logging goes back to the defaults afterwards (a logger left bound
    to the closed capture would break later tests)."""
    try:
        yield capfd
    finally:
        structlog.reset_defaults()


def test_tasks_expiring_during_an_outage_are_closed_with_a_logged_reason(
    small_system: SmallSystem, tmp_path: Path, json_logs: pytest.CaptureFixture[str]
) -> None:
    configure_logging("info", json=True)  # bound to this phase's captured stderr
    dev = small_system.dev
    host, port = dev.client.url.removeprefix("http://").split(":")
    proxy = RpcProxy((host, int(port))).start()
    deployment = tmp_path / "deployment.json"
    dev.deployment.save(deployment)
    cfg = AggregatorConfig(
        rpc_url=proxy.url, deployment=deployment, data_dir=tmp_path / "data",
        ecdsa_key_file=write_ecdsa_key(tmp_path, bytes.fromhex(DEV_PRIVATE_KEYS[1][2:])),
        ecdsa_password_file=write_password(tmp_path), listen="127.0.0.1:0",
        port_file=tmp_path / "port", metrics_port=-1, poll_interval=0.1, allow_plaintext=True,
    )  # fmt: skip

    async def scenario() -> list[int]:
        stop = asyncio.Event()
        aggregator = asyncio.create_task(run_aggregator(cfg, stop))
        try:
            before = dev.create_task(small_system.float_model, [0], window=WINDOW)
            await _until(lambda: _state(cfg.task_db, before.task_index) == "open")
            proxy.set_mode("refuse")
            during = dev.create_task(small_system.float_model, [0], window=WINDOW)
            for _ in range(WINDOW + 2):  # both deadlines pass while the aggregator is cut off
                dev.client.rpc("evm_mine")
            await asyncio.sleep(0.5)
            proxy.set_mode("hang")
            await asyncio.sleep(1.0)
            proxy.set_mode("pass")
            tasks = [before.task_index, during.task_index]
            await _until(lambda: all(_state(cfg.task_db, i) == "expired" for i in tasks))
            return tasks
        finally:
            stop.set()
            await aggregator

    try:
        tasks = asyncio.run(scenario())
    finally:
        proxy.stop()
    lines = [json.loads(line) for line in json_logs.readouterr().err.splitlines() if "{" in line]
    expired = {line["task"] for line in lines if line.get("event") == "task_expired"}
    assert expired == set(tasks)
    events = [line.get("event") for line in lines]
    assert events.count("chain_poll_failed") == 1  # one line when the chain is lost...
    assert events.count("chain_poll_recovered") == 1  # ...and one when it answers again


def _state(db: Path, task_index: int) -> str | None:
    if not db.is_file():
        return None
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT state FROM tasks WHERE task_index = ?", (task_index,)).fetchone()
    return None if row is None else str(row[0])


async def _until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)
