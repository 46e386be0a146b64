"""Per-task aggregation: group verified responses by result digest and track signed stake.

Pure state, no I/O and no pairings. The service verifies every response's signature
*before* handing it to :meth:`TaskAggregation.add`: a response only takes an operator's
place once its signature is known to be valid, so a forged submission (operator ids are
public) can neither displace nor block the genuine one (DESIGN.md §4, wire API).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

    def copy(self) -> DigestGroup:
        """An independent copy (a certificate is built from a copy that cannot change)."""
        return DigestGroup(
            self.result_digest, self.result_bytes, dict(self.responses), dict(self.signed_stake)
        )

    def drop(self, operator_id: bytes, stakes: Mapping[int, int]) -> None:
        """Remove one signer and its ``stakes`` (quorum -> stake) from the group."""
        if self.responses.pop(operator_id, None) is None:
            return
        for quorum, stake in stakes.items():
            if quorum in self.signed_stake:
                self.signed_stake[quorum] -= stake


class TaskAggregation:
    """Aggregation state of one task (every response in it has a verified signature)."""

    def __init__(self, snapshot: OperatorSetState, threshold_bps: int) -> None:
        self.snapshot = snapshot
        self.threshold_bps = threshold_bps
        self._groups: dict[bytes, DigestGroup] = {}
        self._by_operator: dict[bytes, SignedResponse] = {}
        # One pair per operator is all the evidence a slash needs; more would only let a
        # key holder grow the aggregator's memory and store.
        self._equivocations: dict[bytes, tuple[SignedResponse, SignedResponse]] = {}

    def precheck(self, response: SignedResponse) -> AddOutcome | None:
        """The outcome known without verifying ``response``, or None if it must be verified.

        Only answers that cannot credit or debit anyone: an unknown signer, or a byte-for-byte
        repeat of the response already recorded for the operator (a retry).
        """
        if response.operator_id not in self.snapshot.operators:
            return AddOutcome.UNKNOWN_OPERATOR
        if self._by_operator.get(response.operator_id) == response:
            return AddOutcome.DUPLICATE
        return None

    def add(self, response: SignedResponse) -> AddOutcome:
        """Record ``response``, whose signature the caller has verified.

        The operator's first verified response counts. A later verified response with the
        same digest is a DUPLICATE; with a different digest it is a CONFLICT, kept (once per
        operator) as equivocation evidence while the first still counts.
        """
        info = self.snapshot.operators.get(response.operator_id)
        if info is None:
            return AddOutcome.UNKNOWN_OPERATOR
        previous = self._by_operator.get(response.operator_id)
        if previous is not None:
            if previous.result_digest == response.result_digest:
                return AddOutcome.DUPLICATE
            self._equivocations.setdefault(response.operator_id, (previous, response))
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

    def answered(self, operator_id: bytes) -> bool:
        """Whether ``operator_id`` has a verified response recorded (for any result)."""
        return operator_id in self._by_operator

    def has_equivocation(self, operator_id: bytes) -> bool:
        """Whether an equivocation pair is already kept for ``operator_id``."""
        return operator_id in self._equivocations

    def discard(self, operator_ids: Iterable[bytes]) -> None:
        """Forget the responses of ``operator_ids`` (a later valid response counts again).

        Used when a recorded signature fails the certificate's batch check, which only
        happens when the store was altered on disk: the operator is not banned for it.
        """
        for operator_id in operator_ids:
            response = self._by_operator.pop(operator_id, None)
            self._equivocations.pop(operator_id, None)
            if response is None:
                continue
            group = self._groups[response.result_digest]
            group.drop(operator_id, self.snapshot.operators[operator_id].stakes)
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
        return list(self._equivocations.values())

    def non_signers(self, group: DigestGroup) -> list[bytes]:
        """Operator ids of the task's quorums that are not in ``group``, ascending."""
        return sorted(op for op in self.snapshot.operators if op not in group.responses)
