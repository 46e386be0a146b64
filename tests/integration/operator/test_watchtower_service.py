"""The in-process watchtower never takes its node down: a chain it cannot reach makes it log,
count (``avs_watchtower_failures_total``) and retry with backoff, and it still stops promptly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from avs.backoff import Backoff
from avs.chain.anvil import free_port
from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem
from avs.chain.reader import ChainReader
from avs.models.store import BlobStore
from avs.watchtower.build import watchtower_over
from avs.watchtower.service import WatchtowerService

pytestmark = pytest.mark.integration


def test_failures_are_counted_and_retried_until_stopped(
    tmp_path: Path, deployer_client: ChainClient
) -> None:
    system = DevSystem.deploy(deployer_client, DeployParams(quorum_count=1))
    unreachable = ChainClient.connect(f"http://127.0.0.1:{free_port()}", request_timeout=2.0)
    reader = ChainReader(unreachable, system.deployment)
    registry = CollectorRegistry()
    tower = watchtower_over(reader, None, BlobStore(tmp_path), registry=registry)
    service = WatchtowerService(
        reader, tower, poll_interval=0.05, backoff=Backoff(0.01, 1.0, 0.01, 0.0)
    )

    def failures() -> float:
        return registry.get_sample_value("avs_watchtower_failures_total") or 0.0

    async def run_until_retried() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(service.run(stop))
        async with asyncio.timeout(60):
            while failures() < 3:  # failed, backed off, and tried again (twice)
                assert not running.done()
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(running, 30)

    asyncio.run(run_until_retried())
    assert failures() >= 3
    assert not service.seen  # nothing was checked, nothing crashed
