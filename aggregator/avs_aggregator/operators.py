"""The operator set of a task at its reference block, as the aggregator needs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from avs.crypto.points import G1Point, G2Point


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    """One registered operator at a task's reference block."""

    operator_id: bytes
    """keccak256 of the operator's G1 public key."""
    address: str
    """The operator's Ethereum address."""
    pubkey_g1: G1Point
    """Registered G1 public key (summed into quorum APKs)."""
    pubkey_g2: G2Point
    """Registered G2 public key (verifies its signatures)."""
    stakes: Mapping[int, int]
    """Stake per quorum number this operator belongs to at the reference block."""


@dataclass(frozen=True, slots=True)
class OperatorSetSnapshot:
    """Every operator of the task's quorums, and each quorum's total stake."""

    reference_block: int
    """Block at which stakes and membership are read (the task's creation block)."""
    quorum_numbers: tuple[int, ...]
    """The task's quorums."""
    operators: Mapping[bytes, OperatorInfo]
    """Operators by operator id."""
    total_stakes: Mapping[int, int]
    """Total stake per quorum at the reference block."""


def meets_threshold(signed: int, total: int, threshold_bps: int) -> bool:
    """The contract's rule: signed * 10000 >= total * thresholdBps (and something signed)."""
    return signed > 0 and signed * 10_000 >= total * threshold_bps
