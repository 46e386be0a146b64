"""Per-operator figures on a hand-built history whose answers are worked out below.

Operators: A (quorums 0 and 1, stake 30 and 10), B (quorum 0, 30), C (quorum 1, 30),
D (quorum 0, 20, joins at block 50). Head 60.
T0 @20 (deadline 30, quorums 0+1, fee 1001, float model): certified @22, C did not sign.
T1 @24 (deadline 34, quorum 0, fee 300, exact): certified @27, B did not sign; B slashed
   for dissent on T1.
T2 @40 (deadline 45, quorum 1): never certified -> expired.
T3 @55 (deadline 70, quorum 0): open -> pending, in no figure.
T4 @56 (deadline 58, quorum 0, fee 90, exact): certified @57, everyone signed.
A claimed 751 wei for T0.
"""

from __future__ import annotations

import pytest

from avs.stakers.ledger import Ledger
from avs.stakers.metrics import Window, fee_share, nearest_rank, performance, task_counts
from avs.stakers.records import (
    EventRef,
    FeesClaimed,
    ModelRegistered,
    OperatorSlashed,
    PubkeyRegistered,
    QuorumsChanged,
    Record,
    StakeUpdated,
    TaskCertified,
    TaskCreated,
)

ADDR = {k: "0x" + f"{i + 1:040x}" for i, k in enumerate("ABCD")}
ID = {k: bytes([i + 1]) * 32 for i, k in enumerate("ABCD")}
EXACT, FLOAT = b"\xe0" * 32, b"\xf0" * 32
JOINS = {"A": (10, {0: 30, 1: 10}), "B": (10, {0: 30}), "C": (10, {1: 30}), "D": (50, {0: 20})}


def at(block: int, index: int = 0) -> EventRef:
    return EventRef(block, index, block.to_bytes(32, "big"))


def ids(*names: str) -> tuple[bytes, ...]:
    return tuple(sorted(ID[n] for n in names))


def records() -> list[Record]:
    out: list[Record] = [
        ModelRegistered(at(1), EXACT, "int-mlp", True),
        ModelRegistered(at(1, 1), FLOAT, "onnx-classify", False),
    ]
    for name, (block, stakes) in JOINS.items():
        out.append(PubkeyRegistered(at(block, 1), ADDR[name], ID[name]))
        out += [StakeUpdated(at(block, 2), ID[name], q, s) for q, s in stakes.items()]
        out.append(QuorumsChanged(at(block, 3), ADDR[name], ID[name], tuple(stakes), True))
    out += [
        TaskCreated(at(20), 0, FLOAT, (0, 1), 20, 30, 1001),
        TaskCertified(at(22), 0, b"r" * 32, 20, ids("C"), (60, 10), (60, 40)),
        TaskCreated(at(24), 1, EXACT, (0,), 24, 34, 300),
        TaskCertified(at(27), 1, b"r" * 32, 24, ids("B"), (30,), (60,)),
        FeesClaimed(at(28), 0, ID["A"], 751),
        OperatorSlashed(at(29), 1, ADDR["B"], ID["B"], "wrong_result", 10**16, (0,), 5, ADDR["A"]),
        TaskCreated(at(40), 2, EXACT, (1,), 40, 45, 50),
        TaskCreated(at(55), 3, EXACT, (0,), 55, 70, 50),
        TaskCreated(at(56), 4, EXACT, (0,), 56, 58, 90),
        TaskCertified(at(57), 4, b"r" * 32, 56, (), (80,), (80,)),
    ]
    return sorted(out, key=lambda r: r.at)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(records(), head=60)


ALL = Window(0, 60)


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([3, 1, 2, 4], 0.5) == 2
    assert nearest_rank([3, 1, 2, 4], 0.95) == 4
    assert nearest_rank([7], 0.95) == 7


def test_task_outcomes(ledger: Ledger) -> None:
    assert [t.status for t in ledger.tasks] == [
        "certified",
        "certified",
        "expired",
        "pending",
        "certified",
    ]
    counts = task_counts(ledger, ALL)
    assert (counts.created, counts.certified, counts.expired, counts.pending) == (5, 3, 1, 1)


def test_fee_share_follows_claim_fees(ledger: Ledger) -> None:
    # T0: 1001 over two quorums -> 500 and 501 (remainder to the last), pro rata signed stake
    assert fee_share(ledger, ledger.tasks[0], ID["A"]) == 500 * 30 // 60 + 501 * 10 // 10
    assert fee_share(ledger, ledger.tasks[0], ID["B"]) == 500 * 30 // 60
    assert fee_share(ledger, ledger.tasks[4], ID["D"]) == 90 * 20 // 80


def test_honest_operator_with_one_expired_task(ledger: Ledger) -> None:
    p = performance(ledger, ID["A"], ALL)
    assert (p.assigned, p.signed, p.missed, p.dissented, p.expired) == (4, 3, 0, 0, 1)
    assert p.dissent_visible == 2
    assert p.response_rate == 0.75
    assert p.agreement_rate == 1.0
    assert (p.latency_median, p.latency_p95) == (2, 3)
    assert p.fees_earned == 751 + 300 + 90 * 30 // 80
    assert p.fees_claimed == 751
    assert p.fees_unclaimed == 300 + 90 * 30 // 80
    # timeliness: T0 (10-2+1)/10, T1 (10-3+1)/10, T4 (2-1+1)/2 -> mean 0.9
    assert p.effectiveness == pytest.approx(100 * 0.75 * 1.0 * 0.9)
    assert p.slash_count == 0


def test_dissenter(ledger: Ledger) -> None:
    p = performance(ledger, ID["B"], ALL)
    assert (p.assigned, p.signed, p.missed, p.dissented, p.expired) == (3, 2, 0, 1, 0)
    assert p.response_rate == pytest.approx(2 / 3)
    assert p.agreement_rate == pytest.approx(2 / 3)
    assert (p.slash_count, p.slash_shares) == (1, 5)


def test_silent_operator(ledger: Ledger) -> None:
    p = performance(ledger, ID["C"], ALL)
    assert (p.assigned, p.signed, p.missed, p.expired) == (2, 0, 1, 1)
    assert p.response_rate == 0.0
    assert p.agreement_rate is None
    assert p.latency_median is None
    assert p.effectiveness == 0.0


def test_late_joiner_is_assigned_only_later_tasks(ledger: Ledger) -> None:
    p = performance(ledger, ID["D"], ALL)
    assert (p.assigned, p.signed) == (1, 1)
    assert p.fees_earned == 90 * 20 // 80


def test_window_limits_tasks_and_slashes(ledger: Ledger) -> None:
    late = Window(41, 60)
    a = performance(ledger, ID["A"], late)
    assert (a.assigned, a.signed, a.expired) == (1, 1, 0)
    b = performance(ledger, ID["B"], late)
    assert (b.assigned, b.dissented, b.slash_count) == (1, 0, 0)
    nothing = performance(ledger, ID["A"], Window(59, 60))
    assert nothing.assigned == 0
    assert nothing.response_rate is None
    assert nothing.effectiveness is None


def test_an_operator_in_every_fastest_certificate_scores_100() -> None:
    # every certificate lands 2 blocks after creation: that is what this AVS achieves
    history: list[Record] = [
        PubkeyRegistered(at(1, 1), ADDR["A"], ID["A"]),
        StakeUpdated(at(1, 2), ID["A"], 0, 30),
        QuorumsChanged(at(1, 3), ADDR["A"], ID["A"], (0,), True),
    ]
    for i in range(3):
        created = 10 + 5 * i
        history.append(TaskCreated(at(created), i, FLOAT, (0,), created, created + 20, 10))
        history.append(TaskCertified(at(created + 2), i, b"r" * 32, created, (), (30,), (30,)))
    ledger = Ledger(history, head=60)
    assert ledger.fastest_latency == 2
    assert performance(ledger, ID["A"], ALL).effectiveness == 100.0
