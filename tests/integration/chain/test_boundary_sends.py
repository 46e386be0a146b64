"""Transactions valid from the next block on are sent as soon as the head reaches the
boundary: the gas estimate runs in the pending block, where they land. At the latest block
a fee claim right after the challenge window (ChallengeWindowOpen) and a refund right at the
deadline (TaskNotExpired) reverted in the estimate and were never sent."""

from __future__ import annotations

import pytest

from avs.chain.client import ChainClient
from avs.chain.devkit import WAD, DevSystem
from avs.chain.views import FeeClaim

pytestmark = pytest.mark.integration


def test_claim_and_refund_go_through_at_their_boundary_block(
    deployer_client: ChainClient, chain_snapshot: None
) -> None:
    system = DevSystem.deploy(deployer_client)
    system.add_operators(3, lambda _i: [0], lambda _i: 10 * WAD, bulk=True)
    model = system.register_model("onnx-classify", fee_per_input=10**9)

    task = system.create_task(model, [0])
    system.certify(task, b"\x01", system.operators)
    certified = system.reader.certification(task.task_index, task)
    assert certified is not None
    system.close_challenge_window(task)  # the head is the window's last block
    paid, _ = system.operators[0].writer.claim_fees([FeeClaim(task, certified)])
    assert paid > 0

    expiring = system.create_task(model, [0], window=3)
    system.mine(expiring.deadline_block - deployer_client.block_number())
    assert deployer_client.block_number() == expiring.deadline_block
    receipt = system.owner.refund_expired_task(expiring)
    assert receipt.block_number == expiring.deadline_block + 1
