"""The JSON documents keep their documented shape; tables and the chart render from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from avs.errors import InputError
from avs.stakers.chart import SlashMark, chart_format, series
from avs.stakers.chart_draw import draw
from avs.stakers.delegator import delegation_spans, delegator_json
from avs.stakers.ledger import Ledger
from avs.stakers.metadata import OperatorMetadata
from avs.stakers.metrics import Window, performance
from avs.stakers.records import (
    DelegationChanged,
    EventRef,
    OperatorSlashed,
    PubkeyRegistered,
    QuorumCreated,
    QuorumsChanged,
    Record,
    StakeUpdated,
    TaskCertified,
    TaskCreated,
)
from avs.stakers.render import list_csv, list_table, show_group
from avs.stakers.report import Context, list_json, show_json, sort_rows
from avs.stakers.session import FALLBACK_RPC_URL, default_rpc_url

OPS = [("0x" + f"{i + 1:040x}", bytes([i + 1]) * 32) for i in range(3)]
STRATEGY = "0x" + "5" * 40
CTX = Context(31337, "0x" + "7" * 40, 1)

ROW_KEYS = {
    "operator",
    "operator_id",
    "status",
    "quorums",
    "stake",
    "tasks",
    "response_rate",
    "agreement_rate",
    "abstentions",
    "latency_blocks",
    "fees",
    "slashes",
    "effectiveness",
}


def at(block: int, index: int = 0) -> EventRef:
    return EventRef(block, index, block.to_bytes(32, "big"))


def records() -> list[Record]:
    out: list[Record] = [QuorumCreated(at(1), 0, STRATEGY, 1)]
    for i, (addr, op_id) in enumerate(OPS[:2]):
        out += [
            PubkeyRegistered(at(2, 3 * i), addr, op_id),
            StakeUpdated(at(2, 3 * i + 1), op_id, 0, 10**18 * (i + 1)),
            QuorumsChanged(at(2, 3 * i + 2), addr, op_id, (0,), True),
        ]
    out.append(PubkeyRegistered(at(3), *OPS[2]))  # a key, never in a quorum
    for t in range(4):
        created = 10 + 5 * t
        non_signers = (OPS[1][1],) if t % 2 else ()
        out.append(TaskCreated(at(created), t, b"m" * 32, (0,), created, created + 4, 1000))
        out.append(TaskCertified(at(created + 1 + t % 2), t, b"r" * 32, created, non_signers,
                                 (10**18,), (3 * 10**18,)))  # fmt: skip
    out.append(
        OperatorSlashed(at(40), 1, OPS[1][0], OPS[1][1], "wrong_result", 10**16, (0,), 7, OPS[0][0])
    )
    return out


def ledger() -> Ledger:
    return Ledger(records(), head=50)


def test_list_document_shape() -> None:
    doc = list_json(CTX, ledger(), Window(1, 50), "operator")
    assert set(doc) == {
        "schema_version",
        "kind",
        "chain_id",
        "task_manager",
        "head_block",
        "window",
        "operators",
    }
    assert doc["schema_version"] == 3
    assert doc["kind"] == "operators.list"
    assert set(doc["window"]) == {"from_block", "to_block", "seconds", "tasks"}
    for row in doc["operators"]:
        assert set(row) == ROW_KEYS | {"rank", "fees_per_token", "name", "metadata",
                                       "metadata_error"}  # fmt: skip
        assert set(row["tasks"]) == {
            "assigned",
            "signed",
            "missed",
            "dissented",
            "expired",
            "dissent_visible",
            "vindicated",
        }
        assert set(row["fees"]) == {"earned", "claimed", "unclaimed"}
        assert all(isinstance(v, str) for v in row["fees"].values())
        assert row["abstentions"] is None
    json.dumps(doc)  # plain JSON types only
    by_op = {r["operator"]: r for r in doc["operators"]}
    assert by_op[OPS[0][0]]["stake"] == [
        {"quorum": 0, "stake": str(10**18), "share": round(1 / 3, 6)}
    ]
    assert by_op[OPS[2][0]]["status"] == "deregistered"
    assert by_op[OPS[2][0]]["response_rate"] is None


def row(op: str, eff: float | None, stake: int) -> dict[str, Any]:
    return {"operator": op, "effectiveness": eff, "stake": [{"stake": str(stake)}]}


def test_sort_puts_nulls_last_and_breaks_ties_by_address() -> None:
    rows = [row("0xB", 50.0, 1), row("0xa", None, 9), row("0xC", 90.0, 1), row("0xA", 50.0, 5)]
    assert [r["operator"] for r in sort_rows(rows, "effectiveness")] == ["0xC", "0xA", "0xB", "0xa"]
    assert [r["operator"] for r in sort_rows(rows, "stake")] == ["0xa", "0xA", "0xB", "0xC"]


def test_show_document_and_tables_render() -> None:
    led = ledger()
    doc = show_json(CTX, led, OPS[1][1], [10], [(OPS[1][0], [(STRATEGY, 2 * 10**18)])])
    assert [w["blocks"] for w in doc["windows"]] == [10, None]
    assert doc["slashes"][0]["fault"] == "wrong_result"
    assert doc["slashes"][0]["tx_hash"] == "0x" + (40).to_bytes(32, "big").hex()
    assert doc["delegators"] == [
        {"staker": OPS[1][0], "shares": [{"strategy": STRATEGY, "shares": str(2 * 10**18)}]}
    ]
    assert doc["stake_history"] == [{"quorum": 0, "block": 2, "stake": str(2 * 10**18)}]
    console = Console(record=True, width=250)
    console.print(list_table(list_json(CTX, led, Window(1, 50), "effectiveness")))
    console.print(show_group(doc))
    text = console.export_text()
    assert OPS[1][0][:8] in text
    assert "Slashing history" in text
    assert "wrong_result" in text


def test_chart_series_and_images(tmp_path: Path) -> None:
    led = ledger()
    data = series(led, OPS[1][1], 1, buckets=4)
    # tasks at blocks 10, 15, 20, 25; the operator misses the 2nd and 4th: one task a bucket
    assert [b.last_block for b in data.buckets] == [10, 15, 20, 25]
    assert [b.response_rate for b in data.buckets] == [1.0, 0.0, 1.0, 0.0]
    assert data.buckets[0].effectiveness == 100.0  # as fast as the AVS's fastest certificate
    assert data.slashes == (SlashMark(40, "wrong_result", 7, 10**16),)
    assert data.stake == ((0, ((2, 2 * 10**18),)),)
    two = series(led, OPS[1][1], 1, buckets=2)
    assert [(b.first_block, b.last_block, b.tasks) for b in two.buckets] == [
        (10, 15, 2),
        (20, 25, 2),
    ]
    timestamps = {b: 1_750_000_000 + 12 * b for b in data.blocks()}
    draw(data, "operator", timestamps, tmp_path / "c.png", "png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    draw(data, "operator", timestamps, tmp_path / "c.svg", "svg")
    assert b"<svg" in (tmp_path / "c.svg").read_bytes()[:400]


@pytest.mark.parametrize("name", ["chart.txt", "chart", "chart.SVG.bak"])
def test_chart_format_comes_from_the_extension_or_is_refused(name: str) -> None:
    with pytest.raises(InputError, match=r"name the file \.png or \.svg"):
        chart_format(name)
    assert chart_format("a.PNG") == "png"
    assert chart_format("b.svg") == "svg"


def test_default_rpc_url_prefers_the_devnet_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_rpc_url() == FALLBACK_RPC_URL
    (tmp_path / ".devnet").mkdir()
    (tmp_path / ".devnet" / "rpc_url").write_text("http://127.0.0.1:9999\n")
    assert default_rpc_url() == "http://127.0.0.1:9999"


def test_rank_fees_per_token_and_csv() -> None:
    doc = list_json(CTX, ledger(), Window(1, 50), "rank", window_seconds=3600.0)
    rows = {r["operator"]: r for r in doc["operators"]}
    a, b = rows[OPS[0][0]], rows[OPS[1][0]]
    assert (a["rank"], b["rank"]) == (1, 2)  # A signed every task, B half of them
    assert rows[OPS[2][0]]["rank"] is None  # never in a quorum: no score
    per_token = int(a["fees"]["earned"]) / (10**18)  # A's stake is 1 token
    assert a["fees_per_token"]["eth"] == pytest.approx(per_token)
    assert a["fees_per_token"]["eth_per_year"] == pytest.approx(per_token * 24 * 365.25)
    assert [r["operator"] for r in doc["operators"]][:2] == [OPS[0][0], OPS[1][0]]
    text = list_csv(doc)
    header, first = text.splitlines()[:2]
    assert header.split(",")[:4] == ["rank", "operator", "name", "operator_id"]
    assert first.split(",")[:3] == ["1", OPS[0][0], ""]
    assert len(text.splitlines()) == 1 + len(OPS)


def test_delegator_view_estimates_its_loss_from_its_part() -> None:
    led = ledger()
    staker = "0x" + "9" * 40
    delegations = [
        DelegationChanged(at(5), staker, OPS[0][0], True),
        DelegationChanged(at(6), staker, OPS[0][0], False),
        DelegationChanged(at(7), staker, OPS[1][0], True),
    ]
    led = Ledger([*records(), *delegations], head=50)
    spans = delegation_spans(led, staker)
    assert [(s.operator, s.from_block, s.to_block) for s in spans] == [
        (OPS[0][0], 5, 6),
        (OPS[1][0], 7, None),
    ]
    view = delegator_json(led, staker, spans, {OPS[1][0].lower(): (1, 4)}, Window(1, 50))
    past, current = view["delegations"]
    assert past["current"] is False
    assert past["slashed_shares"] is None
    assert current["part_of_operator"] == 0.25
    assert current["slashes"] == [{"task_index": 1, "block": 40, "fault": "wrong_result"}]
    assert current["slashed_shares"] == str(7 // 4)  # a quarter of the 7 shares slashed
    fees = performance(led, OPS[1][1], Window(1, 50)).fees_earned
    assert current["fees_pro_rata_wei"] == str(fees // 4)


def test_metadata_names_rows_and_failures_are_shown_not_raised() -> None:
    good = OperatorMetadata("Acme Staking", "https://acme.example", "", "Edge GPUs in 3 regions")
    found = {OPS[0][0].lower(): good, OPS[1][0].lower(): "document has no name"}
    doc = list_json(CTX, ledger(), Window(1, 50), "operator", None, found)
    rows = {r["operator"]: r for r in doc["operators"]}
    assert rows[OPS[0][0]]["name"] == "Acme Staking"
    assert rows[OPS[0][0]]["metadata"]["website"] == "https://acme.example"
    assert rows[OPS[1][0]]["name"] is None
    assert rows[OPS[1][0]]["metadata_error"] == "document has no name"
    console = Console(record=True, width=250)
    console.print(list_table(doc))
    assert "Acme Staking" in console.export_text()
    shown = show_json(CTX, ledger(), OPS[0][1], [10], [], found)
    console.print(show_group(shown))
    assert "Edge GPUs in 3 regions" in console.export_text()
    assert "Acme Staking" in list_csv(doc)
