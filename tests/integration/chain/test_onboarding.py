"""Operator onboarding on EigenLayer semantics: an allocation only counts once the operator's
allocation delay has passed, and ``avs operator register`` waits it out, step by step."""

from __future__ import annotations

import pytest
from eth_account import Account

from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair
from avs.errors import ContractRevert
from avs_operator.registration import AWAIT_ALLOCATION, STEP_ORDER, plan, register

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration

DELAY = 3


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def newcomer(system: SmallSystem, tag: int) -> tuple[ChainWriter, KeyPair]:
    dev = system.dev
    account = Account.from_key(bytes([tag]) * 32)
    dev.client.send_value(account.address, E18)
    dev.owner.mint(account.address, 5 * E18)
    return ChainWriter(dev.client.with_account(account.key), dev.deployment), KeyPair.from_secret(
        1000 + tag
    )


def test_allocation_counts_only_after_the_allocation_delay(small_system: SmallSystem) -> None:
    writer, keypair = newcomer(small_system, 0x61)
    writer.register_as_operator(allocation_delay=DELAY)
    assert small_system.dev.reader.allocation_delay(writer.address) == DELAY
    writer.deposit(5 * E18)
    writer.allocate({0: 10**18})
    with pytest.raises(ContractRevert) as err:  # nothing is slashable yet, so nothing counts
        writer.register_operator([0], keypair)
    assert err.value.error_name == "InsufficientStake"
    small_system.dev.mine(DELAY)
    writer.register_operator([0], keypair)
    assert small_system.dev.reader.stake(keypair.operator_id, 0) == 5 * E18


def test_register_runs_the_steps_and_waits_out_the_delay(small_system: SmallSystem) -> None:
    dev = small_system.dev
    writer, keypair = newcomer(small_system, 0x62)
    before = plan(dev.reader, writer.address, keypair, [0, 1], 4 * E18, DELAY)
    assert [s.key for s in before] == list(STEP_ORDER)
    assert not any(s.done for s in before)

    lines: list[str] = []
    standing = register(
        writer, keypair, [0, 1], 4 * E18, lines.append, allocation_delay=DELAY,
        sleep=lambda _seconds: dev.mine(1),  # the chain moves on while we wait
    )  # fmt: skip
    assert standing.quorums == (0, 1)
    assert standing.stakes == {0: 2 * E18, 1: 2 * E18}
    assert [line.split(":")[0] for line in lines if not line.startswith(" ")] == list(STEP_ORDER)
    assert any("block(s) to go" in line for line in lines)
    assert all(s.done for s in plan(dev.reader, writer.address, keypair, [0, 1], 4 * E18))
    assert AWAIT_ALLOCATION in STEP_ORDER
