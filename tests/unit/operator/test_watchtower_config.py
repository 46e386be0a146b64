"""The operator's watchtower settings: on by default, check-only without a key, and a key
with the watchtower off is refused rather than silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from avs_operator.config import OperatorConfig
from avs_operator.watch import load_challenger


def config(tmp_path: Path, **overrides: object) -> OperatorConfig:
    return OperatorConfig(
        rpc_url="http://127.0.0.1:8545",
        deployment=tmp_path / "deployment.json",
        bls_key_file=tmp_path / "bls.json",
        ecdsa_key_file=tmp_path / "ecdsa.json",
        data_dir=tmp_path / "data",
        aggregator_url="127.0.0.1:50051",
        **overrides,  # type: ignore[arg-type]
    )


def test_watchtower_is_on_and_check_only_by_default(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert cfg.watchtower is True
    assert load_challenger(cfg) is None  # no key: nothing is loaded, no chain contacted


def test_a_key_with_the_watchtower_off_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="watchtower_key_file is set but watchtower is off"):
        config(tmp_path, watchtower=False, watchtower_key_file=tmp_path / "key")
