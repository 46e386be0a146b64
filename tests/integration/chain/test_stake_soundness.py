"""Recorded stake stays slashable: the two ways stake used to leave while still being counted
(an operator deallocating to 0, delegators withdrawing everything) are refreshed away, so the
stake a later certificate counts is stake a slash can still take when its evidence window
closes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.stakes import lookahead_blocks, slashable_stakes, stale_operators
from avs.chain.writer import ChainWriter
from avs.cli.main import cli
from avs.protocol import Task, result_digest
from avs_aggregator.aggregation import SignedResponse, TaskAggregation
from avs_aggregator.chain_adapter import ChainAdapter

from .systems import DELEGATED, E18, SmallSystem

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def unbacked_stake(system: SmallSystem, task: Task) -> dict[tuple[str, int], tuple[int, int]]:
    """(operator, quorum) -> (stake counted at the task's reference block, stake a slash can
    take when the task's evidence window closes), wherever the first exceeds the second."""
    dev = system.dev
    state = dev.reader.operator_state(task.quorums, task.created_block)
    window_end = task.deadline_block + dev.deployment.params.challenge_window_blocks
    unbacked = {}
    for quorum in task.quorums:
        members = state.members(quorum)
        can_take = slashable_stakes(dev.reader, quorum, [op.address for op in members], window_end)
        for op, take in zip(members, can_take, strict=True):
            if op.stakes[quorum] > take:
                unbacked[(op.address, quorum)] = (op.stakes[quorum], take)
    return unbacked


def refresh(system: SmallSystem) -> list[str]:
    """What an aggregator does beside each certificate: refresh operators whose stake fell."""
    dev = system.dev
    adapter = ChainAdapter(dev.reader, dev.owner)
    return adapter.refresh_stakes(dev.deployment.quorum_numbers)


def test_deallocated_stake_stops_counting_before_it_stops_being_slashable(
    small_system: SmallSystem,
) -> None:
    dev, op0 = small_system.dev, small_system.dev.operators[0]
    reader = dev.reader
    op0.writer.allocate({0: 0})  # the attack: deallocate everything, keep signing
    effect = reader.allocation(op0.address, 0)[2]
    lookahead = lookahead_blocks(reader)
    assert effect > dev.client.block_number() + lookahead  # the deployment's delay check

    # still slashable for any task created now: nothing to refresh, nothing unbacked
    assert refresh(small_system) == []
    assert unbacked_stake(small_system, dev.create_task(small_system.float_model, [0])) == {}

    # once a task's evidence window would outlast the allocation, the refresh drops it
    dev.mine(effect - lookahead - dev.client.block_number() - 1)
    assert refresh(small_system) == [op0.address]
    assert reader.stake(op0.operator_id, 0) == 0
    assert reader.quorum_bitmap(op0.operator_id) == 0  # below the minimum: deregistered
    task = dev.create_task(small_system.float_model, [0])
    assert unbacked_stake(small_system, task) == {}
    # the deallocated stake stayed slashable for every task that could have counted it
    assert reader.slashable_stake(op0.address, 0, effect - 1) == 10 * E18


def test_withdrawn_delegations_stop_counting(small_system: SmallSystem) -> None:
    dev, op2 = small_system.dev, small_system.dev.operators[2]
    reader = dev.reader
    assert reader.stake(op2.operator_id, 0) == 40 * E18  # (30 own + 50 delegated) / 2 quorums
    small_system.staker_writer.queue_withdrawal(DELEGATED)  # the attack: every delegator leaves

    stale_task = dev.create_task(small_system.float_model, [0, 1])
    assert set(unbacked_stake(small_system, stale_task)) == {(op2.address, 0), (op2.address, 1)}

    assert refresh(small_system) == [op2.address]
    task = dev.create_task(small_system.float_model, [0, 1])
    assert unbacked_stake(small_system, task) == {}
    window_end = task.deadline_block + dev.deployment.params.challenge_window_blocks
    for quorum in (0, 1):
        counted = reader.stake(op2.operator_id, quorum, task.created_block)
        assert counted == 15 * E18 == reader.slashable_stake(op2.address, quorum, window_end)
    assert stale_operators(reader, (0, 1)) == []


def test_a_task_created_before_a_refresh_sends_no_second_refresh(
    small_system: SmallSystem,
) -> None:
    """Regression (issue 13, 32 operators x 120 tasks: 123 updateOperators transactions for
    16 certificates, each delaying its certificate by a block): a task's snapshot keeps the
    stake recorded when it was created, so judging staleness by it refreshed the same
    operator again before every certificate of a task older than the last refresh."""
    dev, op2 = small_system.dev, small_system.dev.operators[2]
    small_system.staker_writer.queue_withdrawal(DELEGATED)
    task = dev.create_task(small_system.float_model, [0, 1])  # snapshot: the old stake
    assert refresh(small_system) == [op2.address]
    account = Account.from_key(DEV_PRIVATE_KEYS[3])
    writer = ChainWriter(dev.client.with_account(account.key), dev.deployment)
    adapter = ChainAdapter(dev.reader, writer)
    snapshot = adapter.snapshot(task)
    assert snapshot.operators[op2.operator_id].stakes[0] == 40 * E18  # counted as before
    aggregation = TaskAggregation(snapshot, task.threshold_bps)
    for op_id, signature in dev.sign(task, b"labels", dev.operators).items():
        aggregation.add(SignedResponse(op_id, b"labels", result_digest(b"labels"), signature))
    (group,) = aggregation.groups()
    sent_before = dev.client.rpc("eth_getTransactionCount", [account.address, "latest"])

    result = adapter.certify(task, snapshot, group)

    assert not result.already_certified
    sent = int(dev.client.rpc("eth_getTransactionCount", [account.address, "latest"]), 16)
    assert sent - int(sent_before, 16) == 1  # the certificate, no refresh


def test_quorum_total_above_uint96_still_certifies(small_system: SmallSystem) -> None:
    dev = small_system.dev
    # one at a time: each registration is bounded by what the earlier ones left
    stakes = {4: 10**28, 5: 4 * 10**28, 6: 4 * 10**28}
    for _ in stakes:
        dev.add_operators(1, lambda i: [1], stakes.__getitem__, seed=b"whale")
    small, big = dev.operators[4], dev.operators[5:]
    assert dev.reader.total_stake(1) == 2**96 - 1  # 9e28 deposited; totals are uint96
    task = dev.create_task(small_system.float_model, [1])
    dev.certify(task, b"result", [dev.operators[2], dev.operators[3], *big])  # 87% signed
    certified = dev.reader.certification(task.task_index)
    assert certified is not None
    assert certified.signed_stake == (2**96 - 1 - dev.reader.stake(small.operator_id, 1),)


def test_update_stakes_command_refreshes_what_fell(
    small_system: SmallSystem, anvil: str, tmp_path: Path
) -> None:
    dev, op2 = small_system.dev, small_system.dev.operators[2]
    deployment = tmp_path / "deployment.json"
    dev.deployment.save(deployment)
    args = ["operators", "update-stakes", "--rpc-url", anvil, "--deployment", str(deployment)]
    small_system.staker_writer.queue_withdrawal(DELEGATED)

    dry = CliRunner().invoke(cli, [*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["operators"] == [op2.address]
    assert dev.reader.stake(op2.operator_id, 0) == 40 * E18  # a dry run sends nothing

    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert op2.address in done.output
    assert dev.reader.stake(op2.operator_id, 0) == 15 * E18
    again = CliRunner().invoke(cli, args)
    assert "nothing to refresh" in again.output
