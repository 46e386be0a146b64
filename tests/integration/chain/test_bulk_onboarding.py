"""Onboarding in bulk (``DevSystem.add_operators(..., bulk=True)``) sends the one-by-one
path's calls in few blocks and leaves the same operators, keys, stakes and quorums on chain."""

from __future__ import annotations

import pytest

from avs.chain.bulk import BulkCall, send_in_blocks
from avs.chain.client import ChainClient
from avs.chain.devkit import WAD, DevSystem
from avs.errors import ChainError

pytestmark = pytest.mark.integration


def test_bulk_onboarding_matches_the_one_by_one_path(
    deployer_client: ChainClient, chain_snapshot: None
) -> None:
    one_by_one, bulk = DevSystem.deploy(deployer_client), DevSystem.deploy(deployer_client)
    quorums = lambda i: [0] if i % 2 else [0, 1]  # noqa: E731
    stakes = lambda i: (10 + i) * WAD  # noqa: E731
    one_by_one.add_operators(3, quorums, stakes, seed=b"bulk")
    start = deployer_client.block_number()
    bulk.add_operators(3, quorums, stakes, seed=b"bulk", bulk=True)
    assert deployer_client.block_number() - start < 3 * 6  # fewer blocks than one per call
    assert deployer_client.rpc("anvil_getAutomine") is True  # automine is back on
    head = deployer_client.block_number()
    states = [s.reader.operator_state([0, 1], head) for s in (one_by_one, bulk)]
    assert states[0].operators == states[1].operators
    assert states[0].total_stakes == states[1].total_stakes
    assert [op.address for op in bulk.operators] == [op.address for op in one_by_one.operators]


def test_a_reverting_bulk_call_is_named(deployer_client: ChainClient, chain_snapshot: None) -> None:
    system = DevSystem.deploy(deployer_client)
    stranger = deployer_client.with_account("0x" + "42" * 32).account
    # a sender is funded in an earlier bulk send (the node checks balances at send time)
    send_in_blocks(
        deployer_client, [BulkCall(deployer_client.account, None, value=WAD, to=stranger.address)]
    )
    calls = [
        BulkCall(deployer_client.account, system.owner.token, "mint", (stranger.address, WAD)),
        BulkCall(stranger, system.owner.token, "mint", (stranger.address, WAD)),  # owner only
    ]
    with pytest.raises(ChainError, match=r"DevnetToken\.mint reverted in a bulk send"):
        send_in_blocks(deployer_client, calls)
    assert system.reader.token_balance(stranger.address) == WAD  # the owner's call landed
    assert deployer_client.rpc("anvil_getAutomine") is True
