"""Live state of the services the node depends on, for the node API and the score gauge."""

from __future__ import annotations

import threading
from collections.abc import Callable

from avs.nodeapi import ServiceState, ServiceStatus, health_code

CHAIN = "chain"
CHAIN_HEAD = "chain-head"
AGGREGATOR = "aggregator"
WARM_UP = "warm-up"

_DESCRIPTIONS = {
    CHAIN: ("Chain RPC", "TaskCreated events, model registry and block numbers"),
    CHAIN_HEAD: ("Chain head", "new blocks keep arriving (Down: none for several block times)"),
    AGGREGATOR: ("Aggregator gRPC", "task stream, blob downloads and response submission"),
    WARM_UP: (
        "Warm-up",
        "registered models of the served task types fetched, verified and loaded at start "
        "(Up once attempted; failures are logged)",
    ),
}
_SCORES = {200: 100.0, 206: 50.0, 503: 0.0}


class ServiceTracker:
    """Thread-safe service states (the node API reads them from its HTTP thread)."""

    def __init__(
        self, services: tuple[str, ...], on_change: Callable[[float], None] | None = None
    ) -> None:
        """Track ``services`` (all Initializing); ``on_change`` gets the new score 0..100."""
        self._lock = threading.Lock()
        self._status = dict.fromkeys(services, ServiceStatus.INITIALIZING)
        self._on_change = on_change

    def set(self, service: str, status: ServiceStatus) -> None:
        """Record that ``service`` is now ``status``."""
        with self._lock:
            if service not in self._status:
                return  # a disabled source reports nothing
            changed = self._status[service] is not status
            self._status[service] = status
        if changed and self._on_change is not None:
            self._on_change(self.score())

    def status(self, service: str) -> ServiceStatus | None:
        """Current status of ``service`` (None when it is not tracked)."""
        with self._lock:
            return self._status.get(service)

    def states(self) -> list[ServiceState]:
        """Snapshot for ``/eigen/node/services`` and ``/eigen/node/health``."""
        with self._lock:
            items = list(self._status.items())
        states = []
        for sid, status in items:
            name, description = _DESCRIPTIONS.get(sid, (sid, sid))
            states.append(ServiceState(sid, name, description, status))
        return states

    def score(self) -> float:
        """``eigen_performance_score``: 100 healthy, 50 partially, 0 unhealthy."""
        return _SCORES[health_code(self.states())]
