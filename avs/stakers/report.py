"""The ``--json`` documents of ``avs operators list|show`` (schema in docs/stakers.md).

Stable on purpose: monitoring systems scrape them. Amounts in wei or shares are decimal
strings (they overflow a double); rates are floats rounded to 6 places; missing figures are
null. Bump :data:`SCHEMA_VERSION` on any change that is not a pure addition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from avs.stakers.ledger import Ledger
from avs.stakers.metrics import Performance, Window, performance, slashes_of, task_counts

SCHEMA_VERSION = 3


@dataclass(frozen=True, slots=True)
class Context:
    """What the figures are about."""

    chain_id: int
    """Chain id."""
    task_manager: str
    """TaskManager address."""
    start_block: int
    """Deployment block (start of 'all time')."""


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def performance_json(perf: Performance) -> dict[str, Any]:
    """The figures of one operator over one window."""
    return {
        "tasks": {
            "assigned": perf.assigned,
            "signed": perf.signed,
            "missed": perf.missed,
            "dissented": perf.dissented,
            "expired": perf.expired,
            "dissent_visible": perf.dissent_visible,
            "vindicated": perf.vindicated,
        },
        "response_rate": _rate(perf.response_rate),
        "agreement_rate": _rate(perf.agreement_rate),
        "abstentions": None,  # result bytes are not on chain, only their hash
        "latency_blocks": {"median": perf.latency_median, "p95": perf.latency_p95},
        "fees": {
            "earned": str(perf.fees_earned),
            "claimed": str(perf.fees_claimed),
            "unclaimed": str(perf.fees_unclaimed),
        },
        "slashes": {"count": perf.slash_count, "shares": str(perf.slash_shares)},
        "effectiveness": perf.effectiveness,
    }


def operator_json(ledger: Ledger, operator_id: bytes, window: Window) -> dict[str, Any]:
    """Identity, status, current stake and the window's figures of one operator."""
    registry = ledger.registry
    stake = []
    for q in registry.quorums_now(operator_id):
        own, total = registry.stake_now(operator_id, q), registry.total_now(q)
        share = own / total if total else None
        stake.append({"quorum": q, "stake": str(own), "share": _rate(share)})
    row: dict[str, Any] = {
        "operator": registry.addresses[operator_id],
        "operator_id": _hex(operator_id),
        "status": registry.status(operator_id),
        "quorums": list(registry.quorums_now(operator_id)),
        "stake": stake,
    }
    row.update(performance_json(performance(ledger, operator_id, window)))
    return row


def _header(ctx: Context, ledger: Ledger, kind: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "chain_id": ctx.chain_id,
        "task_manager": ctx.task_manager,
        "head_block": ledger.head,
    }


def _window_json(ledger: Ledger, window: Window) -> dict[str, Any]:
    counts = task_counts(ledger, window)
    return {
        "from_block": window.from_block,
        "to_block": window.to_block,
        "tasks": {
            "created": counts.created,
            "certified": counts.certified,
            "expired": counts.expired,
            "pending": counts.pending,
            "overturned": counts.overturned,
        },
    }


def _stake_total(row: Mapping[str, Any]) -> int:
    return sum(int(s["stake"]) for s in row["stake"])


SortKey = Callable[[Mapping[str, Any]], Any]
SORT_COLUMNS: Mapping[str, tuple[SortKey, bool]] = {
    "operator": (lambda r: r["operator"].lower(), False),
    "status": (lambda r: r["status"], False),
    "stake": (_stake_total, True),
    "assigned": (lambda r: r["tasks"]["assigned"], True),
    "signed": (lambda r: r["tasks"]["signed"], True),
    "response": (lambda r: r["response_rate"], True),
    "agreement": (lambda r: r["agreement_rate"], True),
    "latency": (lambda r: r["latency_blocks"]["median"], False),
    "fees": (lambda r: int(r["fees"]["earned"]), True),
    "unclaimed": (lambda r: int(r["fees"]["unclaimed"]), True),
    "slashes": (lambda r: r["slashes"]["count"], True),
    "effectiveness": (lambda r: r["effectiveness"], True),
    "rank": (lambda r: r["rank"], False),
    "fees_per_token": (lambda r: r["fees_per_token"]["eth"], True),
}
"""--sort column -> (key, descending). Rows without the figure (null) always go last."""


def sort_rows(rows: Sequence[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """Rows ordered by ``column`` (ties by address, so the order is stable)."""
    key, descending = SORT_COLUMNS[column]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: r["operator"].lower())
    present.sort(key=key, reverse=descending)
    missing.sort(key=lambda r: r["operator"].lower())
    return present + missing


SECONDS_PER_YEAR = 365.25 * 24 * 3600


def _add_yield_and_rank(rows: list[dict[str, Any]], window_seconds: float | None) -> None:
    """``fees_per_token`` (ETH earned per staked token over the window, and per year at that
    pace) and ``rank`` (1 = highest effectiveness; ties share a rank; null without a score)."""
    for row in rows:
        stake = _stake_total(row)
        per_token = int(row["fees"]["earned"]) / stake if stake else None
        per_year = None
        if per_token is not None and window_seconds:
            per_year = per_token * SECONDS_PER_YEAR / window_seconds
        row["fees_per_token"] = {
            "eth": None if per_token is None else round(per_token, 12),
            "eth_per_year": None if per_year is None else round(per_year, 12),
        }
    for row in rows:
        score = row["effectiveness"]
        row["rank"] = (
            None
            if score is None
            else 1
            + sum(1 for r in rows if r["effectiveness"] is not None and r["effectiveness"] > score)
        )


def add_metadata(rows: Sequence[dict[str, Any]], found: Mapping[str, Any]) -> None:
    """Each row's ``name`` and ``metadata`` (or ``metadata_error``) from resolved metadata
    (operator address, lower case -> OperatorMetadata or the reason there is none)."""
    for row in rows:
        item = found.get(row["operator"].lower())
        row["name"] = None
        row["metadata"] = None
        row["metadata_error"] = None
        if isinstance(item, str):
            row["metadata_error"] = item
        elif item is not None:
            row["name"] = item.name
            row["metadata"] = item.to_dict()


def list_json(
    ctx: Context,
    ledger: Ledger,
    window: Window,
    sort: str,
    window_seconds: float | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``avs operators list --json`` document.

    ``window_seconds``: wall-clock length of the window (block timestamps), for the yearly
    fee pace; None leaves it null.
    """
    doc = _header(ctx, ledger, "operators.list")
    doc["window"] = _window_json(ledger, window)
    doc["window"]["seconds"] = window_seconds
    rows = [operator_json(ledger, op, window) for op in ledger.operator_ids()]
    _add_yield_and_rank(rows, window_seconds)
    add_metadata(rows, metadata or {})
    doc["operators"] = sort_rows(rows, sort)
    return doc


def windows_for(ctx: Context, head: int, sizes: Sequence[int]) -> list[tuple[int | None, Window]]:
    """(size in blocks or None for all time, window) for each size, ending at ``head``."""
    out: list[tuple[int | None, Window]] = [
        (n, Window(max(ctx.start_block, head - n + 1), head)) for n in sizes
    ]
    out.append((None, Window(ctx.start_block, head)))
    return out


def show_json(
    ctx: Context,
    ledger: Ledger,
    operator_id: bytes,
    sizes: Sequence[int],
    delegators: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``avs operators show --json`` document.

    ``delegators``: (staker, ((strategy, withdrawable shares), ...)) as read from the chain.
    """
    doc = _header(ctx, ledger, "operators.show")
    everything = Window(ctx.start_block, ledger.head)
    doc["operator"] = operator_json(ledger, operator_id, everything)
    add_metadata([doc["operator"]], metadata or {})
    doc["windows"] = []
    for size, window in windows_for(ctx, ledger.head, sizes):
        entry = {"blocks": size, **_window_json(ledger, window)}
        entry["performance"] = performance_json(performance(ledger, operator_id, window))
        doc["windows"].append(entry)
    doc["delegators"] = [
        {
            "staker": staker,
            "shares": [{"strategy": s, "shares": str(v)} for s, v in shares],
        }
        for staker, shares in delegators
    ]
    doc["slashes"] = [
        {
            "task_index": s.task_index,
            "block": s.at.block,
            "tx_hash": _hex(s.at.tx_hash),
            "fault": s.fault,
            "wad": str(s.wad),
            "quorums": list(s.quorums),
            "shares_slashed": str(s.shares_slashed),
            "challenger": s.challenger,
        }
        for s in slashes_of(ledger, operator_id)
    ]
    registry = ledger.registry
    doc["stake_history"] = [
        {"quorum": q, "block": block, "stake": str(stake)}
        for q in sorted(registry.quorums)
        for block, stake in registry.stake_history(operator_id, q)
    ]
    return doc
