"""Equivocation on real contracts: evidence verified against the operator's registered G2 key,
proportional losses for the operator and every delegator, at most once per fault, and no
escape through withdrawals or deregistration. Re-execution faults: test_wrong_results.py."""

from __future__ import annotations

import pytest

from avs.chain.devkit import OnboardedOperator
from avs.crypto.points import G1Point
from avs.errors import ContractRevert
from avs.protocol import Task, result_digest

from .systems import DELEGATED, E18, SmallSystem

pytestmark = pytest.mark.integration

A, B = b"result A", b"result B"


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def signed(
    system: SmallSystem, task: Task, op: OnboardedOperator, result: bytes
) -> tuple[bytes, G1Point]:
    return result_digest(result), system.dev.sign(task, result, [op])[op.operator_id]


def revert(fn: object, *args: object) -> ContractRevert:
    with pytest.raises(ContractRevert) as err:
        fn(*args)  # type: ignore[operator]
    return err.value


def burnable(system: SmallSystem) -> int:
    dev = system.dev
    sm = dev.deployment.contract("StrategyManager")
    return int(dev.client.call1(sm, "getBurnableShares", dev.deployment.strategy))


def test_equivocation_slashes_operator_and_delegators_proportionally_once(
    small_system: SmallSystem,
) -> None:
    dev, op2 = small_system.dev, small_system.dev.operators[2]
    r = dev.reader
    task = dev.create_task(small_system.float_model, [0, 1])
    assert r.operator_shares(op2.address) == 80 * E18  # 30 own + 50 delegated
    own_before = r.withdrawable_shares(op2.address)
    staker_before = r.withdrawable_shares(small_system.staker.address)
    others_before = [r.withdrawable_shares(op.address) for op in dev.operators if op is not op2]

    receipt = dev.owner.slash_equivocation(
        task, op2.address, op2.keypair.pubkey_g2, signed(small_system, task, op2, A),
        signed(small_system, task, op2, B),
    )  # fmt: skip
    (event,) = dev.deployment.contract("SlashingManager").decode_logs(
        receipt.logs, "OperatorSlashed"
    )
    assert event["fault"] == 1
    assert event["quorumNumbers"] == b"\x00\x01"
    assert event["wadSlashed"] == 2 * 10**17

    # 20% of the allocation in each quorum: half the stake in each, so 20% of everything
    assert event["sharesSlashed"] == 16 * E18
    assert r.max_magnitude(op2.address) == 8 * 10**17
    assert r.operator_shares(op2.address) == 64 * E18
    assert r.withdrawable_shares(op2.address) == own_before * 8 // 10
    assert r.withdrawable_shares(small_system.staker.address) == staker_before * 8 // 10
    assert [
        r.withdrawable_shares(op.address) for op in dev.operators if op is not op2
    ] == others_before
    assert r.stake(op2.operator_id, 0) == r.stake(op2.operator_id, 1) == 32 * E18
    assert r.total_stake(0) == (10 + 20 + 32) * E18
    assert burnable(small_system) == 16 * E18
    assert r.is_slashed(task.task_index, op2.operator_id, 1)

    again = revert(
        dev.owner.slash_equivocation, task, op2.address, op2.keypair.pubkey_g2,
        signed(small_system, task, op2, A), signed(small_system, task, op2, b"result C"),
    )  # fmt: skip
    assert again.error_name == "AlreadySlashed"
    assert r.operator_shares(op2.address) == 64 * E18


def test_equivocation_evidence_is_checked(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op0, op1, op3 = dev.operators[0], dev.operators[1], dev.operators[3]
    task = dev.create_task(small_system.float_model, [0])
    pk0 = op0.keypair.pubkey_g2
    sa, sb = signed(small_system, task, op0, A), signed(small_system, task, op0, B)
    slash = dev.owner.slash_equivocation
    assert revert(slash, task, op0.address, pk0, sa, sa).error_name == "SameResult"
    forged = signed(small_system, task, op1, B)
    assert (
        revert(slash, task, op0.address, pk0, sa, forged).error_name == "InvalidEvidenceSignature"
    )
    wrong_key = op1.keypair.pubkey_g2
    assert (
        revert(slash, task, op0.address, wrong_key, sa, sb).error_name == "InvalidEvidenceSignature"
    )
    # the right signatures but another operator's registered key
    s1a, s1b = signed(small_system, task, op1, A), signed(small_system, task, op1, B)
    assert (
        revert(slash, task, op0.address, op1.keypair.pubkey_g2, s1a, s1b).error_name
        == "PubkeyMismatch"
    )
    assert revert(slash, task, dev.owner.address, pk0, sa, sb).error_name == "UnknownOperator"
    s3a, s3b = signed(small_system, task, op3, A), signed(small_system, task, op3, B)
    assert revert(slash, task, op3.address, op3.keypair.pubkey_g2, s3a, s3b).error_name == (
        "NotInTaskQuorums"
    )
    assert revert(slash, task, op0.address, pk0, sa, sb, b"\x01" * 32).error_name == (
        "InvalidTaskOutcome"
    )
    last = task.deadline_block + dev.deployment.params.challenge_window_blocks
    dev.mine(last - dev.client.block_number())  # the next transaction lands after the window
    assert revert(slash, task, op0.address, pk0, sa, sb).error_name == "ChallengeWindowClosed"


def test_withdrawal_cannot_escape_a_provable_slash(small_system: SmallSystem) -> None:
    dev, op2, staker = small_system.dev, small_system.dev.operators[2], small_system.staker
    task = dev.create_task(small_system.float_model, [0, 1])
    # the staker sees the fault coming and runs
    withdrawal = small_system.staker_writer.queue_withdrawal(DELEGATED)
    assert dev.reader.operator_shares(op2.address) == 30 * E18
    dev.owner.slash_equivocation(
        task, op2.address, op2.keypair.pubkey_g2, signed(small_system, task, op2, A),
        signed(small_system, task, op2, B),
    )  # fmt: skip
    err = revert(small_system.staker_writer.complete_withdrawal, withdrawal)
    assert err.error_name == "WithdrawalDelayNotElapsed"
    dev.mine(dev.deployment.params.withdrawal_delay_blocks)
    before = dev.reader.token_balance(staker.address)
    small_system.staker_writer.complete_withdrawal(withdrawal)
    assert dev.reader.token_balance(staker.address) == before + DELEGATED * 8 // 10
    # the 20% of the queued 50e18 is burned with the operator's own 20% of 30e18
    assert burnable(small_system) == 10 * E18 + 6 * E18
    assert revert(small_system.staker_writer.complete_withdrawal, withdrawal).error_name == (
        "WithdrawalNotQueued"
    )


def test_deregistered_operator_stays_slashable(small_system: SmallSystem) -> None:
    dev, op3 = small_system.dev, small_system.dev.operators[3]
    task = dev.create_task(small_system.float_model, [1])
    op3.writer.deregister_operator([1])
    dev.owner.slash_equivocation(
        task, op3.address, op3.keypair.pubkey_g2, signed(small_system, task, op3, A),
        signed(small_system, task, op3, B),
    )  # fmt: skip
    assert dev.reader.operator_shares(op3.address) == 32 * E18
