"""``avs keys``: in-process through the root group (CliRunner) and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from avs.cli.main import cli
from avs.crypto.jsonfmt import word

FAST_N = "4096"
PWF = "--password-file"
MESSAGE = "0x" + "ab" * 32


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["keys", *args], input=input)


def create(out: Path, *extra: str, input: str | None = None) -> Result:
    return run("create", "--out", str(out), "--scrypt-n", FAST_N, *extra, input=input)


@pytest.fixture
def pwfile(tmp_path: Path) -> Path:
    path = tmp_path / "pw.txt"
    path.write_text("s3cret pw \n")  # trailing space kept, one newline stripped
    return path


@pytest.fixture
def keyfile(tmp_path: Path, pwfile: Path) -> Path:
    out = tmp_path / "op.bls.key.json"
    result = create(out, PWF, str(pwfile))
    assert result.exit_code == 0, result.output
    return out


def test_create_show_sign_verify(tmp_path: Path, keyfile: Path, pwfile: Path) -> None:
    shown = run("show", str(keyfile), PWF, str(pwfile), "--json")
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.stdout)
    assert set(info) == {"operator_id", "pubkey_g1", "pubkey_g2"}
    assert all(len(v) == 66 for v in [*info["pubkey_g2"]["x"], info["pubkey_g1"]["y"]])
    signed = run("sign", str(keyfile), PWF, str(pwfile), "--message", MESSAGE, "--json")
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["message"] == MESSAGE
    (tmp_path / "pub.json").write_text(shown.stdout)
    (tmp_path / "sig.json").write_text(signed.stdout)
    args = ["--pubkey-json", str(tmp_path / "pub.json"), "--signature-json"]
    ok = run("verify", *args, str(tmp_path / "sig.json"), "--message", MESSAGE)
    assert ok.exit_code == 0, ok.output
    bad = run("verify", *args, str(tmp_path / "sig.json"), "--message", "0x" + "cd" * 32)
    assert bad.exit_code == 1
    assert "invalid" in bad.stderr
    # Only the {x, y} parts are accepted too.
    (tmp_path / "pub2.json").write_text(json.dumps(info["pubkey_g2"]))
    (tmp_path / "sig2.json").write_text(json.dumps(json.loads(signed.stdout)["signature"]))
    part = run(
        "verify", "--pubkey-json", str(tmp_path / "pub2.json"),
        "--signature-json", str(tmp_path / "sig2.json"), "--message", MESSAGE,
    )  # fmt: skip
    assert part.exit_code == 0, part.output


def test_show_fixture_matches_known_pubkey(keystores: Path, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("edge-avs-fixture")  # no trailing newline at all
    result = run(
        "show",
        str(keystores / "sk69.bls.key.json"),
        PWF,
        str(tmp_path / "pw"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    g2 = json.loads(result.stdout)["pubkey_g2"]
    # BLSMockAVSDeployer.aggSignerApkG2 (69 * g2), EVM order [imag, real].
    assert g2["x"] == [
        word(5334410886741819556325359147377682006012228123419628681352847439302316235957),
        word(19101821850089705274637533855249918363070101489527618151493230256975900223847),
    ]


def test_human_readable_show(keyfile: Path, pwfile: Path) -> None:
    result = run("show", str(keyfile), PWF, str(pwfile))
    assert result.exit_code == 0
    assert "operator id: 0x" in result.stdout
    assert "[imag, real]" in result.stdout


def test_create_refuses_overwrite_without_force(keyfile: Path, pwfile: Path) -> None:
    before = keyfile.read_text()
    again = run("create", "--out", str(keyfile), PWF, str(pwfile), "--scrypt-n", FAST_N)
    assert again.exit_code != 0
    assert "already exists" in again.stderr
    assert keyfile.read_text() == before
    forced = run(
        "create",
        "--out",
        str(keyfile),
        PWF,
        str(pwfile),
        "--scrypt-n",
        FAST_N,
        "--force",
    )
    assert forced.exit_code == 0
    assert keyfile.read_text() != before


def test_create_prompts_twice(tmp_path: Path) -> None:
    out = tmp_path / "k.json"
    mismatch = create(out, input="aaa\nbbb\n")
    assert mismatch.exit_code != 0
    assert not out.exists()
    result = create(out, input="pw1\npw1\n")
    assert result.exit_code == 0, result.output
    assert "pw1" not in result.stdout  # hidden input is not echoed
    shown = run("show", str(out), "--json", input="pw1\n")
    assert shown.exit_code == 0, shown.output


def test_empty_password_file_means_empty_password(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    out = tmp_path / "k.json"
    assert run("create", "--out", str(out), PWF, str(empty), "--scrypt-n", FAST_N).exit_code == 0
    newline = tmp_path / "nl"
    newline.write_text("\n")  # one newline stripped: also the empty password
    assert run("show", str(out), PWF, str(newline)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        (["show", "{key}", PWF, "{wrong}"], "error: wrong password for key file", 1),
        (["sign", "{key}", PWF, "{pw}", "--message", "0x1234"], "error: message must", 2),
        (["sign", "{key}", PWF, "{pw}", "--message", "ab" * 32], "error: message must", 2),
        (["show", "{corrupt}", PWF, "{pw}"], "error: key file", 1),
        (["show", "{missing}", PWF, "{pw}"], "cannot be read", 1),
        (["show", "{key}", PWF, "{missing}"], "error: cannot read password file", 2),
        (["verify", "--pubkey-json", "{corrupt}", "--signature-json", "{corrupt}",
          "--message", MESSAGE], "not valid JSON", 2),
    ],
)  # fmt: skip
def test_errors_are_one_line_without_traceback(
    tmp_path: Path, keyfile: Path, pwfile: Path, args: list[str], needle: str, code: int
) -> None:
    (tmp_path / "wrong").write_text("nope")
    (tmp_path / "corrupt").write_text("{truncated")
    names = {
        "key": keyfile, "pw": pwfile, "wrong": tmp_path / "wrong",
        "corrupt": tmp_path / "corrupt", "missing": tmp_path / "missing",
    }  # fmt: skip
    result = run(*(a.format(**{k: str(v) for k, v in names.items()}) for a in args))
    assert result.exit_code == code, result.output
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_verify_rejects_off_curve_signature(tmp_path: Path, keyfile: Path, pwfile: Path) -> None:
    shown = run("show", str(keyfile), PWF, str(pwfile), "--json")
    (tmp_path / "pub.json").write_text(shown.stdout)
    (tmp_path / "sig.json").write_text(json.dumps({"x": "0x1", "y": "0x3"}))
    result = run(
        "verify", "--pubkey-json", str(tmp_path / "pub.json"),
        "--signature-json", str(tmp_path / "sig.json"), "--message", MESSAGE,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "not on the BN254 curve" in result.stderr


def _avs_executable() -> Path:
    exe = Path(sys.executable).parent / "avs"
    if not exe.exists():  # pragma: no cover - only without an installed console script
        pytest.skip("the avs console script is not installed in this environment")
    return exe


def test_real_process_wrong_password_is_one_line(keystores: Path, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("wrong\n")
    proc = subprocess.run(
        [str(_avs_executable()), "keys", "show", str(keystores / "eigensdk-rs-test.bls.key.json"),
         PWF, str(tmp_path / "pw"), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: wrong password for key file")
    assert "Traceback" not in proc.stderr


def test_real_process_reads_eigenlayer_cli_file(keystores: Path, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("test\n")
    proc = subprocess.run(
        [str(_avs_executable()), "keys", "show", str(keystores / "eigensdk-go-test.bls.key.json"),
         PWF, str(tmp_path / "pw"), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    g1 = json.loads(proc.stdout)["pubkey_g1"]
    assert g1["x"] == word(
        5926317184925439151187795302636898395466174058057092923258039738351796578930
    )
