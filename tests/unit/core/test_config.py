"""avs.config: YAML + AVS_* overrides, validated with clear errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from avs.config import load_config
from avs.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Metrics:
    port: int = 9090
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class RoleConfig:
    rpc_url: str
    key_file: Path
    quorums: tuple[int, ...] = (0,)
    threshold: float = 0.66
    metrics: Metrics = field(default_factory=Metrics)
    note: str | None = None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "role.yaml"
    path.write_text(text)
    return path


def test_yaml_values_are_converted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rpc_url: http://127.0.0.1:8545\nkey_file: ~/k.json\nquorums: [0, 1]\n"
        "metrics: {port: 9100}\n",
    )
    cfg = load_config(RoleConfig, path, env={})
    assert cfg.rpc_url == "http://127.0.0.1:8545"
    assert cfg.key_file == Path("~/k.json").expanduser()
    assert cfg.quorums == (0, 1)
    assert cfg.metrics == Metrics(port=9100, enabled=True)
    assert cfg.note is None


def test_environment_overrides_yaml_including_nested(tmp_path: Path) -> None:
    path = write(tmp_path, "rpc_url: http://a\nkey_file: k.json\n")
    env = {
        "AVS_RPC_URL": "http://b",
        "AVS_METRICS__PORT": "0x10",
        "AVS_METRICS__ENABLED": "false",
        "AVS_QUORUMS": "0,2",
        "OTHER": "ignored",
        "AVS_AGGREGATOR_SERVICE_HOST": "10.0.0.1",  # a Kubernetes service link, not ours
    }
    cfg = load_config(RoleConfig, path, env=env)
    assert cfg.rpc_url == "http://b"
    assert cfg.metrics == Metrics(port=16, enabled=False)
    assert cfg.quorums == (0, 2)


def test_environment_alone_is_enough() -> None:
    cfg = load_config(RoleConfig, None, env={"AVS_RPC_URL": "http://x", "AVS_KEY_FILE": "/k"})
    assert cfg.key_file == Path("/k")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rpc_url: http://a\n", "missing required setting 'key_file'"),
        ("rpc_url: http://a\nkey_file: k\nrpc: x\n", "unknown setting(s) rpc"),
        (
            "rpc_url: http://a\nkey_file: k\nmetrics: {port: many}\n",
            "metrics: port must be an integer",
        ),
        ("rpc_url: http://a\nkey_file: k\nmetrics: {enabled: maybe}\n", "must be true or false"),
        ("rpc_url: [1, 2]\nkey_file: k\n", "rpc_url must be a string"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("rpc_url: 'unterminated\n", "is not valid YAML"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"role\.yaml") as info:
        load_config(RoleConfig, write(tmp_path, text), env={})
    assert message in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(RoleConfig, tmp_path / "absent.yaml", env={})


def test_missing_setting_says_where_to_give_it() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(RoleConfig, None, env={"AVS_KEY_FILE": "/k"})
    message = str(info.value)
    assert message.startswith("environment: missing required setting 'rpc_url'")
    assert "--config" in message
    assert "AVS_RPC_URL" in message
