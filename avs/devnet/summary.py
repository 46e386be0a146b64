"""The devnet's end-of-run summary: tasks, latency, per-operator outcomes, accuracy.

Built from what the devnet observed on chain (task created/certified events with their
non-signer ids, slashing events, stakes and fee balances) plus the true labels of the
digits it submitted, which only the devnet knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from avs.protocol import ABSTAIN

WRONG_FAULTS = ("wrong_result", "wrong_certificate")
"""Faults that mean re-execution proved the operator's result wrong."""


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """One task the devnet submitted and what became of it."""

    task_index: int
    model: str
    """Task type id of the task's model."""
    true_labels: tuple[int, ...]
    created_block: int
    submitted_at: float
    """Wall-clock time just before createTask was sent."""
    certified_block: int | None = None
    certified_at: float | None = None
    """Wall-clock time the TaskCertified event was first seen."""
    result: bytes | None = None
    """Certified canonical result (one label byte per input, 0xFF = abstain); None when
    unknown (not certified, or the certified digest is not the locally computed result)."""
    non_signers: frozenset[bytes] = field(default_factory=frozenset)
    expired: bool = False
    overturned: bool = False
    """The certificate was proven wrong by re-execution and overturned (client refunded)."""


@dataclass(frozen=True, slots=True)
class OperatorOutcome:
    """One devnet operator's chain-visible record."""

    address: str
    operator_id: bytes
    faulty: bool
    stake_before: int
    stake_after: int
    fees_earned: int
    slashes: Mapping[str, int] = field(default_factory=dict)
    """Slashing events against the operator by fault (equivocation, wrong_result,
    wrong_certificate)."""
    wrong_tasks: frozenset[int] = frozenset()
    """Tasks on which re-execution proved its result wrong (a wrong_result or
    wrong_certificate slash)."""


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def build_summary(
    tasks: Sequence[TaskOutcome], operators: Sequence[OperatorOutcome]
) -> dict[str, Any]:
    """The summary JSON object (shape documented in the devnet issue and docs)."""
    settled = [t for t in tasks if t.certified_block is not None]
    certified = [t for t in settled if not t.overturned]
    blocks = [float(t.certified_block - t.created_block) for t in settled if t.certified_block]
    seconds = [t.certified_at - t.submitted_at for t in settled if t.certified_at is not None]
    correct = labelled = abstentions = 0
    for task in certified:
        for label, truth in zip(task.result or b"", task.true_labels, strict=False):
            if label == ABSTAIN:
                abstentions += 1
                continue
            labelled += 1
            correct += int(label == truth)
    return {
        "tasks": {
            "submitted": len(tasks),
            "certified": len(settled),
            "expired": sum(1 for t in tasks if t.expired),
            "overturned": len(settled) - len(certified),
        },
        "latency": {
            "blocks_p50": percentile(blocks, 0.5),
            "blocks_p95": percentile(blocks, 0.95),
            "seconds_p50": _round(percentile(seconds, 0.5)),
            "seconds_p95": _round(percentile(seconds, 0.95)),
        },
        "operators": [_operator_row(op, settled) for op in operators],
        "honest_operators_slashed": sum(1 for op in operators if not op.faulty and op.slashes),
        "accuracy": round(correct / labelled, 4) if labelled else None,
        "abstained_inputs": abstentions,
        # A developer's own task type has no true labels: count its certified results instead.
        "inputs_certified": sum(len(t.true_labels) or len(t.result or b"") for t in certified),
    }


def _operator_row(op: OperatorOutcome, settled: Sequence[TaskOutcome]) -> dict[str, Any]:
    # one set of definitions with `avs operators` (docs/stakers.md): a result proven wrong
    # is not a miss, and a non-signer of an overturned certificate was right, not absent
    wrong = [t for t in settled if t.task_index in op.wrong_tasks]
    rest = [t for t in settled if t.task_index not in op.wrong_tasks]
    signed = [t for t in rest if not t.overturned and op.operator_id not in t.non_signers]
    vindicated = [t for t in rest if t.overturned and op.operator_id in t.non_signers]
    return {
        "address": op.address,
        "operator_id": "0x" + op.operator_id.hex(),
        "faulty": op.faulty,
        "signed": len(signed),
        "abstained": sum(t.result.count(ABSTAIN) for t in signed if t.result is not None),
        "dissented": len(wrong),
        "vindicated": len(vindicated),
        "missed": len(rest) - len(signed) - len(vindicated),
        "slashed_count": {
            fault: op.slashes.get(fault, 0) for fault in ("equivocation", *WRONG_FAULTS)
        },
        "stake_before": str(op.stake_before),
        "stake_after": str(op.stake_after),
        "fees_earned": str(op.fees_earned),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def summary_table_rows(summary: Mapping[str, Any]) -> list[list[str]]:
    """Rows of the per-operator table printed at the end of a devnet run."""
    rows = []
    for op in summary["operators"]:
        before, after = int(op["stake_before"]), int(op["stake_after"])
        change = "" if before == after else f" ({(after - before) * 100 / max(before, 1):+.1f}%)"
        rows.append(
            [
                op["address"][:10] + "…",
                "yes" if op["faulty"] else "no",
                str(op["signed"]),
                str(op["missed"]),
                str(op["dissented"]),
                str(sum(op["slashed_count"].values())),
                f"{after / 1e18:.2f}{change}",
                f"{int(op['fees_earned']) / 1e18:.6f}",
            ]
        )
    return rows
