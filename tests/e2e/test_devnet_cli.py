"""`avs devnet up` as a user runs it: every task certified, faulty operators slashed for
what re-execution proves wrong, honest ones never (a faulty minority and a faulty majority)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def test_devnet_up_certifies_every_task_and_slashes_the_faulty_operator(tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.json"
    proc = subprocess.run(
        [sys.executable, "-m", "avs", "devnet", "up", "--operators", "4", "--faulty", "1",
         "--tasks", "20", "--workdir", str(tmp_path / "devnet"),
         "--summary-json", str(summary_file)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    summary = json.loads(summary_file.read_text())
    assert summary["tasks"] == {"submitted": 20, "certified": 20, "expired": 0, "overturned": 0}
    assert summary["honest_operators_slashed"] == 0
    assert summary["certified_digest_mismatches"] == 0
    assert summary["accuracy"] > 0.9
    assert summary["latency"]["blocks_p50"] >= 1
    honest = [op for op in summary["operators"] if not op["faulty"]]
    faulty = [op for op in summary["operators"] if op["faulty"]]
    assert len(honest) == 3
    assert len(faulty) == 1
    for op in honest:
        assert op["signed"] == 20
        assert op["stake_after"] == op["stake_before"]
        assert int(op["fees_earned"]) > 0
    # wrong labels are never certified; on the exact task type (every other task) the
    # aggregator's watchtower proves them wrong by on-chain re-execution
    assert faulty[0]["signed"] == 0
    assert faulty[0]["dissented"] >= 1
    assert faulty[0]["slashed_count"]["wrong_result"] >= 1
    assert faulty[0]["slashed_count"]["wrong_certificate"] == 0
    assert int(faulty[0]["stake_after"]) < int(faulty[0]["stake_before"])
    assert int(faulty[0]["fees_earned"]) == 0
    # the example consumers acted on certified results (the payee is paid iff the certified
    # labels hit the target as often as the honest ones do)
    pay, verdict = (
        summary["consumers"]["pay_if_confident"],
        summary["consumers"]["verdict_registry"],
    )
    assert pay["delivery"] == verdict["delivery"] == "delivered"
    assert pay["delivered_by"] == "aggregator"  # finalize_consumer_tasks, not by hand
    assert pay["paid"] is True
    assert pay["matches"] == pay["min_matches"]
    assert int(pay["payee_owed_wei"]) > 0
    assert verdict["recorded"] is True
    assert verdict["is_final"] is True
    assert verdict["votes"] >= 1
    # the per-operator table is printed for people
    assert "faulty" in proc.stdout
    assert "PayIfConfident" in proc.stdout
    # nothing is left running
    assert not (tmp_path / "devnet" / "state.json").exists()


def test_faulty_majority_is_overturned_and_honest_stake_stays(tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.json"
    proc = subprocess.run(
        [sys.executable, "-m", "avs", "devnet", "up", "--operators", "4", "--faulty", "3",
         "--tasks", "4", "--inputs-per-task", "8", "--workdir", str(tmp_path / "devnet"),
         "--summary-json", str(summary_file)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "overturned on chain" in proc.stderr  # the startup warning says what will happen
    summary = json.loads(summary_file.read_text())
    # tasks alternate int-mlp / onnx-classify: the two exact certificates are overturned
    assert summary["tasks"] == {"submitted": 4, "certified": 4, "expired": 0, "overturned": 2}
    assert summary["honest_operators_slashed"] == 0
    (honest,) = [op for op in summary["operators"] if not op["faulty"]]
    assert honest["stake_after"] == honest["stake_before"]
    assert honest["vindicated"] == 2
    assert honest["dissented"] == 0
    # the consumer of an exact task never sees a certificate that was overturned
    assert summary["consumers"]["pay_if_confident"]["delivery"] == "cancelled"
    assert summary["consumers"]["pay_if_confident"]["paid"] is False
    for op in (op for op in summary["operators"] if op["faulty"]):
        assert op["slashed_count"]["wrong_certificate"] == 2
        assert int(op["stake_after"]) < int(op["stake_before"])


def test_keep_running_until_devnet_down(tmp_path: Path) -> None:
    workdir = tmp_path / "devnet"
    up = subprocess.Popen(
        [sys.executable, "-m", "avs", "devnet", "up", "--tasks", "2", "--inputs-per-task", "4",
         "--keep-running", "--workdir", str(workdir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not (workdir / "summary.json").exists():
            assert up.poll() is None, up.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "devnet did not finish its tasks"
            time.sleep(0.5)
        # the chain is still up for other commands
        rpc_url = (workdir / "rpc_url").read_text().strip()
        status = subprocess.run(
            [sys.executable, "-m", "avs", "operators", "list", "--json", "--rpc-url", rpc_url,
             "--deployment", str(workdir / "deployment.json"), "--cache", str(tmp_path / "c.db")],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert status.returncode == 0, status.stderr
        down = subprocess.run(
            [sys.executable, "-m", "avs", "devnet", "down", "--workdir", str(workdir)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert "anvil" in down.stdout
        assert up.wait(timeout=30) == 0
        assert not (workdir / "state.json").exists()
    finally:
        if up.poll() is None:
            up.kill()
