"""`avs devnet up` as a user runs it: every task certified, the faulty operator slashed."""

from __future__ import annotations

import json
import subprocess
import sys
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
    assert summary["tasks"] == {"submitted": 20, "certified": 20, "expired": 0}
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
    # wrong labels are never certified; on the exact task type (every other task) they are
    # dissent the aggregator proves on chain
    assert faulty[0]["signed"] == 0
    assert faulty[0]["dissented"] >= 1
    assert int(faulty[0]["stake_after"]) < int(faulty[0]["stake_before"])
    assert int(faulty[0]["fees_earned"]) == 0
    # the per-operator table is printed for people
    assert "faulty" in proc.stdout
    # nothing is left running
    assert not (tmp_path / "devnet" / "state.json").exists()
