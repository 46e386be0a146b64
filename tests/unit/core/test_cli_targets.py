"""The developer commands find a running devnet from the files it writes in the working dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from avs.cli.targets import (
    FALLBACK_AGGREGATOR,
    FALLBACK_RPC_URL,
    chain_target,
    default_aggregator,
    default_rpc_url,
)


def test_defaults_come_from_the_devnet_then_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (default_rpc_url(), default_aggregator()) == (FALLBACK_RPC_URL, FALLBACK_AGGREGATOR)
    (tmp_path / ".devnet").mkdir()
    (tmp_path / ".devnet" / "rpc_url").write_text("http://127.0.0.1:40001\n")
    (tmp_path / ".devnet" / "aggregator_url").write_text("127.0.0.1:40002\n")
    assert default_rpc_url() == "http://127.0.0.1:40001"
    assert default_aggregator() == "127.0.0.1:40002"
    explicit = chain_target("http://10.0.0.1:8545", Path("d.json"))
    assert explicit.rpc_url == "http://10.0.0.1:8545"
    assert chain_target(None, Path("d.json")).rpc_url == "http://127.0.0.1:40001"
