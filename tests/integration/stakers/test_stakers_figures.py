"""Every figure of ``avs operators list|show --json`` against what the scenario did.

The expected values come from stakers_scenario's record of who signed what, the blocks the
certificates landed in, claimFees as the contract itself computes it (eth_call), and the
registry's view functions; nothing is recomputed with the code under test.
"""

from __future__ import annotations

import json
from math import ceil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from avs.cli.main import cli

from .stakers_scenario import DISSENT_TASK, PARAMS, PLANS, QUORUMS, STAKES, WINDOW, Truth

pytestmark = pytest.mark.integration


def run_json(truth: Truth, cache: Path | None, *args: str) -> dict[str, Any]:
    """Run ``avs operators ARGS --json`` in-process; the parsed document."""
    url = truth.system.client.url
    where = ["--rpc-url", url, "--deployment", str(truth.deployment_file)]
    where += ["--no-cache"] if cache is None else ["--cache", str(cache)]
    result = CliRunner().invoke(cli, ["operators", *args, *where, "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def nearest(values: list[int], q: float) -> int | None:
    ordered = sorted(values)
    return ordered[max(1, ceil(q * len(ordered))) - 1] if ordered else None


def expected_row(truth: Truth, i: int, since_task: int = 0) -> dict[str, Any]:
    """The figures operator i must show over tasks index >= since_task."""
    assigned = [t for t in truth.assigned(i) if t >= since_task]
    certified = [t for t in assigned if t in truth.signers]
    signed = [t for t in certified if i in truth.signers[t]]
    dissented = [t for t in certified if i == 2 and t == DISSENT_TASK]
    expired = [t for t in assigned if t in truth.expired]
    latencies = [truth.latency[t] for t in signed]
    response = len(signed) / len(assigned)
    agreement = len(signed) / (len(signed) + len(dissented))
    fastest = min(truth.latency.values())  # the AVS's fastest certificate: achievable
    achievable = WINDOW - fastest + 1
    timeliness = sum((WINDOW - lat + 1) / achievable for lat in latencies) / len(latencies)
    return {
        "tasks": {
            "assigned": len(assigned),
            "signed": len(signed),
            "missed": len(certified) - len(signed) - len(dissented),
            "dissented": len(dissented),
            "expired": len(expired),
            "dissent_visible": sum(1 for t in certified if PLANS[t].exact),
            "vindicated": 0,
        },
        "response_rate": round(response, 6),
        "agreement_rate": round(agreement, 6),
        "abstentions": None,
        "latency_blocks": {"median": nearest(latencies, 0.5), "p95": nearest(latencies, 0.95)},
        "effectiveness": round(100 * response * agreement * timeliness, 2),
    }


def by_operator(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["operator"]: row for row in doc["operators"]}


def test_list_figures_match_what_happened(truth: Truth, tmp_path: Path) -> None:
    doc = run_json(truth, tmp_path / "c.sqlite", "list")
    assert doc["schema_version"] == 3
    assert doc["head_block"] == truth.head
    assert doc["window"]["tasks"] == {
        "created": 10,
        "certified": 8,
        "expired": 1,
        "pending": 1,
        "overturned": 0,
    }
    rows = by_operator(doc)
    assert len(rows) == 4
    for i, op in enumerate(truth.ops):
        row = rows[op.address]
        assert row["operator_id"] == "0x" + op.operator_id.hex()
        for key, value in expected_row(truth, i).items():
            assert row[key] == value, (i, key)
        claimed = truth.claimed.get(i, 0)
        assert row["fees"] == {
            "earned": str(claimed + truth.unclaimed[i]),
            "claimed": str(claimed),
            "unclaimed": str(truth.unclaimed[i]),
        }
        stakes = [(q, truth.stake_now[(i, q)]) for q in (0, 1) if truth.stake_now[(i, q)]]
        assert row["stake"] == [
            {"quorum": q, "stake": str(s), "share": round(s / truth.total_now[q], 6)}
            for q, s in stakes
        ]
        assert row["quorums"] == [q for q, _ in stakes]
        assert row["status"] == ("ejected" if i == 1 else "registered")
        if i == 2:
            assert row["slashes"] == {"count": 1, "shares": str(truth.shares_slashed)}
        else:
            assert row["slashes"] == {"count": 0, "shares": "0"}
    # default order: effectiveness, best first
    scores = [row["effectiveness"] for row in doc["operators"]]
    assert scores == sorted(scores, reverse=True)


def test_list_since_block_counts_only_later_tasks(truth: Truth) -> None:
    since = truth.tasks[6].created_block
    doc = run_json(truth, None, "list", "--since", str(since), "--sort", "operator")
    assert doc["window"]["from_block"] == since
    assert doc["window"]["tasks"]["created"] == 4  # tasks 6, 7, 8 and the pending one
    rows = by_operator(doc)
    for i, op in enumerate(truth.ops):
        expected = expected_row(truth, i, since_task=6)
        assert rows[op.address]["tasks"] == expected["tasks"], i
        assert rows[op.address]["response_rate"] == expected["response_rate"], i
    order = [row["operator"].lower() for row in doc["operators"]]
    assert order == sorted(order)


def test_show_has_windows_delegators_and_slashes(truth: Truth) -> None:
    op2, op3 = truth.ops[2], truth.ops[3]
    doc = run_json(truth, None, "show", "0x" + op2.operator_id.hex(), "--windows", "5,100")
    assert doc["operator"]["operator"] == op2.address
    assert [w["blocks"] for w in doc["windows"]] == [5, 100, None]
    everything = doc["windows"][-1]
    assert everything["performance"]["tasks"] == expected_row(truth, 2)["tasks"]
    assert doc["windows"][0]["tasks"]["created"] == 1  # only the pending task is that recent
    assert doc["windows"][0]["performance"]["tasks"]["assigned"] == 0
    assert doc["slashes"] == [
        {
            "task_index": DISSENT_TASK,
            "block": doc["slashes"][0]["block"],
            "tx_hash": "0x" + truth.slash_tx.hex(),
            "fault": "wrong_result",
            "wad": str(PARAMS.wrong_result_slash_wad),
            "quorums": [0],
            "shares_slashed": str(truth.shares_slashed),
            "challenger": truth.system.owner.address,
        }
    ]
    assert doc["delegators"] == [
        {
            "staker": op2.address,
            "shares": [
                {
                    "strategy": truth.system.deployment.strategy,
                    "shares": str(STAKES[2] - truth.shares_slashed),
                }
            ],
        }
    ]
    latest = {h["quorum"]: h["stake"] for h in doc["stake_history"]}
    assert latest == {q: str(truth.stake_now[(2, q)]) for q in QUORUMS[2]}

    doc3 = run_json(truth, None, "show", op3.address.lower())
    stakers = {d["staker"]: d["shares"][0]["shares"] for d in doc3["delegators"]}
    assert stakers == {truth.staker: str(50 * 10**18), op3.address: str(STAKES[3])}
    assert doc3["slashes"] == []
