"""Many transactions from many accounts in few blocks, on a devnet node that mines on request
(anvil): sign each with its sender's next nonce, send all without waiting, then mine until
every one is in a block. Onboarding 200 operators one receipt at a time took minutes of
round trips; this sends the same transactions, through the same contract functions.

Devnets and benchmarks only: it switches the node's automine off while it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from avs.chain.client import ChainClient, Contract
from avs.errors import ChainError

BULK_GAS = 3_000_000
"""Gas limit of every bulk transaction (estimates would cost a round trip each)."""
MAX_MINED_BLOCKS = 1_000
"""Blocks mined at most before giving up on transactions that never land."""


@dataclass(frozen=True, slots=True)
class BulkCall:
    """One contract call (or plain transfer) and the account that sends it."""

    sender: LocalAccount
    """Signing account."""
    contract: Contract | None
    """Called contract (None: a plain ETH transfer to ``to``)."""
    fn: str = ""
    """Function name."""
    args: tuple[Any, ...] = ()
    """Arguments."""
    value: int = 0
    """Wei sent along."""
    to: str = ""
    """Recipient of a plain transfer."""

    def describe(self) -> str:
        """``Contract.fn`` (or ``transfer to X``) for error messages."""
        if self.contract is None:
            return f"transfer to {self.to}"
        return f"{self.contract.name}.{self.fn}"


def send_in_blocks(client: ChainClient, calls: Sequence[BulkCall]) -> list[int]:
    """Send ``calls`` (each sender's in list order) and mine until all landed; returns the
    gas used by each. Raises ChainError naming the first call that reverted."""
    if not calls:
        return []
    chain_id = client.chain_id
    price = int(client.rpc("eth_gasPrice"), 16)
    nonces: dict[str, int] = {}
    hashes: list[str] = []
    client.rpc("evm_setAutomine", [False])
    try:
        for call in calls:
            sender = call.sender.address
            if sender not in nonces:
                pending = client.rpc("eth_getTransactionCount", [sender, "pending"])
                nonces[sender] = int(pending, 16)
            raw = _signed(call, nonces[sender], chain_id, price)
            nonces[sender] += 1
            hashes.append(client.rpc("eth_sendRawTransaction", [raw]))
        receipts = _mine_until_landed(client, hashes)
    finally:
        client.rpc("evm_setAutomine", [True])
    used = []
    for call, receipt in zip(calls, receipts, strict=True):
        if int(receipt["status"], 16) != 1:
            tx = receipt["transactionHash"]
            raise ChainError(f"{call.describe()} reverted in a bulk send (transaction {tx})")
        used.append(int(receipt["gasUsed"], 16))
    return used


def _signed(call: BulkCall, nonce: int, chain_id: int, price: int) -> str:
    """The raw transaction of ``call`` (hex), signed by its sender."""
    tx: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": nonce,
        "gas": BULK_GAS,
        "maxFeePerGas": 4 * price,
        "maxPriorityFeePerGas": min(price, 10**9),
        "value": call.value,
        "to": call.to,
        "data": b"",
    }
    if call.contract is not None:
        tx["to"] = call.contract.address
        tx["data"] = call.contract.abi.function(call.fn).encode_call(call.args)
    return "0x" + call.sender.sign_transaction(tx).raw_transaction.hex()


def _mine_until_landed(client: ChainClient, hashes: list[str]) -> list[dict[str, Any]]:
    receipts: dict[str, dict[str, Any]] = {}
    for _ in range(MAX_MINED_BLOCKS):
        client.rpc("evm_mine")
        block = client.rpc("eth_getBlockReceipts", ["latest"]) or []
        for receipt in block:
            receipts[receipt["transactionHash"]] = receipt
        if len(receipts) >= len(hashes) and all(h in receipts for h in hashes):
            return [receipts[h] for h in hashes]
    missing = sum(h not in receipts for h in hashes)
    raise ChainError(f"{missing} bulk transactions not mined after {MAX_MINED_BLOCKS} blocks")
