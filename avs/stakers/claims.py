"""Fees an operator has earned but not claimed, from the ledger alone.

A task's fee share is claimable by an operator that signed its certificate and has not
claimed it yet (TaskManager.claimFees pays each (task, operator) once), once the task's
challenge window (deadline + challenge_window_blocks) has closed without the certificate
being overturned, and only if the operator was not slashed for a fault on that task (it
forfeits that task's fee). The amount is the contract's own formula
(:func:`avs.stakers.metrics.fee_share`).
"""

from __future__ import annotations

from dataclasses import dataclass

from avs.stakers.ledger import OVERTURNED, Ledger
from avs.stakers.metrics import fee_share


@dataclass(frozen=True, slots=True)
class Claimable:
    """One task whose fee share the operator can still claim."""

    task_index: int
    """Task index."""
    amount: int
    """Wei the claim would pay."""


def unclaimed_fees(
    ledger: Ledger, operator_id: bytes, challenge_window_blocks: int
) -> list[Claimable]:
    """Tasks whose fee share ``operator_id`` can claim now, oldest first."""
    faulty = {s.task_index for s in ledger.slashes if s.operator_id == operator_id}
    out: list[Claimable] = []
    for task in ledger.tasks:
        cert = task.certified
        if cert is None or task.status == OVERTURNED or operator_id in cert.non_signer_ids:
            continue
        if ledger.head + 1 <= task.created.deadline_block + challenge_window_blocks:
            continue  # a claim in the next block: a wrong certificate could still be overturned
        if task.created.task_index in faulty:
            continue
        if (task.created.task_index, operator_id) in ledger.claims:
            continue
        amount = fee_share(ledger, task, operator_id)
        if amount > 0:
            out.append(Claimable(task.created.task_index, amount))
    return out
