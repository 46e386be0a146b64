"""``avs keys create --type ecdsa``, ``avs keys import`` and ``avs keys list`` (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account

from avs.cli.main import cli
from avs.crypto.bls import KeyPair
from avs.keyfiles import load_bls_key, load_ecdsa_key

FAST = ("--scrypt-n", "16")
BLS_SECRET = 0xC0FFEE


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["keys", *args], input=input)


@pytest.fixture
def pwfile(tmp_path: Path) -> Path:
    path = tmp_path / "pw"
    path.write_text("pw\n")
    return path


def test_create_ecdsa_by_name_writes_web3_secret_storage(tmp_path: Path, pwfile: Path) -> None:
    result = run("create", "--type", "ecdsa", "--name", "op", "--dir", str(tmp_path),
                 "--password-file", str(pwfile), "--json", *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    path = tmp_path / "op.ecdsa.key.json"
    assert info["path"] == str(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["version"] == 3
    assert load_ecdsa_key(path, pwfile).address == info["address"]


def test_import_ecdsa_and_bls_round_trip(tmp_path: Path, pwfile: Path) -> None:
    ecdsa_secret = tmp_path / "ecdsa.txt"
    ecdsa_secret.write_text("0x" + "42" * 32 + "\n")
    bls_secret = tmp_path / "bls.txt"
    bls_secret.write_text(f"{BLS_SECRET}\n")  # eigenlayer-cli prints BLS keys in decimal
    pw = ("--password-file", str(pwfile), *FAST)
    result = run("import", "--type", "ecdsa", "--out", str(tmp_path / "e.json"),
                 "--private-key-file", str(ecdsa_secret), *pw)  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = Account.from_key(b"\x42" * 32).address
    assert f"address: {expected}" in result.stdout
    assert load_ecdsa_key(tmp_path / "e.json", pwfile).address == expected
    result = run("import", "--out", str(tmp_path / "b.json"), "--private-key-file",
                 str(bls_secret), "--password-file", str(pwfile), *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    operator_id = "0x" + KeyPair.from_secret(BLS_SECRET).operator_id.hex()
    assert f"operator id: {operator_id}" in result.stdout
    assert load_bls_key(tmp_path / "b.json", pwfile).secret == BLS_SECRET

    listed = run("list", str(tmp_path), "--json")
    assert listed.exit_code == 0, listed.output
    rows = {Path(r["path"]).name: (r["type"], r["id"]) for r in json.loads(listed.stdout)}
    assert rows["e.json"] == ("ecdsa", expected)
    assert rows["b.json"] == ("bls", operator_id)
    table = run("list", str(tmp_path))
    assert f"b.json  bls     {operator_id}" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "bls"), "the bls private key is out of range"),
        (("--type", "ecdsa"), "the ecdsa private key is out of range"),
    ],
)
def test_import_refuses_out_of_range_keys(
    tmp_path: Path, pwfile: Path, args: tuple[str, ...], message: str
) -> None:
    secret = tmp_path / "zero"
    secret.write_text("0")
    result = run("import", *args, "--out", str(tmp_path / "k.json"),
                 "--private-key-file", str(secret), "--password-file", str(pwfile))  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert not (tmp_path / "k.json").exists()


def test_out_or_name_exactly_one(tmp_path: Path, pwfile: Path) -> None:
    result = run("create", "--password-file", str(pwfile))
    assert result.exit_code == 2
    assert result.stderr == "error: give either --out FILE or --name NAME\n"


def test_list_of_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    result = run("list", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no key directory")
