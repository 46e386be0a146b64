"""Key files from the config, the devnet fault, and live service states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from avs.crypto.bls import KeyPair
from avs.crypto.keystore import save_keystore
from avs.errors import ConfigError, KeystoreError
from avs.keyfiles import load_bls_key, load_ecdsa_key, read_password
from avs.nodeapi import ServiceStatus
from avs.protocol import ABSTAIN
from avs_operator.faults import inject_fault
from avs_operator.health import AGGREGATOR, CHAIN, ServiceTracker


def test_bls_key_loads_with_the_password_file(tmp_path: Path) -> None:
    key = KeyPair.from_secret(12345)
    save_keystore(tmp_path / "bls.json", key, "pw 1 ", scrypt_n=2)
    (tmp_path / "pw").write_text("pw 1 \n")
    assert load_bls_key(tmp_path / "bls.json", tmp_path / "pw").operator_id == key.operator_id
    (tmp_path / "bad").write_text("nope")
    with pytest.raises(KeystoreError):
        load_bls_key(tmp_path / "bls.json", tmp_path / "bad")


def test_password_file_errors_are_config_errors(tmp_path: Path) -> None:
    assert read_password(None, "BLS key") == ""
    with pytest.raises(ConfigError, match="cannot read BLS key password file"):
        read_password(tmp_path / "absent", "BLS key")


def test_ecdsa_keystore_round_trip_and_wrong_password(tmp_path: Path) -> None:
    account = Account.create()
    doc = Account.encrypt(account.key, "secret", kdf="scrypt", iterations=2)
    (tmp_path / "ecdsa.json").write_text(json.dumps(doc))
    (tmp_path / "pw").write_text("secret\n")
    (tmp_path / "wrong").write_text("other")
    loaded = load_ecdsa_key(tmp_path / "ecdsa.json", tmp_path / "pw")
    assert loaded.address == account.address
    with pytest.raises(KeystoreError, match="check the password file"):
        load_ecdsa_key(tmp_path / "ecdsa.json", tmp_path / "wrong")
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(KeystoreError, match="not valid JSON"):
        load_ecdsa_key(tmp_path / "junk.json", tmp_path / "pw")
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(KeystoreError, match="not a geth v3 keystore"):
        load_ecdsa_key(tmp_path / "other.json", tmp_path / "pw")


def test_wrong_label_shifts_labels_and_keeps_abstentions() -> None:
    result = bytes([0, 3, 9, ABSTAIN])
    assert inject_fault("", result) == result
    assert inject_fault("wrong_label", result) == bytes([1, 4, 0, ABSTAIN])
    with pytest.raises(ValueError, match="unknown devnet fault"):
        inject_fault("flip", result)


def test_tracker_reports_health_and_score() -> None:
    scores: list[float] = []
    tracker = ServiceTracker((CHAIN, AGGREGATOR), on_change=scores.append)
    assert {s.status for s in tracker.states()} == {ServiceStatus.INITIALIZING}
    assert tracker.score() == 0
    tracker.set(CHAIN, ServiceStatus.UP)
    tracker.set(CHAIN, ServiceStatus.UP)  # no change, no callback
    tracker.set(AGGREGATOR, ServiceStatus.UP)
    tracker.set("disabled-source", ServiceStatus.UP)  # untracked: ignored
    assert scores == [50.0, 100.0]
    assert [s.id for s in tracker.states()] == [CHAIN, AGGREGATOR]
