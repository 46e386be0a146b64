"""What the aggregator core needs from the chain, as Protocols (implemented over web3 by
:mod:`avs_aggregator.chain_adapter`, in memory by tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from avs.protocol import Task
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.operators import OperatorSetState


@dataclass(frozen=True, slots=True)
class CertifyResult:
    """Outcome of submitting a certificate on chain."""

    tx_hash: bytes
    """Transaction that certified the task (ours, or a competitor's when known)."""
    already_certified: bool
    """True when another aggregator certified the task first (not an error)."""
    result_digest: bytes | None = None
    """The digest certified on chain, when it may differ from the one submitted."""
    mined_seconds: float | None = None
    """Seconds from sending this aggregator's transaction to its receipt (None: none sent)."""
    prepare_seconds: float | None = None
    """Seconds spent before sending: the task's record and the certificate's hints read,
    the certificate assembled (None: not measured)."""


@dataclass(frozen=True, slots=True)
class Certification:
    """A certificate found on chain for a task."""

    result_digest: bytes
    """Certified keccak256(resultBytes)."""
    tx_hash: bytes
    """Transaction that certified it."""
    by_self: bool
    """Whether this aggregator's account submitted it."""


class ChainView(Protocol):
    """Chain reads the aggregator needs (blocking; called from worker threads)."""

    def snapshot(self, task: Task) -> OperatorSetState:
        """Operators, stakes and keys of the task's quorums at its reference block."""
        ...

    def certification(self, task: Task) -> Certification | None:
        """The task's certificate on chain, if it has one."""
        ...

    def last_evidence_block(self, task: Task) -> int:
        """Last block in which evidence about ``task`` can land (deadline + window)."""
        ...


class Certifier(Protocol):
    """Builds and submits certificates (blocking; called from a worker thread)."""

    def certify(
        self,
        task: Task,
        snapshot: OperatorSetState,
        group: DigestGroup,
    ) -> CertifyResult:
        """Submit ``group`` as the task's certified result (non-signers: everyone else)."""
        ...
