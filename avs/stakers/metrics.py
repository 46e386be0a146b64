"""Per-operator figures over a window of tasks, from the ledger alone.

Definitions (docs/stakers.md states them for users):
- assigned: the operator was registered in at least one of the task's quorums at the task's
  reference block (its creation block), and the task is settled (certified or expired);
- signed: assigned, certified (and not overturned), and the operator is not among the
  certificate's non-signers;
- dissented (proven wrong): assigned, certified, and the operator's result was proven wrong
  on chain: it signed a certificate that was overturned, or it did not sign and was slashed
  for a wrong result on that task (disagreeing alone is never counted against it);
- vindicated: assigned, the certificate was overturned, and the operator did not sign it
  and was not proven wrong: the chain showed the majority wrong, not this operator;
- missed: assigned, certified, not overturned, neither signed nor proven wrong;
- expired: assigned and the task expired without a certificate (counts as not signed);
- response rate = signed / assigned;
- agreement rate = (signed tasks without a wrong-result slash + vindicated) /
  (signed + dissented + vindicated);
- latency = certification block - creation block, over the tasks it signed;
- fees earned: TaskManager.claimFees' own formula for each signed task;
- effectiveness = 100 x response rate x agreement rate x timeliness, timeliness being the
  mean over signed tasks of (window - latency + 1) / (window - fastest + 1), window =
  deadline - creation, fastest = the smallest latency of any certificate of this AVS (what
  is achievable), so an operator in every fastest certificate scores 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from avs.stakers.ledger import CERTIFIED, EXPIRED, OVERTURNED, PENDING, Ledger, TaskState
from avs.stakers.records import OperatorSlashed


@dataclass(frozen=True, slots=True)
class Window:
    """Tasks created in [from_block, to_block]."""

    from_block: int
    """First creation block included."""
    to_block: int
    """Last creation block included."""

    def contains(self, block: int) -> bool:
        """Whether a task created at ``block`` is in the window."""
        return self.from_block <= block <= self.to_block


@dataclass(frozen=True, slots=True)
class TaskCounts:
    """Tasks of a window by outcome."""

    created: int
    """Tasks created in the window."""
    certified: int
    """Of which certified (overturned ones included)."""
    expired: int
    """Of which expired without a certificate."""
    pending: int
    """Of which still open (not counted in any operator figure)."""
    overturned: int = 0
    """Of the certified, how many were proven wrong on chain and overturned."""


@dataclass(frozen=True, slots=True)
class Performance:
    """One operator's figures over one window."""

    assigned: int
    """Settled tasks of its quorums at their reference blocks."""
    signed: int
    """Certified tasks it signed."""
    missed: int
    """Certified tasks it did not sign (not overturned, nothing proven against it)."""
    dissented: int
    """Tasks its result was proven wrong on (overturned certificate it signed, or a
    wrong-result slash)."""
    expired: int
    """Assigned tasks that expired without a certificate."""
    dissent_visible: int
    """Assigned certified tasks of exact task types (where wrong results can be proven)."""
    response_rate: float | None
    """signed / assigned (None without assigned tasks)."""
    agreement_rate: float | None
    """Agreeing signatures / visible responses (None without visible responses)."""
    latency_median: int | None
    """Median certification latency (blocks) of the tasks it signed."""
    latency_p95: int | None
    """95th percentile of the same (nearest rank)."""
    fees_earned: int
    """Wei its signatures earned (claimable share of each signed task's fee)."""
    fees_claimed: int
    """Wei claimed for tasks of the window."""
    slash_count: int
    """Slashing events on tasks of the window."""
    slash_shares: int
    """Delegated shares removed by them."""
    effectiveness: float | None
    """Score in [0, 100] (None without assigned tasks)."""
    vindicated: int = 0
    """Overturned certificates it did not sign and was not proven wrong on."""

    @property
    def fees_unclaimed(self) -> int:
        """Earned but not claimed yet."""
        return self.fees_earned - self.fees_claimed


def nearest_rank(values: Sequence[int], q: float) -> int | None:
    """The q-quantile by nearest rank: the smallest value with at least q of all values <= it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, ceil(q * len(ordered))) - 1]


def task_counts(ledger: Ledger, window: Window) -> TaskCounts:
    """How the window's tasks ended."""
    tasks = [t for t in ledger.tasks if window.contains(t.created.created_block)]
    return TaskCounts(
        created=len(tasks),
        certified=sum(1 for t in tasks if t.status in (CERTIFIED, OVERTURNED)),
        overturned=sum(1 for t in tasks if t.status == OVERTURNED),
        expired=sum(1 for t in tasks if t.status == EXPIRED),
        pending=sum(1 for t in tasks if t.status == PENDING),
    )


def fee_share(ledger: Ledger, task: TaskState, operator_id: bytes) -> int:
    """Wei ``operator_id`` may claim for a certified task it signed (TaskManager._claim)."""
    cert = task.certified
    if cert is None:
        return 0
    quorums = task.created.quorums
    n = len(quorums)
    fee = task.created.fee
    per_quorum = fee // n
    amount = 0
    for i, q in enumerate(quorums):
        stake = ledger.registry.stake_at(operator_id, q, task.created.created_block)
        if stake == 0 or cert.signed_stake[i] == 0:
            continue
        quorum_fee = fee - per_quorum * (n - 1) if i == n - 1 else per_quorum
        amount += quorum_fee * stake // cert.signed_stake[i]
    return amount


def _timeliness(task: TaskState, fastest: int) -> float:
    window = max(1, task.created.deadline_block - task.created.created_block)
    latency = task.latency or 1
    achievable = max(1, window - fastest + 1)
    return max(0.0, min(1.0, (window - latency + 1) / achievable))


def performance(ledger: Ledger, operator_id: bytes, window: Window) -> Performance:
    """The figures of one operator over the tasks created in ``window``."""
    registry = ledger.registry
    slashes = [
        s
        for s in ledger.slashes
        if s.operator_id == operator_id
        and (t := _task(ledger, s.task_index)) is not None
        and window.contains(t.created.created_block)
    ]
    dissent_tasks = {s.task_index for s in slashes if s.fault == "wrong_result"}
    signed: list[TaskState] = []
    assigned = missed = dissented = expired = visible = agreeing = vindicated = 0
    earned = claimed = 0
    for task in ledger.tasks:
        created = task.created
        if task.status == PENDING or not window.contains(created.created_block):
            continue
        if not registry.bitmap_at(operator_id, created.created_block) & _mask(created.quorums):
            continue
        assigned += 1
        cert = task.certified
        if cert is None:
            expired += 1
            continue
        visible += created.model_id in registry.exact_models
        overturned = task.status == OVERTURNED
        if operator_id in cert.non_signer_ids:
            if created.task_index in dissent_tasks:
                dissented += 1
            elif overturned:
                vindicated += 1
            else:
                missed += 1
            continue
        if overturned:
            dissented += 1  # it signed the certificate re-execution refuted
            continue
        signed.append(task)
        agreeing += created.task_index not in dissent_tasks
        earned += fee_share(ledger, task, operator_id)
        claimed += ledger.claims.get((created.task_index, operator_id), 0)
    latencies = [t.latency for t in signed if t.latency is not None]
    responses = len(signed) + dissented + vindicated
    response_rate = len(signed) / assigned if assigned else None
    agreement_rate = (agreeing + vindicated) / responses if responses else None
    effectiveness = None
    if response_rate is not None:
        fastest = ledger.fastest_latency
        timeliness = sum(_timeliness(t, fastest) for t in signed) / len(signed) if signed else 0.0
        a = 1.0 if agreement_rate is None else agreement_rate
        effectiveness = round(100.0 * response_rate * a * timeliness, 2)
    return Performance(
        assigned=assigned,
        signed=len(signed),
        missed=missed,
        dissented=dissented,
        expired=expired,
        dissent_visible=visible,
        vindicated=vindicated,
        response_rate=response_rate,
        agreement_rate=agreement_rate,
        latency_median=nearest_rank(latencies, 0.5),
        latency_p95=nearest_rank(latencies, 0.95),
        fees_earned=earned,
        fees_claimed=claimed,
        slash_count=len(slashes),
        slash_shares=sum(s.shares_slashed for s in slashes),
        effectiveness=effectiveness,
    )


def _mask(quorums: Sequence[int]) -> int:
    out = 0
    for q in quorums:
        out |= 1 << q
    return out


def _task(ledger: Ledger, index: int) -> TaskState | None:
    tasks = ledger.tasks
    # task indexes are sequential from 0, so the tuple position is the index
    if 0 <= index < len(tasks) and tasks[index].created.task_index == index:
        return tasks[index]
    return next((t for t in tasks if t.created.task_index == index), None)


def slashes_of(ledger: Ledger, operator_id: bytes) -> list[OperatorSlashed]:
    """Every slash of an operator, in chain order."""
    return [s for s in ledger.slashes if s.operator_id == operator_id]
