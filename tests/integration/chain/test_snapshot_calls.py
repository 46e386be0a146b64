"""The aggregator's snapshot of a task's operator set costs the same few RPC calls for 3 or
30 operators (one view over the registry's histories, plus the G2 keys of new registration
events), and is right at an old reference block whose state the node no longer keeps."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from avs.chain.client import ChainClient, Contract
from avs.chain.devkit import WAD, DevSystem
from avs.chain.reader import ChainReader

pytestmark = pytest.mark.integration


class CountingClient(ChainClient):
    """The real client, counting eth_call and eth_getLogs requests."""

    def __init__(self, client: ChainClient) -> None:
        super().__init__(client._w3, client.url)
        self.calls: Counter[str] = Counter()

    def call(
        self, contract: Contract, fn: str, *args: Any, block: int | str | None = None
    ) -> tuple[Any, ...]:
        self.calls[f"eth_call {fn}"] += 1
        return super().call(contract, fn, *args, block=block)

    def get_logs(self, *args: Any, **kwargs: Any) -> Any:
        self.calls["eth_getLogs"] += 1
        return super().get_logs(*args, **kwargs)


def test_snapshot_rpc_calls_do_not_grow_with_the_operator_count(
    deployer_client: ChainClient, chain_snapshot: None
) -> None:
    system = DevSystem.deploy(deployer_client)
    counts = []
    for total in (3, 30):
        system.add_operators(
            total - len(system.operators), lambda i: [0, 1] if i % 3 else [0],
            lambda i: (10 + i) * WAD, seed=b"snapshot", bulk=True,
        )  # fmt: skip
        block = deployer_client.block_number()
        client = CountingClient(deployer_client)
        state = ChainReader(client, system.deployment).operator_state([0, 1], block)
        assert len(state.operators) == total
        counts.append(client.calls)
    assert counts[0] == counts[1]
    assert counts[1]["eth_call getOperatorSetSnapshot"] == 1
    assert sum(counts[1].values()) <= 2


def test_snapshot_matches_the_per_operator_views_at_an_old_block(
    deployer_client: ChainClient, chain_snapshot: None
) -> None:
    system = DevSystem.deploy(deployer_client)
    system.add_operators(4, lambda i: [0, 1] if i % 2 else [1], lambda i: (10 + i) * WAD, bulk=True)
    reference = deployer_client.block_number()
    system.add_operators(2, lambda _i: [0], lambda _i: 99 * WAD, bulk=True)  # joined later
    system.mine(300)  # past the node's kept state: only the contracts' checkpoints remain
    reader = system.reader
    state = reader.operator_state([0, 1], reference)
    assert len(state.operators) == 4
    for op in system.operators[:4]:
        got = state.operators[op.operator_id]
        assert got.address == op.address
        assert got.pubkey_g1 == op.keypair.pubkey_g1
        assert got.pubkey_g2 == op.keypair.pubkey_g2
        for q in (0, 1):
            member = bool(reader.quorum_bitmap(op.operator_id, reference) >> q & 1)
            assert (q in got.stakes) == member
            if member:
                assert got.stakes[q] == reader.stake(op.operator_id, q, reference)
    totals = {q: sum(op.stakes.get(q, 0) for op in state.operators.values()) for q in (0, 1)}
    assert state.total_stakes == totals
