"""Deployment JSON, deploy parameter safety, and ECDSA key files (no network)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account

from avs.chain.compiled import artifact_names
from avs.chain.deployment import Deployment, DeployParams
from avs.chain.keys import load_ecdsa_key
from avs.errors import ConfigError, InputError, KeystoreError

KEY = bytes.fromhex("11" * 32)


def sample() -> Deployment:
    contracts = {name: "0x" + f"{i + 1:040x}" for i, name in enumerate(artifact_names())}
    return Deployment(31337, 5, "0x" + "ab" * 20, contracts, (0, 1), DeployParams(quorum_count=2))


def test_json_round_trip(tmp_path: Path) -> None:
    d = sample()
    path = tmp_path / "deployment.json"
    d.save(path)
    loaded = Deployment.load(path)
    assert {k: v.lower() for k, v in loaded.contracts.items()} == d.contracts
    assert loaded.chain_id == 31337
    assert loaded.block == 5
    assert loaded.quorum_numbers == (0, 1)
    assert loaded.params == d.params
    assert loaded.token == loaded.contracts["DevnetToken"]
    data = json.loads(path.read_text())
    assert data["params"]["task_types"] == {"onnx-classify": False, "int-mlp": True}
    assert loaded.contract("TaskManager").abi.function("createTask")


def test_load_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run 'avs deploy' first"):
        Deployment.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ConfigError, match="not JSON"):
        Deployment.load(bad)
    bad.write_text(json.dumps({"chain_id": 1}))
    with pytest.raises(ConfigError, match="malformed"):
        Deployment.load(bad)
    data = sample().to_json()
    data["contracts"]["TaskManager"] = "0x1234"
    with pytest.raises(ConfigError, match="TaskManager address"):
        Deployment.from_json(data)
    with pytest.raises(ConfigError, match="no contract 'Nope'"):
        sample().contract("Nope")


def test_params_validation() -> None:
    DeployParams().validate()
    with pytest.raises(ConfigError, match="could leave before a fault is proven"):
        replace(DeployParams(), challenge_window_blocks=1_000).validate()
    window = DeployParams().max_response_window_blocks + DeployParams().challenge_window_blocks
    with pytest.raises(ConfigError, match="must be below"):  # the delay must exceed the window
        replace(DeployParams(), deallocation_delay_blocks=window).validate()
    with pytest.raises(ConfigError, match="quorum_count"):
        replace(DeployParams(), quorum_count=0).validate()
    with pytest.raises(ConfigError, match="slash fractions"):
        replace(DeployParams(), wrong_result_slash_wad=0).validate()
    with pytest.raises(ConfigError, match="min_threshold_bps"):
        replace(DeployParams(), min_threshold_bps=10_001).validate()


def test_hex_key_files(tmp_path: Path) -> None:
    path = tmp_path / "k"
    for text in ("0x" + KEY.hex() + "\n", KEY.hex()):
        path.write_text(text)
        assert load_ecdsa_key(path) == KEY
    path.write_text("0x1234")
    with pytest.raises(InputError, match="32 bytes"):
        load_ecdsa_key(path)
    path.write_text("not a key")
    with pytest.raises(InputError, match="neither a keystore nor a hex private key"):
        load_ecdsa_key(path)
    with pytest.raises(InputError, match="cannot read key file"):
        load_ecdsa_key(tmp_path / "absent")


def test_keystore_files(tmp_path: Path) -> None:
    keystore = tmp_path / "ks.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, "pw", iterations=2)))
    password = tmp_path / "pw"
    password.write_text("pw\n")
    assert load_ecdsa_key(keystore, password) == KEY
    with pytest.raises(InputError, match="pass its password file"):
        load_ecdsa_key(keystore)
    password.write_text("wrong")
    with pytest.raises(KeystoreError, match="cannot decrypt"):
        load_ecdsa_key(keystore, password)
