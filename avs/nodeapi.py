"""EigenLayer node API (``/eigen/node``, ``/eigen/node/health``, ``/eigen/node/services``).

A small threaded HTTP server; the node supplies its service states through a callable,
so health reflects live state (chain reachable, aggregator stream up, ...). Health codes
follow the EigenLayer node spec: 200 healthy, 206 partially healthy, 503 unhealthy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SPEC_VERSION = "v0.0.1"


class ServiceStatus(StrEnum):
    """State of one service the node depends on."""

    UP = "Up"
    DOWN = "Down"
    INITIALIZING = "Initializing"


@dataclass(frozen=True, slots=True)
class ServiceState:
    """One dependency of the node as reported by ``/eigen/node/services``."""

    id: str
    """Stable identifier, e.g. ``chain`` or ``aggregator``."""
    name: str
    """Human-readable name."""
    description: str
    """What the node uses this service for."""
    status: ServiceStatus
    """Current state."""


def health_code(services: Sequence[ServiceState]) -> int:
    """200 when every service is up, 503 when none is, 206 otherwise."""
    up = sum(1 for s in services if s.status is ServiceStatus.UP)
    if services and up == len(services):
        return 200
    if up == 0:
        return 503
    return 206


class NodeApiServer:
    """Serves the node API on ``host:port`` (port 0 picks a free port) in a thread."""

    def __init__(
        self,
        node_name: str,
        node_version: str,
        services: Callable[[], Sequence[ServiceState]],
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        handler = _handler_class(node_name, node_version, services)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


def _handler_class(
    node_name: str, node_version: str, services: Callable[[], Sequence[ServiceState]]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            if path == "/eigen/node":
                self._json(
                    200,
                    {
                        "node_name": node_name,
                        "spec_version": SPEC_VERSION,
                        "node_version": node_version,
                    },
                )
            elif path == "/eigen/node/health":
                self._json(health_code(services()), None)
            elif path == "/eigen/node/services":
                self._json(200, {"services": [_service_json(s) for s in services()]})
            elif path.startswith("/eigen/node/services/") and path.endswith("/health"):
                wanted = path.removeprefix("/eigen/node/services/").removesuffix("/health")
                match = [s for s in services() if s.id == wanted]
                if not match:
                    self._json(404, {"error": f"unknown service {wanted!r}"})
                else:
                    self._json(200 if match[0].status is ServiceStatus.UP else 503, None)
            else:
                self._json(404, {"error": "not found"})

        def _json(self, code: int, body: Any) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silence per-request stderr lines; the node logs with structlog."""

    return Handler


def _service_json(state: ServiceState) -> dict[str, str]:
    return {
        "id": state.id,
        "name": state.name,
        "description": state.description,
        "status": state.status.value,
    }
