"""A staker's own view: the operators it delegates (or delegated) to, what slashes took
from it and its pro-rata share of the fees, from chain events and current shares.

Slashing in the restaking core removes the same fraction of every delegator's shares, so a
staker's part of an operator's delegated shares does not change with a slash (only with its
deposits and withdrawals). Hence the staker's loss in a slash is the slash's
``shares_slashed`` times the staker's part now: exact when the staker neither deposited nor
withdrew since, an estimate otherwise (docs/stakers.md). Fees are paid to the operator;
``fees_pro_rata`` is the staker's part of them, which the operator may or may not share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from avs.stakers.ledger import Ledger
from avs.stakers.metrics import Window, performance


@dataclass(frozen=True, slots=True)
class Span:
    """One delegation of the staker."""

    operator: str
    """Operator address (as in the event)."""
    from_block: int
    """Block of the StakerDelegated event."""
    to_block: int | None
    """Block of the StakerUndelegated event; None while delegated."""


def delegation_spans(ledger: Ledger, staker: str) -> list[Span]:
    """Every delegation of ``staker``, in chain order."""
    spans: list[Span] = []
    open_span: Span | None = None
    who = staker.lower()
    for change in ledger.delegations:
        if change.staker.lower() != who:
            continue
        if open_span is not None:
            spans.append(Span(open_span.operator, open_span.from_block, change.at.block))
            open_span = None
        if change.delegated:
            open_span = Span(change.operator, change.at.block, None)
    if open_span is not None:
        spans.append(open_span)
    return spans


def delegator_json(
    ledger: Ledger,
    staker: str,
    spans: list[Span],
    parts: Mapping[str, tuple[int, int]],
    window: Window,
) -> dict[str, Any]:
    """The ``delegator`` object of ``operators list --delegator``.

    ``parts``: operator address (lower case) -> (staker's withdrawable shares, all its
    delegators' withdrawable shares), read from the chain now.
    """
    rows = []
    for span in spans:
        key = span.operator.lower()
        op_id = ledger.registry.ids.get(key)
        own, total = parts.get(key, (0, 0))
        part = own / total if total else 0.0
        slashes = [
            s
            for s in ledger.slashes
            if s.operator.lower() == key
            and s.at.block >= span.from_block
            and (span.to_block is None or s.at.block <= span.to_block)
        ]
        fees = performance(ledger, op_id, window).fees_earned if op_id is not None else 0
        current = span.to_block is None
        rows.append(
            {
                "operator": span.operator,
                "current": current,
                "from_block": span.from_block,
                "to_block": span.to_block,
                "shares_now": str(own),
                "part_of_operator": round(part, 6) if current else None,
                "slashes": [
                    {"task_index": s.task_index, "block": s.at.block, "fault": s.fault}
                    for s in slashes
                ],
                "slashed_shares": str(int(sum(s.shares_slashed for s in slashes) * part))
                if current
                else None,
                "fees_pro_rata_wei": str(int(fees * part)) if current else None,
            }
        )
    return {"staker": staker, "delegations": rows}
