"""avs.logging: secrets never reach a log line."""

from __future__ import annotations

import json

import pytest

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
