"""Devnet summary figures from observed outcomes."""

from __future__ import annotations

from avs.devnet.summary import (
    OperatorOutcome,
    TaskOutcome,
    build_summary,
    percentile,
    summary_table_rows,
)

OP_A, OP_B = b"\x0a" * 32, b"\x0b" * 32


def test_percentiles() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == 4.8


def test_summary_counts_signers_abstentions_and_accuracy() -> None:
    tasks = [
        TaskOutcome(
            1, "int-mlp", (1, 2, 3), 10, 100.0, 12, 101.5, bytes([1, 2, 4]), frozenset({OP_B})
        ),
        TaskOutcome(
            2, "onnx-classify", (5, 6), 11, 100.0, 14, 103.0, bytes([5, 0xFF]), frozenset()
        ),
        TaskOutcome(3, "int-mlp", (7,), 12, 100.0, expired=True),
    ]
    ops = [
        OperatorOutcome("0x" + "aa" * 20, OP_A, False, 100, 100, 50),
        OperatorOutcome(
            "0x" + "bb" * 20, OP_B, True, 100, 90, 10, {"wrong_result": 1}, frozenset({1})
        ),
    ]
    s = build_summary(tasks, ops)
    assert s["tasks"] == {"submitted": 3, "certified": 2, "expired": 1, "overturned": 0}
    assert s["honest_operators_slashed"] == 0
    assert s["latency"]["blocks_p50"] == 2.5
    assert s["latency"]["seconds_p50"] == 2.25
    # labels 1,2,4 vs 1,2,3 and 5 vs 5 (the abstention is not counted): 3 of 4 right
    assert s["accuracy"] == 0.75
    a, b = s["operators"]
    assert (a["signed"], a["abstained"], a["missed"]) == (2, 1, 0)
    # B did not sign task 1 and was slashed for it: dissented, not missed (docs/stakers.md)
    assert (b["signed"], b["missed"], b["dissented"], b["stake_after"]) == (1, 0, 1, "90")
    assert b["slashed_count"] == {"equivocation": 0, "wrong_result": 1, "wrong_certificate": 0}
    assert summary_table_rows(s)[1][6].endswith("(-10.0%)")


def test_overturned_certificate_counts_against_signers_and_for_the_honest_minority() -> None:
    overturned = TaskOutcome(
        4, "int-mlp", (1, 2), 10, 100.0, 12, 101.0, None, frozenset({OP_A}), overturned=True
    )
    ops = [
        OperatorOutcome("0x" + "aa" * 20, OP_A, False, 100, 100, 0),
        OperatorOutcome(
            "0x" + "bb" * 20, OP_B, True, 100, 95, 0, {"wrong_certificate": 1}, frozenset({4})
        ),
    ]
    s = build_summary([overturned], ops)
    assert s["tasks"]["overturned"] == 1
    assert s["honest_operators_slashed"] == 0
    a, b = s["operators"]
    assert (a["signed"], a["missed"], a["vindicated"], a["dissented"]) == (0, 0, 1, 0)
    assert (b["signed"], b["missed"], b["vindicated"], b["dissented"]) == (0, 0, 0, 1)
    assert s["accuracy"] is None  # an overturned result is nobody's answer


def test_no_certified_tasks_gives_nulls_not_errors() -> None:
    s = build_summary([TaskOutcome(1, "int-mlp", (1,), 10, 0.0, expired=True)], [])
    assert s["accuracy"] is None
    assert s["latency"]["seconds_p95"] is None
