"""Layouts of the systems the chain integration tests deploy (shared by conftest and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem
from avs.chain.writer import ChainWriter

E18 = 10**18


def cert_quorums(i: int) -> list[int]:
    """Quorums of operator i in cert_system."""
    return [0] + [1] * (i < 16) + [2] * (i < 4) + [3] * (i < 1)


def cert_stake(i: int) -> int:
    """Tokens deposited by operator i in cert_system."""
    return (10 + i) * E18


SMALL_QUORUMS = {0: [0], 1: [0], 2: [0, 1], 3: [1]}
SMALL_STAKES = {0: 10 * E18, 1: 20 * E18, 2: 30 * E18, 3: 40 * E18}
DELEGATED = 50 * E18
SMALL_PARAMS = DeployParams(
    quorum_count=2,
    withdrawal_delay_blocks=40,
    deallocation_delay_blocks=40,
    max_response_window_blocks=10,
    challenge_window_blocks=20,
)


@dataclass(frozen=True, slots=True)
class SmallSystem:
    """small_system: the DevSystem, its delegator, and two models."""

    dev: DevSystem
    """Deployment and operators."""
    staker: LocalAccount
    """Delegated DELEGATED tokens to operator 2."""
    staker_writer: ChainWriter
    """Signs as the staker."""
    exact_model: bytes
    """An int-mlp (exact) model."""
    float_model: bytes
    """An onnx-classify (non-exact) model."""
