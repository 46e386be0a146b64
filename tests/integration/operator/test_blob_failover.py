"""An operator with several aggregators answers a task whose blobs its primary lacks or
corrupts: models and inputs are content-addressed, so any aggregator it sends to may serve
them (the primary first, each download hash-checked)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from opnode_peer import Peer, start_peer  # type: ignore[import-not-found]
from test_node_grpc import setup  # type: ignore[import-not-found]

from avs_operator.app import OperatorApp

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("primary_fault", ["lacks the blobs", "sends wrong bytes"])
def test_a_task_is_answered_with_blobs_from_the_second_aggregator(
    tmp_path: Path, peer: Peer, primary_fault: str
) -> None:
    server, holder = start_peer(tmp_path / "holder-blobs")
    try:
        # The blobs go to the second aggregator only; the primary streams the task.
        config, keypair, chain, task, expected = setup(tmp_path, holder)
        peer.state.wrong_blobs = primary_fault == "sends wrong bytes"
        config = replace(config, aggregator_url="", aggregator_urls=(peer.address, holder.address))
        peer.add_task(task)
        app = OperatorApp(config, keypair, chain)

        async def scenario() -> None:
            stop = asyncio.Event()
            running = asyncio.create_task(app.run(stop))
            await asyncio.to_thread(peer.wait_submissions, 1)
            stop.set()
            await running

        asyncio.run(scenario())
    finally:
        server.stop(grace=None)
    (response,) = peer.state.submissions
    assert response.result_bytes == expected
    registry = app.metrics.registry
    fetched = registry.get_sample_value(
        "avs_peer_blob_requests_total", {"peer": holder.address, "outcome": "fetched"}
    )
    assert fetched == 2  # the model and the inputs
