"""Aggregation state: digest groups, stake per quorum, thresholds, rejection."""

from __future__ import annotations

from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs_aggregator.aggregation import AddOutcome, SignedResponse, TaskAggregation
from avs_aggregator.operators import OperatorSetState, RegisteredOperator, meets_threshold

KEYS = [KeyPair.from_secret(1000 + i) for i in range(4)]
MESSAGE = keccak256(b"task")


def snapshot(stakes: list[dict[int, int]], quorums: tuple[int, ...] = (0, 1)) -> OperatorSetState:
    operators = {
        k.operator_id: RegisteredOperator(f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, s)
        for i, (k, s) in enumerate(zip(KEYS, stakes, strict=True))
    }
    totals: dict[int, int] = {}
    for s in stakes:
        for q, v in s.items():
            totals[q] = totals.get(q, 0) + v
    return OperatorSetState(100, quorums, operators, totals)


def response(i: int, result: bytes) -> SignedResponse:
    return SignedResponse(KEYS[i].operator_id, result, keccak256(result), KEYS[i].sign(MESSAGE))


def test_threshold_rule_matches_contract_rounding() -> None:
    assert meets_threshold(6667, 10000, 6667)
    assert not meets_threshold(6666, 10000, 6667)
    assert not meets_threshold(0, 0, 0)


def test_group_ready_only_when_every_quorum_meets_threshold() -> None:
    # operator 3 is only in quorum 1 and holds most of it
    stakes = [{0: 10, 1: 1}, {0: 10, 1: 1}, {0: 10, 1: 1}, {1: 30}]
    agg = TaskAggregation(snapshot(stakes), threshold_bps=6000)
    for i in range(3):
        assert agg.add(response(i, b"\x07")) is AddOutcome.ACCEPTED
    assert agg.ready_group() is None  # quorum 1: 3 of 33
    assert agg.add(response(3, b"\x07")) is AddOutcome.ACCEPTED
    group = agg.ready_group()
    assert group is not None
    assert group.signed_stake == {0: 30, 1: 33}
    assert agg.non_signers(group) == []


def test_duplicates_conflicts_and_unknown_signers() -> None:
    agg = TaskAggregation(snapshot([{0: 1}] * 3 + [{0: 1}], quorums=(0,)), 5000)
    first = response(0, b"\x01")
    assert agg.precheck(first) is None  # new: must be verified before it counts
    assert agg.add(first) is AddOutcome.ACCEPTED
    assert agg.precheck(first) is AddOutcome.DUPLICATE  # byte-identical retry: no check
    assert agg.add(response(0, b"\x02")) is AddOutcome.CONFLICT
    assert agg.add(response(0, b"\x03")) is AddOutcome.CONFLICT
    # one evidence pair per operator is enough for a slash and bounds memory
    assert [(a.result_bytes, b.result_bytes) for a, b in agg.equivocations()] == [
        (b"\x01", b"\x02")
    ]
    stranger = KeyPair.from_secret(99)
    unknown = SignedResponse(
        stranger.operator_id, b"\x01", keccak256(b"\x01"), stranger.sign(MESSAGE)
    )
    assert agg.precheck(unknown) is AddOutcome.UNKNOWN_OPERATOR
    assert agg.add(unknown) is AddOutcome.UNKNOWN_OPERATOR


def test_same_digest_with_other_signature_is_not_a_duplicate() -> None:
    agg = TaskAggregation(snapshot([{0: 1}] * 4, quorums=(0,)), 5000)
    agg.add(response(0, b"\x01"))
    other_sig = SignedResponse(
        KEYS[0].operator_id, b"\x01", keccak256(b"\x01"), KEYS[1].sign(MESSAGE)
    )
    assert agg.precheck(other_sig) is None  # must be verified, never answered DUPLICATE


def test_discarded_signer_loses_stake_and_may_return() -> None:
    agg = TaskAggregation(snapshot([{0: 1}] * 4, quorums=(0,)), 7500)
    for i in range(3):
        agg.add(response(i, b"\x05"))
    assert agg.ready_group() is not None
    agg.discard([KEYS[1].operator_id])
    assert agg.ready_group() is None
    # never banned: a later verified response of the same operator counts again
    assert agg.add(response(1, b"\x05")) is AddOutcome.ACCEPTED
    group = agg.ready_group()
    assert group is not None
    assert agg.non_signers(group) == [KEYS[3].operator_id]


def test_group_copy_is_independent() -> None:
    agg = TaskAggregation(snapshot([{0: 1}] * 4, quorums=(0,)), 5000)
    for i in range(2):
        agg.add(response(i, b"\x05"))
    group = agg.ready_group()
    assert group is not None
    frozen = group.copy()
    agg.add(response(2, b"\x05"))
    assert len(frozen.responses) == 2
    assert frozen.signed_stake == {0: 2}
    frozen.drop(KEYS[0].operator_id, {0: 1})
    assert len(group.responses) == 3
    assert group.signed_stake == {0: 3}


def test_dissenters_are_reported_against_the_certified_digest() -> None:
    agg = TaskAggregation(snapshot([{0: 1}] * 4, quorums=(0,)), 5000)
    for i in range(3):
        agg.add(response(i, b"\x05"))
    agg.add(response(3, b"\x06"))
    group = agg.ready_group()
    assert group is not None
    dissent = agg.dissenters(group.result_digest)
    assert [d.operator_id for d in dissent] == [KEYS[3].operator_id]
    assert [len(g.responses) for g in agg.groups()] == [3, 1]
