"""Systems deployed once per test module on the session's anvil.

``cert_system``: 4 quorums, 64 operators (all in quorum 0, the first 16 also in quorum 1,
the first 4 in quorum 2, the first in quorum 3), so certificates over 1, 4, 16 and 64
operators and over two overlapping quorums come from one deployment.

``small_system``: 2 quorums, 4 operators (0, 1 in quorum 0; 2 in both; 3 in quorum 1) and
a staker delegated to operator 2; short windows so expiry and delays are quick to reach.
"""

from __future__ import annotations

import pytest
from eth_account import Account

from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem
from avs.chain.writer import ChainWriter
from avs.tasks.int_mlp_weights import digits_encoding

from .systems import (
    DELEGATED,
    E18,
    SMALL_PARAMS,
    SMALL_QUORUMS,
    SMALL_STAKES,
    SmallSystem,
    cert_quorums,
    cert_stake,
)


@pytest.fixture(scope="module")
def cert_system(deployer_client: ChainClient) -> DevSystem:
    """64 operators over 4 nested quorums."""
    system = DevSystem.deploy(deployer_client, DeployParams(quorum_count=4))
    system.add_operators(64, cert_quorums, cert_stake, seed=b"cert")
    return system


@pytest.fixture(scope="module")
def small_system(deployer_client: ChainClient) -> SmallSystem:
    """4 operators, 2 quorums, one delegator on operator 2."""
    dev = DevSystem.deploy(deployer_client, SMALL_PARAMS)
    dev.add_operators(4, SMALL_QUORUMS.__getitem__, SMALL_STAKES.__getitem__, seed=b"small")
    staker = Account.from_key(b"\x5a" * 32)
    deployer_client.send_value(staker.address, 10 * E18)
    dev.owner.mint(staker.address, DELEGATED)
    staker_writer = ChainWriter(deployer_client.with_account(staker.key), dev.deployment)
    staker_writer.deposit(DELEGATED)
    staker_writer.delegate_to(dev.operators[2].address)
    dev.owner.update_operators([dev.operators[2].address])
    return SmallSystem(
        dev,
        staker,
        staker_writer,
        dev.register_model("int-mlp", name=b"exact", encoding=digits_encoding()),
        dev.register_model("onnx-classify", name=b"float"),
    )
