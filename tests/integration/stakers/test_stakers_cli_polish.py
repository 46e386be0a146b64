"""What a careful staker reads: units in headers, stake history, refused windows, a watch
that says once when the node goes away and once when it is back."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from avs.cli.main import cli
from avs.stakers.live import watch
from avs.stakers.session import Session, Target

from .stakers_scenario import DELEGATED, STAKES, Truth
from .switchable_proxy import SwitchableProxy

pytestmark = pytest.mark.integration


def invoke(truth: Truth, *args: str) -> tuple[int, str, str]:
    where = ["--rpc-url", truth.system.client.url, "--deployment", str(truth.deployment_file)]
    result = CliRunner().invoke(cli, ["operators", *args, *where, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


def test_since_beyond_the_head_is_refused(truth: Truth) -> None:
    code, _, err = invoke(truth, "list", "--since", "100000")
    assert code == 2
    assert err.startswith("error: --since 100000 is after the chain head (block ")


def test_list_headers_name_their_units(truth: Truth) -> None:
    code, out, err = invoke(truth, "list")
    assert code == 0, err
    for header in ("stake (tokens)", "fees earned (ETH)", "slashed (tokens)", "(blocks)"):
        assert header in out
    assert "(95.62)" not in out  # no unit-less amount in parentheses


def test_show_prints_the_stake_history_with_changes(truth: Truth) -> None:
    code, out, err = invoke(truth, "show", truth.ops[2].address)
    assert code == 0, err
    assert "Stake history" in out
    assert "first record" in out
    assert "%)" in out  # the slash's change, in tokens and percent


def test_watch_reports_a_lost_node_once_and_its_return_once(
    truth: Truth, capsys: pytest.CaptureFixture[str]
) -> None:
    node = urlsplit(truth.system.client.url)
    proxy = SwitchableProxy((node.hostname or "127.0.0.1", node.port or 80))
    proxy.on()
    stop = threading.Event()
    target = Target(proxy.url, truth.deployment_file, None, use_cache=False)

    def watcher() -> None:  # the session (its SQLite cache) lives in the watching thread
        with Session.open(target) as session:
            watch(session, sort="effectiveness", interval=0.1, count=None, as_json=True, stop=stop)

    thread = threading.Thread(target=watcher)
    thread.start()
    try:
        _wait_for(capsys, lambda out, err: '"operators.list"' in out)
        proxy.off()
        _wait_for(capsys, lambda out, err: "cannot reach the chain" in err)
        time.sleep(1.0)  # ten failed polls: still one line
        proxy.on()
        _wait_for(capsys, lambda out, err: "answering again" in err)
    finally:
        stop.set()
        thread.join(timeout=30)
        proxy.off()
    err = _seen_err
    lines = [line for line in err.splitlines() if line.startswith("watch:")]
    assert len(lines) == 2, err
    assert lines[0].startswith(f"watch: cannot reach the chain at {proxy.url} (")
    assert len(lines[0]) < 240
    assert lines[1] == f"watch: node at {proxy.url} answering again"


_seen_err = ""


def _wait_for(capsys: pytest.CaptureFixture[str], done: object, timeout: float = 60) -> None:
    global _seen_err
    out_all = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out, err = capsys.readouterr()
        out_all += out
        _seen_err += err
        if done(out_all, _seen_err):  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met; stdout {out_all[-300:]!r}; stderr {_seen_err!r}")


def test_a_stakers_own_view_and_csv(truth: Truth) -> None:
    code, out, err = invoke(truth, "list", "--delegator", truth.staker, "--json")
    assert code == 0, err
    doc = json.loads(out)
    op3 = truth.ops[3].address
    assert [r["operator"] for r in doc["operators"]] == [op3]
    (mine,) = doc["delegator"]["delegations"]
    assert (mine["operator"], mine["current"], mine["to_block"]) == (op3, True, None)
    assert mine["shares_now"] == str(DELEGATED)
    assert mine["part_of_operator"] == round(DELEGATED / (DELEGATED + STAKES[3]), 6)
    assert (mine["slashes"], mine["slashed_shares"]) == ([], "0")
    assert doc["operators"][0]["rank"] >= 1
    assert doc["window"]["seconds"] is not None
    code, out, err = invoke(truth, "list", "--delegator", truth.staker)
    assert code == 0, err
    assert f"Delegations of {truth.staker}" in out
    code, _, err = invoke(truth, "list", "--delegator", "0x" + "12" * 20)
    assert code == 2
    assert "never delegated to an operator of this AVS" in err
    code, out, err = invoke(truth, "list", "--csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("rank,operator,name,operator_id,status,stake_tokens")
    assert len(lines) == 1 + len(truth.ops)
