"""Plain values the chain layer returns: receipts and logs (never web3 AttributeDicts)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Log:
    """One event log."""

    address: str
    """Emitting contract (checksummed)."""
    topics: tuple[bytes, ...]
    """Topics; topics[0] is the event signature hash."""
    data: bytes
    """Non-indexed data."""
    block_number: int
    """Block of the log."""
    tx_hash: bytes
    """Transaction that emitted it."""
    log_index: int
    """Position in the block."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """A mined, successful transaction."""

    tx_hash: bytes
    """Transaction hash."""
    block_number: int
    """Block it was mined in."""
    gas_used: int
    """Gas used by the transaction."""
    effective_gas_price: int
    """Wei paid per gas (balance change = gas_used * effective_gas_price + value)."""
    logs: tuple[Log, ...]
    """Logs emitted."""
    contract_address: str | None
    """Address of the created contract, for deployments."""
    wait_seconds: float = 0.0
    """Seconds from sending the transaction until this receipt was read."""

    @property
    def fee_paid(self) -> int:
        """Wei paid for gas."""
        return self.gas_used * self.effective_gas_price
