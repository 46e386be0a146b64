"""The development anvil never leaves old block states on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3
from web3.types import Wei

from avs.chain.anvil import AnvilProcess

pytestmark = pytest.mark.integration


def test_anvil_keeps_no_state_files_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unbounded, anvil writes one file per older block under ~/.foundry/anvil/tmp and keeps
    # them after it stops (a test day filled the disk); the child inherits this HOME.
    monkeypatch.setenv("HOME", str(tmp_path))
    with AnvilProcess() as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        sender, receiver = list(w3.eth.accounts)[:2]
        first = w3.eth.send_transaction({"from": sender, "to": receiver, "value": Wei(1)})
        # Past ~500 blocks an unbounded anvil starts writing states to disk.
        w3.provider.make_request("anvil_mine", [hex(1000)])  # type: ignore[arg-type]
        assert w3.eth.block_number == 1001
        # Blocks and receipts stay: only old states go.
        assert w3.eth.get_transaction_receipt(first)["status"] == 1
        assert w3.eth.get_balance(receiver) == 10**24 + 1
    left = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert left == []
