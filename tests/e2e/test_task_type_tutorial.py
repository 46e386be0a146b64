"""docs/task-types.md as a developer follows it: scaffold, check, register, submit, certified.

Real processes throughout: the scaffolded package is installed (``pip --no-deps --target``,
put on PYTHONPATH so the devnet's operator processes load it too, and nothing is left in
the test venv), the devnet runs anvil, the aggregator and four operators, and every step is
an ``avs`` command from the tutorial, run from the directory a developer would be in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from avs.tasks.golden import parse_golden

TUTORIAL = Path(__file__).parents[2] / "docs" / "task-types.md"
TYPE_ID = "fraud-score"
FEE = "1000000000000"


class Shell:
    """Runs commands in the developer's directory with the package on PYTHONPATH."""

    def __init__(self, cwd: Path, site: Path) -> None:
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONPATH": str(site)}

    def run(self, *argv: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            list(argv), cwd=self.cwd, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, f"{argv}: {proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr
        return proc

    def avs(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "avs", *args)

    def avs_json(self, *args: str) -> Any:
        return json.loads(self.avs(*args, "--json").stdout)

    def start(self, *args: str, log: Path) -> subprocess.Popen[str]:
        with log.open("w") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "avs", *args], cwd=self.cwd, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Shell, Path]:
    """Step 1 and 2: ``avs task-type new`` and the install."""
    work = tmp_path_factory.mktemp("developer")
    shell = Shell(work, work / "site")
    made = shell.avs_json("task-type", "new", TYPE_ID)
    root = work / made["path"]
    shell.run(
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
        "--target", str(work / "site"), str(root),
    )  # fmt: skip
    return shell, root


@pytest.fixture
def devnet_up(package: tuple[Shell, Path]) -> Iterator[Shell]:
    """Step 4's ``avs devnet up --keep-running`` in the background; ``avs devnet down`` after."""
    shell, _ = package
    up = shell.start(
        "devnet", "up", "--tasks", "1", "--inputs-per-task", "4", "--keep-running",
        "--task-rate", "1", log=shell.cwd / "devnet.log",
    )  # fmt: skip
    try:
        wait_for(lambda: (shell.cwd / ".devnet" / "summary.json").exists(), up, shell.cwd)
        yield shell
    finally:
        subprocess.run([sys.executable, "-m", "avs", "devnet", "down"], cwd=shell.cwd, timeout=60)
        if up.poll() is None:
            up.kill()
        up.wait(timeout=30)


def wait_for(ready: Any, proc: subprocess.Popen[str], cwd: Path) -> None:
    deadline = time.monotonic() + 240
    while not ready():
        assert proc.poll() is None, (cwd / "devnet.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "the devnet did not come up"
        time.sleep(0.5)


def certified_view(shell: Shell, index: int, *target: str, ca_file: Path | None = None) -> Any:
    """``avs tasks show INDEX --json`` once the task exists and is certified (an aggregator
    other than the one in ``.devnet/`` is verified with ``ca_file``, as a user would set it)."""
    env = shell.env if ca_file is None else {**shell.env, "AVS_AGGREGATOR_CA_FILE": str(ca_file)}
    deadline = time.monotonic() + 120
    while True:
        proc = subprocess.run(
            [sys.executable, "-m", "avs", "tasks", "show", str(index), "--json", *target],
            cwd=shell.cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if proc.returncode == 0 and json.loads(proc.stdout)["status"] == "certified":
            return json.loads(proc.stdout)
        assert time.monotonic() < deadline, proc.stderr[-2000:]
        time.sleep(1)


def expected_labels(root: Path) -> list[int | None]:
    """The golden labels of the sample inputs, computed by the package's numpy reference."""
    case = parse_golden((root / TYPE_ID.replace("-", "_") / "golden.json").read_bytes())
    return [None if b == 0xFF else b for b in case.result]


def test_tutorial_commands_are_the_documented_ones() -> None:
    text = TUTORIAL.read_text()
    for command in (
        f"avs task-type new {TYPE_ID}",
        f"pytest --avs-task-type={TYPE_ID}",
        "avs devnet up --keep-running",
        f"avs task-types register {TYPE_ID}",
        f"avs models register {TYPE_ID}/fraud_score/model.onnx --task-type {TYPE_ID}",
        "avs tasks submit --model",
        "avs tasks show",
        f"avs devnet up --task-type {TYPE_ID}",
    ):
        assert command in text, command


def test_scaffold_passes_its_own_conformance_suite(package: tuple[Shell, Path]) -> None:
    shell, _root = package
    proc = shell.run(
        sys.executable, "-m", "pytest", f"--avs-task-type={TYPE_ID}", "-q",
        "-p", "no:cacheprovider", "-o", "addopts=", timeout=300,
    )  # fmt: skip
    assert "failed" not in proc.stdout
    assert "passed" in proc.stdout
    listed = shell.avs_json("task-types", "list")
    assert {"id": TYPE_ID, "exact": False} in [{k: t[k] for k in ("id", "exact")} for t in listed]


def test_from_registration_to_a_certified_task(
    package: tuple[Shell, Path], devnet_up: Shell
) -> None:
    shell, root = devnet_up, package[1]
    registered = shell.avs_json("task-types", "register", TYPE_ID)
    assert registered["tx_hash"] is not None
    model = shell.avs_json(
        "models", "register", f"{root}/fraud_score/model.onnx",
        "--task-type", TYPE_ID, "--fee-per-input", FEE,
    )  # fmt: skip
    assert model["created"] is True
    assert model["uri"] == f"avs-blob://{model['model_id']}"
    assert model["model_id"] in [m["model_id"] for m in shell.avs_json("models", "list")]

    task = shell.avs_json(
        "tasks", "submit", "--model", model["model_id"],
        "--inputs", f"{root}/sample_inputs.jsonl", "--wait",
    )  # fmt: skip
    assert task["status"] == "certified"
    assert task["fee_wei"] == int(FEE) * 8
    assert task["labels"] == expected_labels(root)
    assert task["labels_note"].startswith("certified result")  # the aggregator's copy
    assert len(task["certificate"]["signers"]) >= 3
    raw = shell.cwd / "result.bin"
    shell.avs("blobs", "get", task["certificate"]["result_digest"], "-o", str(raw))
    assert (
        raw.read_bytes() == parse_golden((root / "fraud_score" / "golden.json").read_bytes()).result
    )
    shown = shell.avs_json("tasks", "show", str(task["task_index"]))
    assert shown["certificate"] == task["certificate"]
    assert shown["labels"] == task["labels"]
    # --task-rate kept feeding demo tasks (index 0 was the summary's): they get certified too
    fed = certified_view(shell, 1)
    assert fed["input_count"] == 4
    assert len(fed["labels"]) == 4


def test_devnet_on_the_new_type_keeps_feeding_tasks(package: tuple[Shell, Path]) -> None:
    shell, root = package
    workdir = shell.cwd / "shortcut"
    up = shell.start(
        "devnet", "up", "--task-type", TYPE_ID, "--model", f"{root}/fraud_score/model.onnx",
        "--inputs", f"{root}/sample_inputs.jsonl", "--tasks", "1", "--keep-running",
        "--operators", "2", "--faulty", "0",
        "--task-rate", "2", "--summary-json", str(shell.cwd / "summary.json"),
        "--workdir", str(workdir), log=shell.cwd / "devnet.log",
    )  # fmt: skip
    try:
        wait_for(lambda: (shell.cwd / "summary.json").exists(), up, shell.cwd)
        summary = json.loads((shell.cwd / "summary.json").read_text())
        assert summary["tasks"] == {"submitted": 1, "certified": 1, "expired": 0, "overturned": 0}
        assert summary["inputs_certified"] == 8
        assert summary["certified_digest_mismatches"] == 0
        target = (
            "--rpc-url", (workdir / "rpc_url").read_text().strip(),
            "--deployment", str(workdir / "deployment.json"),
            "--aggregator", (workdir / "aggregator_url").read_text().strip(),
        )  # fmt: skip
        # the feed goes on creating tasks after the summary; one of them gets certified.
        # This devnet is not ./.devnet, so its aggregator's CA is named the documented way.
        view = certified_view(shell, 2, *target, ca_file=workdir / "tls" / "ca.pem")
        assert view["labels"] == expected_labels(root)
    finally:
        subprocess.run(
            [sys.executable, "-m", "avs", "devnet", "down", "--workdir", str(workdir)],
            cwd=shell.cwd, timeout=60, check=False,
        )  # fmt: skip
        if up.poll() is None:
            up.kill()
        up.wait(timeout=30)
