"""The operator registry's state at any block, rebuilt from its events.

The registry keeps block-keyed histories (contracts/src/libraries/BlockHistory.sol): a
value recorded in block B holds from B on, and a later change in the same block overwrites
it. Replaying OperatorAddedToQuorums / OperatorRemovedFromQuorums (quorum bitmaps) and
OperatorStakeUpdate (stakes) in chain order gives exactly the values the certificate check
and the fee claim read at a task's reference block, without one view call per task.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from avs.stakers.records import (
    ModelRegistered,
    OperatorEjected,
    PubkeyRegistered,
    QuorumCreated,
    QuorumsChanged,
    Record,
    StakeUpdated,
)

REGISTERED = "registered"
EJECTED = "ejected"
DEREGISTERED = "deregistered"


@dataclass(slots=True)
class StepHistory:
    """A block-keyed value with BlockHistory's semantics (0 before the first record)."""

    blocks: list[int] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    def record(self, block: int, value: int) -> None:
        """Set ``value`` from ``block`` on (overwrites a value set in the same block)."""
        if self.blocks and self.blocks[-1] == block:
            self.values[-1] = value
        else:
            self.blocks.append(block)
            self.values.append(value)

    def at(self, block: int) -> int:
        """The value in force at ``block``."""
        i = bisect_right(self.blocks, block)
        return self.values[i - 1] if i else 0

    def latest(self) -> int:
        """The current value."""
        return self.values[-1] if self.values else 0


@dataclass(frozen=True, slots=True)
class Quorum:
    """A quorum's configuration."""

    number: int
    """Quorum number (= operator set id)."""
    strategy: str
    """Strategy its stake is measured in."""
    minimum_stake: int
    """Minimum stake to join."""


def _bitmap(quorums: Iterable[int]) -> int:
    out = 0
    for q in quorums:
        out |= 1 << q
    return out


class RegistryHistory:
    """Operators, quorum membership and stakes over time."""

    def __init__(self) -> None:
        self.quorums: dict[int, Quorum] = {}
        self.addresses: dict[bytes, str] = {}
        """operator id -> address, in registration order."""
        self.ids: dict[str, bytes] = {}
        """address (lower case) -> operator id."""
        self.exact_models: set[bytes] = set()
        self._bitmaps: dict[bytes, StepHistory] = {}
        self._stakes: dict[tuple[bytes, int], StepHistory] = {}
        self._totals: dict[int, StepHistory] = {}
        self._ejection_txs: set[tuple[str, bytes]] = set()
        self._last_exit_tx: dict[bytes, bytes] = {}

    @classmethod
    def build(cls, records: Iterable[Record]) -> RegistryHistory:
        """Replay the registry's records (in chain order)."""
        self = cls()
        for r in records:
            self._apply(r)
        return self

    def _apply(self, r: Record) -> None:
        if isinstance(r, QuorumCreated):
            self.quorums[r.quorum] = Quorum(r.quorum, r.strategy, r.minimum_stake)
        elif isinstance(r, PubkeyRegistered):
            self.addresses[r.operator_id] = r.operator
            self.ids[r.operator.lower()] = r.operator_id
        elif isinstance(r, QuorumsChanged):
            hist = self._bitmaps.setdefault(r.operator_id, StepHistory())
            bits = _bitmap(r.quorums)
            current = hist.latest()
            hist.record(r.at.block, current | bits if r.joined else current & ~bits)
            if not r.joined:
                self._last_exit_tx[r.operator_id] = r.at.tx_hash
        elif isinstance(r, OperatorEjected):
            self._ejection_txs.add((r.operator.lower(), r.at.tx_hash))
        elif isinstance(r, StakeUpdated):
            hist = self._stakes.setdefault((r.operator_id, r.quorum), StepHistory())
            delta = r.stake - hist.latest()
            hist.record(r.at.block, r.stake)
            total = self._totals.setdefault(r.quorum, StepHistory())
            total.record(r.at.block, total.latest() + delta)
        elif isinstance(r, ModelRegistered) and r.exact:
            self.exact_models.add(r.model_id)

    # ------------------------------------------------------------------ queries

    def bitmap_at(self, operator_id: bytes, block: int) -> int:
        """Quorum bitmap of an operator at ``block``."""
        hist = self._bitmaps.get(operator_id)
        return hist.at(block) if hist else 0

    def members_at(self, quorums: Iterable[int], block: int) -> set[bytes]:
        """Operators registered in at least one of ``quorums`` at ``block``."""
        mask = _bitmap(quorums)
        return {op for op, hist in self._bitmaps.items() if hist.at(block) & mask}

    def stake_at(self, operator_id: bytes, quorum: int, block: int) -> int:
        """Recorded stake of an operator in a quorum at ``block`` (0 if none)."""
        hist = self._stakes.get((operator_id, quorum))
        return hist.at(block) if hist else 0

    def stake_now(self, operator_id: bytes, quorum: int) -> int:
        """Current recorded stake."""
        hist = self._stakes.get((operator_id, quorum))
        return hist.latest() if hist else 0

    def total_now(self, quorum: int) -> int:
        """Current total recorded stake of a quorum."""
        hist = self._totals.get(quorum)
        return hist.latest() if hist else 0

    def quorums_now(self, operator_id: bytes) -> tuple[int, ...]:
        """Quorums the operator is registered in now."""
        bitmap = self._bitmaps[operator_id].latest() if operator_id in self._bitmaps else 0
        return tuple(q for q in range(bitmap.bit_length()) if bitmap >> q & 1)

    def stake_history(self, operator_id: bytes, quorum: int) -> tuple[tuple[int, int], ...]:
        """(block, stake) steps of an operator in a quorum."""
        hist = self._stakes.get((operator_id, quorum))
        return tuple(zip(hist.blocks, hist.values, strict=True)) if hist else ()

    def status(self, operator_id: bytes) -> str:
        """registered, ejected (last exit was an ejection) or deregistered."""
        if self.quorums_now(operator_id):
            return REGISTERED
        exit_tx = self._last_exit_tx.get(operator_id)
        address = self.addresses.get(operator_id, "").lower()
        if exit_tx is not None and (address, exit_tx) in self._ejection_txs:
            return EJECTED
        return DEREGISTERED
