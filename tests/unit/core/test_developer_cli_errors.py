"""The developer commands answer bad input and unreachable services with one ``error:`` line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from avs.cli.main import cli

CLOSED = "127.0.0.1:1"  # nothing listens on port 1 of the loopback interface


def run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: "), result.output
    assert result.output.count("\n") == 1, result.output
    return result.output


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "in.jsonl").write_text("[1, 2, 3, 4]\n")
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    return tmp_path


def test_devnet_custom_workload_flags_go_together(files: Path) -> None:
    out = run(["devnet", "up", "--task-type", "int-mlp", "--inputs", str(files / "in.jsonl")])
    assert "go together" in out
    out = run(
        ["devnet", "up", "--task-type", "nope", "--model", str(files / "model.onnx"),
         "--inputs", str(files / "in.jsonl")]
    )  # fmt: skip
    assert "unknown task type 'nope'" in out
    assert "needs --keep-running" in run(["devnet", "up", "--task-rate", "1"])


def test_blobs_against_an_unreachable_aggregator(files: Path) -> None:
    assert "PutBlob" in run(["blobs", "put", str(files / "in.jsonl"), "--aggregator", CLOSED])
    assert "expected 32" in run(["blobs", "get", "0x1234", "--aggregator", CLOSED])
    assert "cannot read file" in run(["blobs", "put", str(files / "absent")])


def test_models_register_checks_the_file_before_any_chain_call(files: Path) -> None:
    base = ["models", "register", str(files / "model.onnx"), "--fee-per-input", "1"]
    assert "unknown task type" in run([*base, "--task-type", "nope"])
    assert "onnx" in run([*base, "--task-type", "int-mlp"]).lower()
    assert "not a 0x-prefixed 20-byte address" in run(
        [*base, "--task-type", "int-mlp", "--verifier", "0x12"]
    )


def test_tasks_against_an_unreachable_chain(files: Path) -> None:
    rpc = ["--rpc-url", "http://" + CLOSED, "--deployment", str(files / "none.json")]
    assert "not found" in run(["tasks", "show", "3", *rpc])
    out = run(["tasks", "submit", "--model", "0x12", "--inputs", str(files / "in.jsonl"), *rpc])
    assert "not found" in out or "--model" in out


def test_tasks_consumer_options_are_checked_before_any_chain_call(files: Path) -> None:
    rpc = ["--rpc-url", "http://" + CLOSED, "--deployment", str(files / "none.json")]
    base = ["tasks", "submit", "--model", "0x12", "--inputs", str(files / "in.jsonl"), *rpc]
    assert "not an address" in run([*base, "--consumer", "0x12"])
    consumer = ["--consumer", "0x" + "ab" * 20]
    assert "not a number or 0x-hex" in run([*base, *consumer, "--context", "agreement"])
    assert "fit in 32 bytes" in run([*base, *consumer, "--context", "0x1" + "0" * 64])
    assert "not found" in run(["tasks", "finalize", "3", *rpc])
