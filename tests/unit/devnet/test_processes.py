"""Devnet process supervision: children stop on request, also from the state file."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from avs.devnet.processes import ProcessGroup, stop_from_state_file

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
IGNORES_TERM = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
]


def test_start_and_stop_all(tmp_path: Path) -> None:
    group = ProcessGroup(tmp_path / "state.json")
    group.start("operator-0", SLEEPER, tmp_path / "op0.log")
    group.start("anvil", SLEEPER, tmp_path / "anvil.log")
    assert group.is_running("operator-0")
    assert (tmp_path / "state.json").exists()
    group.stop_all(grace=5)
    assert group.children() == []
    assert not (tmp_path / "state.json").exists()


def test_stubborn_child_is_killed_after_grace(tmp_path: Path) -> None:
    group = ProcessGroup(tmp_path / "state.json")
    group.start("stubborn", IGNORES_TERM, tmp_path / "s.log")
    time.sleep(0.5)
    code = group.stop("stubborn", grace=0.5)
    assert code is not None
    assert code < 0


def test_down_from_state_file_stops_orphans(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    group = ProcessGroup(state)
    child = group.start("aggregator", SLEEPER, tmp_path / "agg.log")
    deadline = time.monotonic() + 10
    while not child.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = stop_from_state_file(state, grace=5)
    assert stopped == ["aggregator"]
    assert not state.exists()
    assert group.exit_code("aggregator") is not None
    assert stop_from_state_file(state) == []


def test_devnet_down_json_lists_what_was_stopped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from avs.cli.main import cli

    group = ProcessGroup(tmp_path / "state.json")
    child = group.start("anvil", SLEEPER, tmp_path / "anvil.log")
    deadline = time.monotonic() + 10
    while not child.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    result = CliRunner().invoke(cli, ["devnet", "down", "--workdir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"stopped": ["anvil"]}
    again = CliRunner().invoke(cli, ["devnet", "down", "--workdir", str(tmp_path), "--json"])
    assert json.loads(again.stdout) == {"stopped": []}


def test_a_niced_child_runs_at_lower_priority_with_the_pid_recorded(tmp_path: Path) -> None:
    group = ProcessGroup(tmp_path / "state.json")
    reports = [sys.executable, "-c", "import os; print(os.getpid(), os.nice(0), flush=True)"]
    child = group.start("operator-0", reports, tmp_path / "op0.log", niceness=10)
    deadline = time.monotonic() + 10
    while not child.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid, niceness = map(int, child.log_path.read_text().split())
    assert pid == child.pid  # nice execs the program: stopping by pid still works
    assert niceness == os.nice(0) + 10
    group.stop_all(grace=5)
