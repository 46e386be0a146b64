"""avs.logging: secrets never reach a log line."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from avs.cli.logsetup import LogSettings, configure_for_humans, use_service_logging
from avs.logging import REDACTED, configure_logging, get_logger, redact_secrets


def test_secret_named_keys_are_masked() -> None:
    event = {
        "event": "key_loaded",
        "password": "hunter2",
        "private_key": "0x" + "ab" * 32,
        "bls_key_file": "/secrets/bls.json",
        "operator_id": "0x" + "cd" * 32,
        "signing_key": "ab" * 32,
    }
    out = redact_secrets(None, "info", dict(event))
    assert out["password"] == REDACTED
    assert out["private_key"] == REDACTED
    assert out["signing_key"] == REDACTED
    assert out["bls_key_file"] == "/secrets/bls.json"
    assert out["operator_id"] == event["operator_id"]
    assert out["event"] == "key_loaded"


def test_json_lines_when_requested(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json=True)
    get_logger(component="test").info("task_signed", task=7, password="x")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "task_signed"
    assert record["component"] == "test"
    assert record["task"] == 7
    assert record["password"] == REDACTED
    assert record["level"] == "info"


def test_level_filters_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", json=True)
    get_logger().info("quiet")
    get_logger().warning("loud")
    err = capsys.readouterr().err
    assert "loud" in err
    assert "quiet" not in err


def test_module_level_logger_follows_later_configuration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    early = get_logger(component="early")  # as a module does at import time
    configure_logging("error", json=True)
    early.warning("hidden")
    early.error("shown")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert json.loads(err.strip().splitlines()[-1])["component"] == "early"


def test_console_shows_a_repeated_warning_once(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json=False)
    log = get_logger(component="selftest")
    for _ in range(16):
        log.warning("provider_unavailable", provider="CUDAExecutionProvider")
    log.warning("provider_unavailable", provider="ROCMExecutionProvider")
    err = capsys.readouterr().err
    assert err.count("CUDAExecutionProvider") == 1
    assert err.count("ROCMExecutionProvider") == 1


def test_json_keeps_every_repeat_for_collectors(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json=True)
    for _ in range(3):
        get_logger().warning("rpc_down", url="http://127.0.0.1:1")
    assert capsys.readouterr().err.count('"rpc_down"') == 3


def _command(service: bool, fmt: str) -> click.Command:
    @click.command()
    @click.pass_context
    def command(ctx: click.Context) -> None:
        configure_for_humans(ctx, LogSettings("info", fmt))
        if service:
            use_service_logging()
        get_logger().warning("something_odd", detail=1)

    return command


@pytest.mark.parametrize(
    ("service", "fmt", "json_lines"),
    [(False, "auto", False), (True, "auto", True), (False, "json", True), (True, "console", False)],
)
def test_log_format_off_a_terminal(service: bool, fmt: str, json_lines: bool) -> None:
    result = CliRunner().invoke(_command(service, fmt), [])
    assert result.exit_code == 0, result.output
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("{") is json_lines
    assert "something_odd" in line
