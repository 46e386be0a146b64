"""``avs operator claim-fees``: what is claimable, then claims in batches.

What is claimable comes from the stakers' ledger (chain events, cached): certified tasks the
operator signed and has not claimed, with the contract's own amount. Each claim needs the
task and its certification as emitted on chain; :func:`claim` reads them per task and sends
``TaskManager.claimFees`` once per batch, so a long backlog costs few transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from avs.chain.reader import ChainReader
from avs.chain.views import FeeClaim
from avs.chain.writer import ChainWriter
from avs.errors import ChainError, InputError
from avs.stakers.claims import Claimable, unclaimed_fees
from avs.stakers.session import Session, Target
from avs_operator.config import OperatorConfig

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ClaimedBatch:
    """One claimFees transaction."""

    tasks: tuple[int, ...]
    """Task indexes claimed."""
    paid_wei: int
    """What the contract paid (its FeesClaimed events)."""
    tx_hash: bytes
    """The transaction."""


def claimable(cfg: OperatorConfig, operator_id: bytes) -> list[Claimable]:
    """Fee shares ``operator_id`` can claim now, oldest task first."""
    with Session.open(Target(cfg.rpc_url, cfg.deployment, None)) as session:
        ledger = session.refresh()
        window = session.source.deployment.params.challenge_window_blocks
    return unclaimed_fees(ledger, operator_id, window)


def select(available: Sequence[Claimable], tasks: Sequence[int] | None) -> list[Claimable]:
    """All of ``available`` (``tasks`` None), or exactly ``tasks``; InputError names the rest."""
    if tasks is None:
        return list(available)
    by_task = {c.task_index: c for c in available}
    missing = sorted(set(tasks) - set(by_task))
    if missing:
        raise InputError(
            f"tasks {missing} have no fee share to claim (not certified, not signed by this "
            "operator, or already claimed); run without --tasks to see what is claimable"
        )
    return [by_task[t] for t in sorted(set(tasks))]


def claim(
    writer: ChainWriter, items: Sequence[Claimable], batch_size: int, progress: Progress
) -> list[ClaimedBatch]:
    """Claim ``items`` in batches of ``batch_size`` tasks; one transaction per batch."""
    reader = ChainReader(writer.client, writer.deployment)
    done: list[ClaimedBatch] = []
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        claims = [_fee_claim(reader, item.task_index) for item in batch]
        paid, receipt = writer.claim_fees(claims)
        indexes = tuple(item.task_index for item in batch)
        done.append(ClaimedBatch(indexes, paid, receipt.tx_hash))
        progress(f"claimed {paid / 10**18:.6f} ETH for tasks {list(indexes)}")
    return done


def _fee_claim(reader: ChainReader, task_index: int) -> FeeClaim:
    task = reader.created_task(task_index)
    certified = reader.certification(task_index, task) if task is not None else None
    if task is None or certified is None:
        raise ChainError(f"task {task_index}: its TaskCreated/TaskCertified events are not found")
    return FeeClaim(task, certified)
