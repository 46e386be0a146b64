"""Every record of a scan, indexed for the per-operator computations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from avs.stakers.records import (
    CertificateOverturned,
    DelegationChanged,
    FeesClaimed,
    OperatorMetadataUpdated,
    OperatorSlashed,
    Record,
    TaskCertified,
    TaskCreated,
    TaskRefunded,
)
from avs.stakers.registry import RegistryHistory

CERTIFIED = "certified"
EXPIRED = "expired"
PENDING = "pending"
OVERTURNED = "overturned"


@dataclass(frozen=True, slots=True)
class TaskState:
    """A task and what became of it by the ledger's head."""

    created: TaskCreated
    """Its creation."""
    certified: TaskCertified | None
    """Its certificate, if any."""
    refunded: bool
    """Its fee went back to the client."""
    status: str
    """certified | overturned (certified, then proven wrong on chain) | expired (deadline
    passed uncertified) | pending."""

    @property
    def latency(self) -> int | None:
        """Blocks from creation to certification."""
        if self.certified is None:
            return None
        return self.certified.at.block - self.created.created_block


class Ledger:
    """Tasks, certificates, fee claims, slashes, delegations and the registry history."""

    def __init__(self, records: Iterable[Record], head: int) -> None:
        records = list(records)
        self.head = head
        """Last block scanned."""
        self.registry = RegistryHistory.build(records)
        created: dict[int, TaskCreated] = {}
        certified: dict[int, TaskCertified] = {}
        refunded: set[int] = set()
        overturned: set[int] = set()
        self.claims: dict[tuple[int, bytes], int] = {}
        """(task index, operator id) -> wei claimed."""
        self.slashes: list[OperatorSlashed] = []
        """Slashing events in chain order."""
        self.delegations: list[DelegationChanged] = []
        """Delegation changes in chain order."""
        self.metadata_uris: dict[str, str] = {}
        """Operator address (lower case) -> its latest metadata URI."""
        for r in records:
            if isinstance(r, TaskCreated):
                created[r.task_index] = r
            elif isinstance(r, TaskCertified):
                certified[r.task_index] = r
            elif isinstance(r, TaskRefunded):
                refunded.add(r.task_index)
            elif isinstance(r, CertificateOverturned):
                overturned.add(r.task_index)
            elif isinstance(r, FeesClaimed):
                key = (r.task_index, r.operator_id)
                self.claims[key] = self.claims.get(key, 0) + r.amount
            elif isinstance(r, OperatorSlashed):
                self.slashes.append(r)
            elif isinstance(r, DelegationChanged):
                self.delegations.append(r)
            elif isinstance(r, OperatorMetadataUpdated):
                if r.uri:
                    self.metadata_uris[r.operator.lower()] = r.uri
                else:  # an empty URI withdraws the metadata
                    self.metadata_uris.pop(r.operator.lower(), None)
        self.tasks: tuple[TaskState, ...] = tuple(
            self._state(t, certified.get(i), i in refunded, i in overturned)
            for i, t in sorted(created.items())
        )
        """Every task, by index."""
        latencies = [t.latency for t in self.tasks if t.latency is not None]
        self.fastest_latency: int = max(1, min(latencies, default=1))
        """Smallest certification latency (blocks) of any task: what this AVS achieves."""

    def _state(
        self, task: TaskCreated, cert: TaskCertified | None, refunded: bool, overturned: bool
    ) -> TaskState:
        if cert is not None:
            status = OVERTURNED if overturned else CERTIFIED
        elif refunded or self.head >= task.deadline_block:
            # a certificate is accepted up to deadlineBlock inclusive; that block is scanned
            status = EXPIRED
        else:
            status = PENDING
        return TaskState(task, cert, refunded, status)

    def operator_ids(self) -> list[bytes]:
        """Every operator that registered a key, in registration order."""
        return list(self.registry.addresses)

    def resolve(self, operator: str) -> bytes | None:
        """Operator id of an address or a 0x operator id; None if unknown."""
        text = operator.strip().lower()
        if len(text) == 66 and text.startswith("0x"):
            try:
                op_id = bytes.fromhex(text[2:])
            except ValueError:
                return None
            return op_id if op_id in self.registry.addresses else None
        return self.registry.ids.get(text)

    def delegators(self, operator: str) -> list[str]:
        """Stakers delegated to ``operator`` now (itself included), in order of delegation."""
        current: dict[str, str | None] = {}
        for d in self.delegations:
            current.pop(d.staker, None)  # re-insert to keep the latest delegation order
            current[d.staker] = d.operator.lower() if d.delegated else None
        target = operator.lower()
        return [staker for staker, op in current.items() if op == target]
