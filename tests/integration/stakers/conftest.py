"""The stakers' scenario, built once per module on the session's anvil."""

from __future__ import annotations

from pathlib import Path

import pytest

from avs.chain.client import ChainClient

from .stakers_scenario import Truth, build


@pytest.fixture(scope="module")
def truth(deployer_client: ChainClient, tmp_path_factory: pytest.TempPathFactory) -> Truth:
    """A fresh deployment with the scenario of stakers_scenario run on it."""
    out: Path = tmp_path_factory.mktemp("stakers")
    return build(deployer_client, out)
