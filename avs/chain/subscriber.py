"""Follow AVS events by polling eth_getLogs (works on any HTTP endpoint, anvil included)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from avs.chain.client import ChainClient, Contract
from avs.chain.deployment import Deployment
from avs.chain.events import DECODERS, ChainEvent, MalformedHandler, decode_events

MAX_BLOCK_RANGE = 2_000
"""Largest eth_getLogs range per request (public RPCs cap it)."""


class ChainSubscriber:
    """Polls the deployment's contracts for the events in :data:`avs.chain.events.DECODERS`."""

    def __init__(
        self,
        client: ChainClient,
        deployment: Deployment,
        on_malformed: MalformedHandler | None = None,
    ) -> None:
        """Follow ``deployment``; logs that do not decode are skipped and given to
        ``on_malformed`` (see :func:`avs.chain.events.decode_events`)."""
        self._client = client
        self._on_malformed = on_malformed
        names = sorted({name for name, _ in DECODERS})
        self._contracts: dict[str, Contract] = {n: deployment.contract(n) for n in names}
        self._topics = sorted({self._contracts[c].abi.event(e).topic0 for c, e in DECODERS})
        self._start = deployment.block

    def poll(self, from_block: int, to_block: int) -> list[ChainEvent]:
        """Events in [from_block, to_block], in chain order."""
        addresses = [c.address for c in self._contracts.values()]
        events: list[ChainEvent] = []
        lo = max(from_block, 0)
        while lo <= to_block:
            hi = min(to_block, lo + MAX_BLOCK_RANGE - 1)
            logs = self._client.get_logs(addresses, self._topics, lo, hi)
            events.extend(decode_events(self._contracts, logs, self._on_malformed))
            lo = hi + 1
        return events

    def follow(
        self,
        from_block: int | None = None,
        *,
        poll_interval: float = 1.0,
        stop: threading.Event | None = None,
        types: Sequence[type] = (),
    ) -> Iterator[ChainEvent]:
        """Yield events from ``from_block`` (default: deployment block) on, forever or until
        ``stop`` is set; ``types`` filters by event class."""
        stop = stop or threading.Event()
        next_block = self._start if from_block is None else from_block
        while not stop.is_set():
            head = self._client.block_number()
            if head >= next_block:
                for event in self.poll(next_block, head):
                    if not types or isinstance(event, tuple(types)):
                        yield event
                next_block = head + 1
            stop.wait(poll_interval)
