"""Sends of one key from many threads on a real anvil: each gets its own nonce and lands,
with the pending count read outside the key's lock; an evm_revert is followed."""

from __future__ import annotations

import threading

import pytest

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient

pytestmark = pytest.mark.integration
SENDERS = 12


def test_concurrent_sends_of_one_key_all_land(anvil: str, chain_snapshot: None) -> None:
    clients = [ChainClient.connect(anvil, DEV_PRIVATE_KEYS[3]) for _ in range(3)]
    start = clients[0].rpc("eth_getTransactionCount", [clients[0].address, "latest"])
    receipts: list[object] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(SENDERS)

    def send(i: int) -> None:
        try:
            gate.wait(10)
            receipts.append(clients[i % 3].send_value("0x" + f"{0x10000 + i:040x}", 1))
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(receipts) == SENDERS
    end = clients[0].rpc("eth_getTransactionCount", [clients[0].address, "latest"])
    assert int(end, 16) - int(start, 16) == SENDERS


def test_a_send_after_evm_revert_uses_the_reverted_count(anvil: str) -> None:
    client = ChainClient.connect(anvil, DEV_PRIVATE_KEYS[4])
    payee = ChainClient.connect(anvil, DEV_PRIVATE_KEYS[0]).address
    snapshot = client.rpc("evm_snapshot")
    client.send_value(payee, 1)
    client.send_value(payee, 1)
    client.rpc("evm_revert", [snapshot])
    receipt = client.send_value(payee, 1)  # would hang on a stale nonce
    assert receipt.block_number > 0
