"""The devnet creates tasks only once every operator is warm: it waits for each node API's
health to answer 200 (a node still warming up answers 206), reporting progress."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from avs.devnet.launch import wait_all_healthy
from avs.devnet.processes import ProcessGroup
from avs.errors import AvsError
from avs.nodeapi import NodeApiServer, ServiceStatus
from avs_operator.health import AGGREGATOR, WARM_UP, ServiceTracker

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def node(services: ServiceTracker) -> NodeApiServer:
    server = NodeApiServer("test-node", "0", services.states)
    server.start()
    return server


def test_waits_for_every_node_to_finish_warming_up(tmp_path: Path) -> None:
    trackers = [ServiceTracker((AGGREGATOR, WARM_UP)) for _ in range(2)]
    for tracker in trackers:
        tracker.set(AGGREGATOR, ServiceStatus.UP)  # serving, not warm yet: health 206
    servers = [node(t) for t in trackers]
    group = ProcessGroup(tmp_path / "state.json")
    seen: list[tuple[int, int]] = []

    def progress(ready: int, total: int) -> None:
        seen.append((ready, total))
        if ready < total:  # the second node finishes its warm-up only after the first
            trackers[1].set(WARM_UP, ServiceStatus.UP)

    try:
        for i in range(2):
            group.start(f"operator-{i}", SLEEPER, tmp_path / f"op{i}.log")
        timer = threading.Timer(0.5, trackers[0].set, (WARM_UP, ServiceStatus.UP))
        timer.start()
        nodes = [(f"operator-{i}", s.port) for i, s in enumerate(servers)]
        wait_all_healthy(group, nodes, tmp_path, progress, timeout=30)
        timer.join()
    finally:
        group.stop_all(grace=5)
        for server in servers:
            server.stop()
    assert seen == [(1, 2), (2, 2)]


def test_a_node_that_never_warms_up_fails_the_start_with_its_log(tmp_path: Path) -> None:
    tracker = ServiceTracker((WARM_UP,))
    server = node(tracker)
    group = ProcessGroup(tmp_path / "state.json")
    try:
        group.start("operator-0", SLEEPER, tmp_path / "operator-0.log")
        with pytest.raises(AvsError, match=r"1 node\(s\) did not become healthy.*operator-0.log"):
            wait_all_healthy(group, [("operator-0", server.port)], tmp_path, timeout=1)
    finally:
        group.stop_all(grace=5)
        server.stop()
