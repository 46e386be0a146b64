"""The cache answers like a cold scan and reads only new blocks; clear errors; chart; watch."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from avs.chain.anvil import free_port
from avs.cli.main import cli
from avs.stakers.indexer import REORG_DEPTH
from avs.stakers.session import Session, Target

from .stakers_scenario import Truth

pytestmark = pytest.mark.integration

AVS = [sys.executable, "-m", "avs"]


def invoke(truth: Truth, *args: str) -> tuple[int, str, str]:
    where = ["--rpc-url", truth.system.client.url, "--deployment", str(truth.deployment_file)]
    result = CliRunner().invoke(cli, ["operators", *args, *where])
    return result.exit_code, result.stdout, result.stderr


def test_cached_runs_equal_a_cold_scan(truth: Truth, tmp_path: Path) -> None:
    cache = str(tmp_path / "c.sqlite")
    outputs = [invoke(truth, "list", "--json", "--cache", cache) for _ in range(2)]
    outputs.append(invoke(truth, "list", "--json", "--no-cache"))
    outputs.append(invoke(truth, "show", truth.ops[2].address, "--json", "--cache", cache))
    outputs.append(invoke(truth, "show", truth.ops[2].address, "--json", "--no-cache"))
    assert all(code == 0 for code, _, _ in outputs), outputs
    assert outputs[0][1] == outputs[1][1] == outputs[2][1]
    assert outputs[3][1] == outputs[4][1]
    assert json.loads(outputs[0][1])["operators"]


def test_second_run_reads_only_new_blocks(
    truth: Truth, tmp_path: Path, chain_snapshot: None
) -> None:
    target = Target(truth.system.client.url, truth.deployment_file, tmp_path / "c.sqlite")
    with Session.open(target) as session:
        first = session.refresh()
        assert session.last_sync is not None
        assert session.last_sync.rebuilt
    truth.system.mine(5)
    with Session.open(target) as session:
        second = session.refresh()
        sync = session.last_sync
    assert sync is not None
    assert not sync.rebuilt
    assert second.head == first.head + 5
    assert sync.first_read == first.head - REORG_DEPTH + 1
    assert sync.blocks_read == REORG_DEPTH + 5
    # the pending task's deadline has not passed: still pending, nothing else changed
    assert [t.status for t in second.tasks] == [t.status for t in first.tasks]


def test_bad_rpc_url_is_one_line_error(truth: Truth) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    proc = subprocess.run(
        [*AVS, "operators", "list", "--rpc-url", url, "--deployment", str(truth.deployment_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: cannot reach the chain at {url} (connection refused)")


def test_unknown_operator_is_clear(truth: Truth) -> None:
    args = ["operators", "show", "0x" + "ab" * 20, "--no-cache"]
    args += ["--rpc-url", truth.system.client.url, "--deployment", str(truth.deployment_file)]
    proc = subprocess.run(
        [*AVS, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "error: operator 0x" + "ab" * 20 + " is not known to this AVS" in proc.stderr


def test_deployment_of_another_chain_state_is_clear(truth: Truth, tmp_path: Path) -> None:
    data = json.loads(truth.deployment_file.read_text())
    data["contracts"]["TaskManager"] = "0x" + "11" * 20
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data))
    result = CliRunner().invoke(
        cli,
        ["operators", "list", "--rpc-url", truth.system.client.url, "--deployment", str(wrong)],
    )
    assert result.exit_code != 0
    assert "no TaskManager contract at 0x1111" in result.stderr
    missing = CliRunner().invoke(
        cli, ["operators", "list", "--deployment", str(tmp_path / "none.json")]
    )
    assert missing.exit_code == 2
    assert "none.json not found" in missing.stderr


def test_chart_format_follows_the_extension(truth: Truth, tmp_path: Path) -> None:
    png, svg, txt = tmp_path / "op.png", tmp_path / "op.svg", tmp_path / "op.txt"
    code, out, err = invoke(truth, "chart", truth.ops[2].address, "--out", str(png), "--json")
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = json.loads(out)
    assert (written["path"], written["format"], written["slashes"]) == (str(png), "png", 1)
    assert written["buckets"] >= 5  # enough points to see a trend
    code, _, err = invoke(truth, "chart", truth.ops[2].address, "--out", str(svg))
    assert code == 0, err
    assert b"<svg" in svg.read_bytes()[:400]
    assert err.strip() == f"wrote {svg} (SVG)"
    code, _, err = invoke(truth, "chart", truth.ops[2].address, "--out", str(txt))
    assert code == 2
    assert "name the file .png or .svg" in err
    assert not txt.exists()


def test_watch_refreshes_on_new_blocks(truth: Truth, chain_snapshot: None) -> None:
    done = threading.Event()

    def miner() -> None:  # a block every half second until the watch returns
        while not done.wait(0.5):
            truth.system.mine(1)

    thread = threading.Thread(target=miner, daemon=True)
    thread.start()
    try:
        code, out, err = invoke(
            truth, "watch", "--json", "--count", "2", "--interval", "0.2", "--no-cache"
        )
    finally:
        done.set()
        thread.join()
    assert code == 0, err
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 2
    assert truth.head <= docs[0]["head_block"] < docs[1]["head_block"]
    assert all(d["kind"] == "operators.list" for d in docs)
