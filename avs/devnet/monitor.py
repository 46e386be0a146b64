"""Watches the chain for what happened to the devnet's tasks and operators."""

from __future__ import annotations

from dataclasses import dataclass, field

from avs.chain.client import ChainClient
from avs.chain.events import CertificateOverturned, OperatorSlashed
from avs.chain.subscriber import ChainSubscriber
from avs.chain.views import CertifiedTask


@dataclass(slots=True)
class ChainObservations:
    """Certifications, overturns and slashes seen so far (certifications with the
    wall-clock time first seen)."""

    certified: dict[int, tuple[CertifiedTask, float]] = field(default_factory=dict)
    slashes: list[OperatorSlashed] = field(default_factory=list)
    overturned: set[int] = field(default_factory=set)
    """Tasks whose certificate re-execution proved wrong."""
    head: int = 0


class ChainMonitor:
    """Polls the deployment's events from a start block on."""

    def __init__(self, client: ChainClient, subscriber: ChainSubscriber, start_block: int) -> None:
        self._client = client
        self._subscriber = subscriber
        self._next = start_block
        self.seen = ChainObservations()

    def poll(self, now: float) -> ChainObservations:
        """Read new blocks; returns everything observed so far."""
        head = self._client.block_number()
        if head >= self._next:
            for event in self._subscriber.poll(self._next, head):
                if isinstance(event, CertifiedTask):
                    self.seen.certified.setdefault(event.task_index, (event, now))
                elif isinstance(event, OperatorSlashed):
                    self.seen.slashes.append(event)
                elif isinstance(event, CertificateOverturned):
                    self.seen.overturned.add(event.task_index)
            self._next = head + 1
        self.seen.head = head
        return self.seen
