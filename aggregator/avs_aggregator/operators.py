"""The operator set of a task at its reference block, and the contract's threshold rule."""

from __future__ import annotations

from avs.chain.views import OperatorSetState, RegisteredOperator

__all__ = ["OperatorSetState", "RegisteredOperator", "meets_threshold"]


def meets_threshold(signed: int, total: int, threshold_bps: int) -> bool:
    """TaskManager's rule: total > 0 and signed * 10000 >= total * thresholdBps."""
    return total > 0 and signed > 0 and signed * 10_000 >= total * threshold_bps
