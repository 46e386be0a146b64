"""The registry's state at a block, replayed from events with BlockHistory semantics."""

from __future__ import annotations

from avs.stakers.ledger import Ledger
from avs.stakers.records import (
    EventRef,
    OperatorEjected,
    PubkeyRegistered,
    QuorumsChanged,
    Record,
    StakeUpdated,
)
from avs.stakers.registry import DEREGISTERED, EJECTED, REGISTERED, RegistryHistory, StepHistory

A = "0x000000000000000000000000000000000000000A"
B = "0x000000000000000000000000000000000000000b"
C = "0x000000000000000000000000000000000000000C"
ID_A, ID_B, ID_C = b"\xaa" * 32, b"\xbb" * 32, b"\xcc" * 32


def at(block: int, index: int = 0, tx: int = 0) -> EventRef:
    return EventRef(block, index, bytes([tx]) * 32)


def test_step_history_is_zero_before_and_overwrites_within_a_block() -> None:
    h = StepHistory()
    assert h.at(5) == 0
    assert h.latest() == 0
    h.record(10, 1)
    h.record(10, 2)  # same block: the later value wins, as in BlockHistory.record
    h.record(20, 3)
    assert (h.at(9), h.at(10), h.at(19), h.at(20), h.at(99)) == (0, 2, 2, 3, 3)
    assert h.blocks == [10, 20]


def join(op: str, op_id: bytes, block: int, quorums: tuple[int, ...], stake: int) -> list[Record]:
    out: list[Record] = [StakeUpdated(at(block, 1), op_id, q, stake) for q in quorums]
    out.append(QuorumsChanged(at(block, 2), op, op_id, quorums, True))
    return out


def history() -> list[Record]:
    records: list[Record] = [
        PubkeyRegistered(at(10), A, ID_A),
        PubkeyRegistered(at(10, 5), B, ID_B),
        PubkeyRegistered(at(10, 6), C, ID_C),
    ]
    records += join(A, ID_A, 10, (0, 1), 5)
    records += join(B, ID_B, 12, (0,), 7)
    records += join(C, ID_C, 12, (1,), 9)
    # B leaves on its own at 20; C is ejected at 30 (ejection then deregistration, one tx)
    records += [
        StakeUpdated(at(20, 1, tx=1), ID_B, 0, 0),
        QuorumsChanged(at(20, 2, tx=1), B, ID_B, (0,), False),
        OperatorEjected(at(30, 0, tx=2), C, (1,)),
        StakeUpdated(at(30, 1, tx=2), ID_C, 1, 0),
        QuorumsChanged(at(30, 2, tx=2), C, ID_C, (1,), False),
        StakeUpdated(at(40, 0, tx=3), ID_A, 0, 4),  # A slashed
    ]
    return records


def test_membership_and_stake_at_blocks() -> None:
    reg = RegistryHistory.build(history())
    assert reg.members_at((0,), 11) == {ID_A}
    assert reg.members_at((0,), 12) == {ID_A, ID_B}
    assert reg.members_at((1,), 25) == {ID_A, ID_C}
    assert reg.members_at((0, 1), 35) == {ID_A}
    assert reg.stake_at(ID_A, 0, 39) == 5
    assert reg.stake_at(ID_A, 0, 40) == 4
    assert reg.stake_at(ID_B, 0, 9) == 0
    assert reg.total_now(0) == 4
    assert reg.total_now(1) == 5
    assert reg.quorums_now(ID_A) == (0, 1)
    assert reg.stake_history(ID_A, 0) == ((10, 5), (40, 4))


def test_status_distinguishes_ejection_from_leaving() -> None:
    reg = RegistryHistory.build(history())
    assert reg.status(ID_A) == REGISTERED
    assert reg.status(ID_B) == DEREGISTERED
    assert reg.status(ID_C) == EJECTED


def test_ledger_resolves_addresses_and_ids() -> None:
    ledger = Ledger(history(), head=50)
    assert ledger.resolve(B.lower()) == ID_B
    assert ledger.resolve(C.upper().replace("0X", "0x")) == ID_C
    assert ledger.resolve("0x" + ID_A.hex()) == ID_A
    assert ledger.resolve("0x" + "de" * 32) is None
    assert ledger.resolve("0x" + "zz" * 32) is None
    assert ledger.resolve("0x" + "12" * 20) is None
    assert ledger.operator_ids() == [ID_A, ID_B, ID_C]
