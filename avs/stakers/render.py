"""Human tables of the ``list`` and ``show`` documents (rendered from the same JSON).

Amounts are shown in units of 1e18 (ETH for fees, whole tokens for stake and shares);
the ``--json`` output keeps exact integers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

UNIT = 10**18


def _units(wei: str | int, places: int = 4) -> str:
    value = int(wei) / UNIT
    return f"{value:,.{places}f}"


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


def _short(address: str) -> str:
    return address[:8] + "…" + address[-4:]


def _who(row: Mapping[str, Any]) -> Text:
    """Short address, and the operator's self-declared name (plain text, never markup)."""
    text = Text(_short(row["operator"]))
    if row.get("name"):
        text.append(f"\n{row['name']}", style="dim")
    return text


def _stake_cell(row: Mapping[str, Any]) -> tuple[str, str]:
    if not row["stake"]:
        return "0", "-"
    amount = _units(sum(int(s["stake"]) for s in row["stake"]), 2)
    shares = "/".join(_pct(s["share"]) for s in row["stake"])
    return amount, shares


def _latency(perf: Mapping[str, Any]) -> str:
    lat = perf["latency_blocks"]
    if lat["median"] is None:
        return "-"
    return f"{lat['median']}/{lat['p95']}"


def _per_token(row: Mapping[str, Any]) -> str:
    per = row.get("fees_per_token") or {}
    if per.get("eth_per_year") is not None:
        return f"{per['eth_per_year']:.6g}"
    return "-" if per.get("eth") is None else f"{per['eth']:.6g} (window)"


def _eff(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def list_table(doc: Mapping[str, Any]) -> Table:
    """The operators table of an ``operators.list`` document."""
    window = doc["window"]
    tasks = window["tasks"]
    caption = (
        f"tasks created in blocks {window['from_block']}..{window['to_block']}: "
        f"{tasks['created']} ({tasks['certified']} certified, {tasks['expired']} expired, "
        f"{tasks['pending']} pending) · head {doc['head_block']} · chain {doc['chain_id']} · "
        "abstentions are not visible on chain"
    )
    table = Table(title="Operators", caption=caption, header_style="bold")
    # identity columns never shrink; rich takes room from the numbers instead
    table.add_column("operator", no_wrap=True, min_width=13)
    table.add_column("status", no_wrap=True, min_width=12)
    for name in (
        "stake (tokens)",
        "share",
        "assigned",
        "signed",
        "response",
        "agreement",
        "latency p50/p95 (blocks)",
        "fees earned (ETH)",
        "unclaimed (ETH)",
        "fees/token (ETH/yr)",
        "slashes",
        "slashed (tokens)",
        "effectiveness (0-100)",
        "rank",
    ):
        table.add_column(name, justify="right")
    for row in doc["operators"]:
        stake, share = _stake_cell(row)
        slashes = row["slashes"]
        status = Text(row["status"], style="green" if row["status"] == "registered" else "red")
        table.add_row(
            _who(row),
            status,
            stake,
            share,
            str(row["tasks"]["assigned"]),
            str(row["tasks"]["signed"]),
            _pct(row["response_rate"]),
            _pct(row["agreement_rate"]),
            _latency(row),
            _units(row["fees"]["earned"], 6),
            _units(row["fees"]["unclaimed"], 6),
            _per_token(row),
            str(slashes["count"]),
            _units(slashes["shares"], 2) if slashes["count"] else "-",
            _eff(row["effectiveness"]),
            "-" if row.get("rank") is None else str(row["rank"]),
        )
    return table


def _windows_table(doc: Mapping[str, Any]) -> Table:
    table = Table(title="Performance by window", header_style="bold")
    for name in (
        "window",
        "blocks",
        "assigned",
        "signed",
        "missed",
        "dissented",
        "expired",
        "response",
        "agreement",
        "latency p50/p95 (blocks)",
        "fees earned (ETH)",
        "slashes",
        "effectiveness (0-100)",
    ):
        table.add_column(name, justify="left" if name == "window" else "right")
    for w in doc["windows"]:
        perf = w["performance"]
        t = perf["tasks"]
        table.add_row(
            "all" if w["blocks"] is None else f"last {w['blocks']:,}",
            f"{w['from_block']}..{w['to_block']}",
            str(t["assigned"]),
            str(t["signed"]),
            str(t["missed"]),
            str(t["dissented"]),
            str(t["expired"]),
            _pct(perf["response_rate"]),
            _pct(perf["agreement_rate"]),
            _latency(perf),
            _units(perf["fees"]["earned"], 6),
            str(perf["slashes"]["count"]),
            _eff(perf["effectiveness"]),
        )
    return table


def _delegators_table(doc: Mapping[str, Any]) -> Table:
    table = Table(title="Delegators (withdrawable shares now)", header_style="bold")
    table.add_column("staker")
    table.add_column("strategy")
    table.add_column("shares (tokens)", justify="right")
    for d in doc["delegators"]:
        for s in d["shares"]:
            table.add_row(d["staker"], _short(s["strategy"]), _units(s["shares"], 4))
    return table


def _slashes_table(doc: Mapping[str, Any]) -> Table:
    table = Table(title="Slashing history", header_style="bold")
    for name in ("block", "task", "fault", "fraction", "quorums", "shares (tokens)", "transaction"):
        table.add_column(name)
    for s in doc["slashes"]:
        table.add_row(
            str(s["block"]),
            str(s["task_index"]),
            s["fault"],
            f"{100 * int(s['wad']) / UNIT:g}%",
            ",".join(str(q) for q in s["quorums"]),
            _units(s["shares_slashed"], 4),
            s["tx_hash"],
        )
    return table


def show_group(doc: Mapping[str, Any]) -> Group:
    """Everything ``avs operators show`` prints for one operator."""
    op = doc["operator"]
    stake, share = _stake_cell(op)
    quorums = ",".join(str(q) for q in op["quorums"]) or "none"
    meta = op.get("metadata")
    about = ""
    if meta:
        about = f"{meta['name']} · {meta['website'] or 'no website'}\n"
        if meta["description"]:
            about += f"{meta['description']}\n"
    elif op.get("metadata_error"):
        about = f"metadata not shown: {op['metadata_error']}\n"
    header = Text.assemble(
        (op["operator"], "bold"),
        f"  id {op['operator_id']}\n",
        about,
        f"status {op['status']} · quorums {quorums} · stake {stake} ({share}) · ",
        f"fees earned {_units(op['fees']['earned'], 6)} ETH, ",
        f"unclaimed {_units(op['fees']['unclaimed'], 6)} ETH · head {doc['head_block']}",
    )
    parts: list[Any] = [header, _windows_table(doc), _stake_history_table(doc)]
    parts.append(_delegators_table(doc))
    parts.append(_slashes_table(doc) if doc["slashes"] else Text("No slashes."))
    return Group(*parts)


def _stake_history_table(doc: Mapping[str, Any]) -> Table | Text:
    """Each recorded stake change per quorum, with the change in tokens and percent."""
    history = doc["stake_history"]
    if not history:
        return Text("No stake recorded.")
    table = Table(title="Stake history (recorded by the registry)", header_style="bold")
    for name in ("quorum", "block", "stake (tokens)", "change"):
        table.add_column(name, justify="right")
    previous: dict[int, int] = {}
    for entry in history:
        q, stake = entry["quorum"], int(entry["stake"])
        before = previous.get(q)
        if before is None:
            change = "first record"
        elif before == 0:
            change = f"+{_units(stake, 2)}"
        else:
            change = f"{_units(stake - before, 2)} ({100 * (stake - before) / before:+.2f}%)"
        previous[q] = stake
        table.add_row(str(q), str(entry["block"]), _units(stake, 4), change)
    return table


CSV_COLUMNS = (
    "rank",
    "operator",
    "name",
    "operator_id",
    "status",
    "stake_tokens",
    "assigned",
    "signed",
    "missed",
    "expired",
    "response_rate",
    "agreement_rate",
    "latency_p50_blocks",
    "fees_earned_eth",
    "fees_unclaimed_eth",
    "fees_per_token_eth",
    "fees_per_token_eth_per_year",
    "slashes",
    "slashed_tokens",
    "effectiveness",
)


def list_csv(doc: Mapping[str, Any]) -> str:
    """The rows of an ``operators.list`` document as CSV (amounts in whole units)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in doc["operators"]:
        t, fees, per = row["tasks"], row["fees"], row["fees_per_token"]
        writer.writerow(
            [
                row["rank"],
                row["operator"],
                row.get("name") or "",
                row["operator_id"],
                row["status"],
                sum(int(s["stake"]) for s in row["stake"]) / UNIT,
                t["assigned"],
                t["signed"],
                t["missed"],
                t["expired"],
                row["response_rate"],
                row["agreement_rate"],
                row["latency_blocks"]["median"],
                int(fees["earned"]) / UNIT,
                int(fees["unclaimed"]) / UNIT,
                per["eth"],
                per["eth_per_year"],
                row["slashes"]["count"],
                int(row["slashes"]["shares"]) / UNIT,
                row["effectiveness"],
            ]
        )
    return out.getvalue()


def delegator_table(doc: Mapping[str, Any]) -> Table:
    """The staker's own rows of ``list --delegator``."""
    view = doc["delegator"]
    table = Table(title=f"Delegations of {view['staker']}", header_style="bold")
    for name in ("operator", "blocks", "shares now (tokens)", "part", "slashes",
                 "slashed (tokens)", "fees pro rata (ETH)"):  # fmt: skip
        table.add_column(name, justify="left" if name == "operator" else "right")
    for d in view["delegations"]:
        until = "now" if d["to_block"] is None else str(d["to_block"])
        slashed = d["slashed_shares"]
        fees = d["fees_pro_rata_wei"]
        table.add_row(
            d["operator"],
            f"{d['from_block']}..{until}",
            _units(d["shares_now"], 4),
            "-" if d["part_of_operator"] is None else _pct(d["part_of_operator"]),
            ", ".join(f"task {s['task_index']} ({s['fault']})" for s in d["slashes"]) or "none",
            "-" if slashed is None else _units(slashed, 4),
            "-" if fees is None else _units(fees, 9),
        )
    return table
