"""Shared integration fixtures: a real anvil (npm @foundry-rs/anvil) on a free loopback port.

``anvil`` is session-scoped (one node for the whole run); use ``chain_snapshot`` to undo a
test's chain changes, or deploy a fresh system per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from avs.chain.anvil import DEV_PRIVATE_KEYS, AnvilProcess
from avs.chain.client import ChainClient


@pytest.fixture(scope="session")
def anvil() -> Iterator[str]:
    """URL of an anvil node on 127.0.0.1 (free port), stopped after the session."""
    node = AnvilProcess()
    url = node.start()
    try:
        yield url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def deployer_client(anvil: str) -> ChainClient:
    """A client signing with anvil's first dev account (owner of what it deploys)."""
    return ChainClient.connect(anvil, DEV_PRIVATE_KEYS[0])


@pytest.fixture
def chain_snapshot(deployer_client: ChainClient) -> Iterator[None]:
    """Revert the chain to its state before the test (evm_snapshot / evm_revert)."""
    snapshot = deployer_client.rpc("evm_snapshot")
    try:
        yield
    finally:
        deployer_client.rpc("evm_revert", [snapshot])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under this directory ``integration`` so ``-m integration`` selects them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.integration)
