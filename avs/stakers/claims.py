"""Fees an operator has earned but not claimed, from the ledger alone.

A task's fee share is claimable by an operator that signed its certificate and has not
claimed it yet (TaskManager.claimFees pays each (task, operator) once); the amount is the
contract's own formula (:func:`avs.stakers.metrics.fee_share`).
"""

from __future__ import annotations

from dataclasses import dataclass

from avs.stakers.ledger import Ledger
from avs.stakers.metrics import fee_share


@dataclass(frozen=True, slots=True)
class Claimable:
    """One task whose fee share the operator can still claim."""

    task_index: int
    """Task index."""
    amount: int
    """Wei the claim would pay."""


def unclaimed_fees(ledger: Ledger, operator_id: bytes) -> list[Claimable]:
    """Certified tasks ``operator_id`` signed and has not claimed, oldest first."""
    out: list[Claimable] = []
    for task in ledger.tasks:
        cert = task.certified
        if cert is None or operator_id in cert.non_signer_ids:
            continue
        if (task.created.task_index, operator_id) in ledger.claims:
            continue
        amount = fee_share(ledger, task, operator_id)
        if amount > 0:
            out.append(Claimable(task.created.task_index, amount))
    return out
