"""Supervision of the devnet's child processes, with a state file for ``avs devnet down``.

Children run in their own process groups with logs in files; stopping sends SIGTERM
(so operators finish in-flight tasks), then SIGKILL after a grace period. The state file
lists every pid, so a devnet left running (``--keep-running``, or a crash) can be
stopped later from another shell.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from avs.errors import AvsError


@dataclass(frozen=True, slots=True)
class ChildProcess:
    """A started child process."""

    name: str
    """Role and index, e.g. ``operator-2``."""
    pid: int
    """Process id (also its process-group id)."""
    log_path: Path
    """Where its stdout and stderr go."""


class ProcessGroup:
    """Starts, tracks and stops the devnet's processes."""

    def __init__(self, state_file: Path) -> None:
        self._state_file = state_file
        self._children: dict[str, tuple[ChildProcess, subprocess.Popen[bytes]]] = {}

    def start(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: dict[str, str] | None = None,
        niceness: int = 0,
    ) -> ChildProcess:
        """Start ``argv`` in a new session with output to ``log_path``; ``niceness`` > 0
        lowers its CPU priority (through ``nice``, which execs it: same pid)."""
        if name in self._children and self.is_running(name):
            raise AvsError(f"devnet process {name} is already running")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        command = list(argv)
        nice = shutil.which("nice") if niceness > 0 else None
        if nice is not None:
            command = [nice, "-n", str(niceness), *command]
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        child = ChildProcess(name, proc.pid, log_path)
        self._children[name] = (child, proc)
        self._save()
        return child

    def is_running(self, name: str) -> bool:
        """Whether the named child is still alive."""
        entry = self._children.get(name)
        return entry is not None and entry[1].poll() is None

    def exit_code(self, name: str) -> int | None:
        """The named child's exit code, or None while it runs."""
        return self._children[name][1].poll()

    def stop(self, name: str, grace: float = 10.0, sig: int = signal.SIGTERM) -> int | None:
        """Signal the child (default SIGTERM), wait up to ``grace`` s, then SIGKILL it."""
        entry = self._children.pop(name, None)
        if entry is None:
            return None
        _child, proc = entry
        if proc.poll() is None:
            _signal_group(proc.pid, sig)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self._save()
        return proc.returncode

    def stop_all(self, grace: float = 10.0) -> None:
        """Stop every child, operators and aggregator first, the chain last."""
        names = sorted(self._children, key=lambda n: n.startswith("anvil"))
        for name in names:
            entry = self._children.get(name)
            if entry is not None and entry[1].poll() is None:
                _signal_group(entry[1].pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name in names:
            self.stop(name, grace=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(FileNotFoundError):
            self._state_file.unlink()

    def children(self) -> list[ChildProcess]:
        """The children started and not yet stopped."""
        return [child for child, _proc in self._children.values()]

    def _save(self) -> None:
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "processes": [
                {"name": c.name, "pid": c.pid, "log": str(c.log_path)} for c in self.children()
            ]
        }
        tmp = self._state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self._state_file)


def running_from_state_file(state_file: Path) -> list[str]:
    """Names of the processes listed in a devnet state file that are still alive."""
    try:
        data = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return []
    return [str(p["name"]) for p in data.get("processes", []) if _alive(int(p["pid"]))]


def stop_from_state_file(state_file: Path, grace: float = 10.0) -> list[str]:
    """Stop every process listed in a devnet state file; returns the names stopped."""
    try:
        data = json.loads(state_file.read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise AvsError(f"devnet state file {state_file} is unreadable: {exc}") from exc
    entries = [(str(p["name"]), int(p["pid"])) for p in data.get("processes", [])]
    entries.sort(key=lambda e: e[0].startswith("anvil"))
    stopped = []
    for name, pid in entries:
        if _signal_group(pid, signal.SIGTERM):
            stopped.append(name)
    deadline = time.monotonic() + grace
    for _name, pid in entries:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
    state_file.unlink(missing_ok=True)
    return stopped


def _signal_group(pid: int, sig: int) -> bool:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists"; reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def wait_for_file(path: Path, timeout: float, process: ProcessGroup, name: str) -> str:
    """Wait until ``path`` exists and is non-empty (a child writes it when ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0:
            return path.read_text().strip()
        if not process.is_running(name):
            raise AvsError(f"devnet process {name} exited early; see its log")
        time.sleep(0.05)
    raise AvsError(f"devnet process {name} did not become ready in {timeout:.0f}s")
