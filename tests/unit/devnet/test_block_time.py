"""The devnet's block time: bounds, and the nodes' settings that follow it."""

from __future__ import annotations

import pytest

from avs.devnet.nodes import ws_url_of
from avs.devnet.runner import DevnetOptions, response_window
from avs.errors import AvsError


@pytest.mark.parametrize("seconds", [0.01, 0.0, 61.0])
def test_block_time_out_of_range_is_refused(seconds: float) -> None:
    with pytest.raises(AvsError, match="--block-time"):
        DevnetOptions(block_time=seconds).check()


@pytest.mark.parametrize("seconds", [0.25, 1.0, 12.0])
def test_fractional_and_whole_block_times_are_accepted(seconds: float) -> None:
    DevnetOptions(block_time=seconds).check()


def test_nodes_follow_anvil_over_its_websocket_on_the_same_port() -> None:
    assert ws_url_of("http://127.0.0.1:8545") == "ws://127.0.0.1:8545"


def test_sub_second_blocks_keep_the_window_in_seconds_within_the_maximum() -> None:
    assert response_window(DevnetOptions(block_time=1), 50) == 20
    assert response_window(DevnetOptions(block_time=0.5), 50) == 40
    assert response_window(DevnetOptions(block_time=0.25), 50) == 50
