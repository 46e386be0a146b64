"""Generic log scans: every named event of some contracts over a block range, decoded.

:mod:`avs.chain.events` turns the events services follow into typed values; indexers that
keep their own store (the stakers' view) need something lower: each log's decoded
arguments together with where it sits in the chain (block, log index, transaction), for
any event of any shipped contract. Values are plain Python (ints, bytes, checksummed
address strings, tuples), never web3 types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from avs.chain.client import ChainClient, Contract
from avs.errors import ChainError


@dataclass(frozen=True, slots=True)
class DecodedLog:
    """One event log with its decoded arguments and its position in the chain."""

    contract: str
    """Name of the emitting contract (as in the deployment JSON)."""
    event: str
    """Event name."""
    args: Mapping[str, Any]
    """Arguments by name (read-only)."""
    block_number: int
    """Block of the log."""
    log_index: int
    """Position of the log in its block."""
    tx_hash: bytes
    """Transaction that emitted it."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """Which events of one contract to scan."""

    contract: Contract
    """The deployed contract."""
    events: tuple[str, ...]
    """Event names (each must be in the contract's ABI)."""


class LogScanner:
    """Fetches and decodes the events of :class:`EventSpec` s with one eth_getLogs per range."""

    def __init__(self, client: ChainClient, specs: Sequence[EventSpec]) -> None:
        self._client = client
        self._table: dict[tuple[str, bytes], tuple[Contract, str]] = {}
        for spec in specs:
            for name in spec.events:
                topic0 = spec.contract.abi.event(name).topic0
                self._table[(spec.contract.address, topic0)] = (spec.contract, name)
        self._addresses = sorted({address for address, _ in self._table})
        self._topics = sorted({topic for _, topic in self._table})

    def scan(self, from_block: int, to_block: int) -> list[DecodedLog]:
        """Every matching log in [from_block, to_block], in chain order.

        One request: callers choose the range (public RPCs cap it, often at 2,000 blocks or
        10,000 results) and split it when the node refuses.
        """
        if to_block < from_block:
            return []
        logs = self._client.get_logs(self._addresses, self._topics, from_block, to_block)
        out: list[DecodedLog] = []
        for log in logs:
            if not log.topics:
                continue
            hit = self._table.get((log.address, log.topics[0]))
            if hit is None:
                continue  # same address list, another contract's topic: not asked for
            contract, name = hit
            try:
                args = contract.abi.event(name).decode(log.topics, log.data)
            except Exception as exc:  # malformed data is a node or ABI problem, say where
                raise ChainError(
                    f"cannot decode {contract.name}.{name} in block {log.block_number}: {exc}"
                ) from exc
            out.append(
                DecodedLog(
                    contract=contract.name,
                    event=name,
                    args=MappingProxyType(args),
                    block_number=log.block_number,
                    log_index=log.log_index,
                    tx_hash=log.tx_hash,
                )
            )
        out.sort(key=lambda d: (d.block_number, d.log_index))
        return out


def block_hash(client: ChainClient, number: int) -> bytes | None:
    """Hash of block ``number``, or None when the chain has no such block (yet)."""
    block = client.rpc("eth_getBlockByNumber", [hex(number), False])
    if not block:
        return None
    return bytes.fromhex(str(block["hash"]).removeprefix("0x"))


def code_at(client: ChainClient, address: str) -> bytes:
    """Runtime bytecode at ``address`` (empty: no contract there)."""
    code = client.rpc("eth_getCode", [address, "latest"])
    return bytes.fromhex(str(code).removeprefix("0x"))
