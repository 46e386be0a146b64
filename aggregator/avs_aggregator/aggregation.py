"""Per-task aggregation: group responses by result digest and track signed stake.

Pure state, no I/O and no pairings: the service feeds it responses, asks which digest
groups reached the threshold in every quorum, verifies those groups (aggregate first)
and reports back signers whose signatures turned out invalid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from avs.crypto.points import G1Point
from avs_aggregator.operators import OperatorSetState, meets_threshold


class AddOutcome(StrEnum):
    """What happened to a submitted response."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    UNKNOWN_OPERATOR = "unknown_operator"
    REJECTED_SIGNER = "rejected_signer"


@dataclass(frozen=True, slots=True)
class SignedResponse:
    """One operator's signed result for a task, as received."""

    operator_id: bytes
    """Signer."""
    result_bytes: bytes
    """Canonical result bytes of the task type."""
    result_digest: bytes
    """keccak256(result_bytes)."""
    signature: G1Point
    """BLS signature on msgHash(taskHash, result_digest)."""


@dataclass(slots=True)
class DigestGroup:
    """Responses that agree on one result digest."""

    result_digest: bytes
    result_bytes: bytes
    responses: dict[bytes, SignedResponse] = field(default_factory=dict)
    signed_stake: dict[int, int] = field(default_factory=dict)


class TaskAggregation:
    """Aggregation state of one task."""

    def __init__(self, snapshot: OperatorSetState, threshold_bps: int) -> None:
        self.snapshot = snapshot
        self.threshold_bps = threshold_bps
        self._groups: dict[bytes, DigestGroup] = {}
        self._by_operator: dict[bytes, SignedResponse] = {}
        self._rejected: set[bytes] = set()
        self._equivocations: list[tuple[SignedResponse, SignedResponse]] = []

    def add(self, response: SignedResponse) -> AddOutcome:
        """Record ``response`` unless its signer is unknown, rejected or already counted."""
        info = self.snapshot.operators.get(response.operator_id)
        if info is None:
            return AddOutcome.UNKNOWN_OPERATOR
        if response.operator_id in self._rejected:
            return AddOutcome.REJECTED_SIGNER
        previous = self._by_operator.get(response.operator_id)
        if previous is not None:
            if previous.result_digest == response.result_digest:
                return AddOutcome.DUPLICATE
            # Kept as possible equivocation evidence; the first response still counts.
            self._equivocations.append((previous, response))
            return AddOutcome.CONFLICT
        self._by_operator[response.operator_id] = response
        group = self._groups.get(response.result_digest)
        if group is None:
            group = DigestGroup(response.result_digest, response.result_bytes)
            self._groups[response.result_digest] = group
        group.responses[response.operator_id] = response
        for quorum, stake in info.stakes.items():
            if quorum in self.snapshot.quorum_numbers:
                group.signed_stake[quorum] = group.signed_stake.get(quorum, 0) + stake
        return AddOutcome.ACCEPTED

    def reject(self, operator_ids: Iterable[bytes]) -> None:
        """Drop signers whose signatures failed verification; they cannot count again."""
        for operator_id in operator_ids:
            response = self._by_operator.pop(operator_id, None)
            self._rejected.add(operator_id)
            if response is None:
                continue
            group = self._groups[response.result_digest]
            del group.responses[operator_id]
            info = self.snapshot.operators[operator_id]
            for quorum, stake in info.stakes.items():
                if quorum in group.signed_stake:
                    group.signed_stake[quorum] -= stake
            if not group.responses:
                del self._groups[response.result_digest]

    def group_meets_threshold(self, group: DigestGroup) -> bool:
        """Whether ``group`` holds the threshold of stake in every quorum of the task."""
        return all(
            meets_threshold(
                group.signed_stake.get(q, 0),
                self.snapshot.total_stakes.get(q, 0),
                self.threshold_bps,
            )
            for q in self.snapshot.quorum_numbers
        )

    def ready_group(self) -> DigestGroup | None:
        """The digest group that reached the threshold everywhere, if any."""
        for group in self._groups.values():
            if self.group_meets_threshold(group):
                return group
        return None

    def groups(self) -> list[DigestGroup]:
        """All digest groups, largest first."""
        return sorted(self._groups.values(), key=lambda g: -len(g.responses))

    def dissenters(self, certified_digest: bytes) -> list[SignedResponse]:
        """Responses that signed a digest other than the certified one."""
        return [r for r in self._by_operator.values() if r.result_digest != certified_digest]

    def equivocations(self) -> list[tuple[SignedResponse, SignedResponse]]:
        """Pairs of different results signed by one operator (slashable evidence)."""
        return list(self._equivocations)

    def non_signers(self, group: DigestGroup) -> list[bytes]:
        """Operator ids of the task's quorums that are not in ``group``, ascending."""
        return sorted(op for op in self.snapshot.operators if op not in group.responses)
