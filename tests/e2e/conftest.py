"""A devnet of real processes shared by the e2e tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from avs.devnet.layout import DevnetLayout
from avs.devnet.session import Devnet


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """4 operators (the last one faulty), aggregator and operators running, 1 s blocks."""
    root: Path = tmp_path_factory.mktemp("devnet")
    net = Devnet(DevnetLayout(root / "devnet"))
    try:
        net.start_chain()
        net.onboard(4, faulty=1)
        net.register_models(("int-mlp", "onnx-classify"))
        net.start_aggregator()
        net.start_operators()
        net.interval_mining()
        yield net
    finally:
        net.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under this directory ``e2e`` so ``-m e2e`` selects them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
