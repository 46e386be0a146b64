"""The node API answers the EigenLayer node-spec endpoints from live service state."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from avs.nodeapi import NodeApiServer, ServiceState, ServiceStatus

STATE: list[ServiceState] = []


@pytest.fixture
def server() -> Iterator[NodeApiServer]:
    STATE[:] = [
        ServiceState("chain", "Chain RPC", "reads tasks", ServiceStatus.UP),
        ServiceState("aggregator", "Aggregator", "receives responses", ServiceStatus.UP),
    ]
    srv = NodeApiServer("edge-avs-operator", "0.1.0", lambda: list(STATE))
    srv.start()
    yield srv
    srv.stop()


def get(server: NodeApiServer, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_node_info(server: NodeApiServer) -> None:
    code, body = get(server, "/eigen/node")
    assert code == 200
    assert json.loads(body)["node_name"] == "edge-avs-operator"


def test_health_follows_services(server: NodeApiServer) -> None:
    assert get(server, "/eigen/node/health")[0] == 200
    STATE[1] = ServiceState("aggregator", "Aggregator", "x", ServiceStatus.DOWN)
    assert get(server, "/eigen/node/health")[0] == 206
    assert get(server, "/eigen/node/services/aggregator/health")[0] == 503
    assert get(server, "/eigen/node/services/chain/health")[0] == 200
    STATE[0] = ServiceState("chain", "Chain", "x", ServiceStatus.INITIALIZING)
    assert get(server, "/eigen/node/health")[0] == 503


def test_services_listing_and_unknown_paths(server: NodeApiServer) -> None:
    code, body = get(server, "/eigen/node/services")
    assert code == 200
    assert [s["status"] for s in json.loads(body)["services"]] == ["Up", "Up"]
    assert get(server, "/eigen/node/services/nope/health")[0] == 404
    assert get(server, "/nope")[0] == 404
