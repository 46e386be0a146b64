"""A chain client that plans transactions instead of sending them.

Commands that send several transactions (``avs operator register``, ``deregister``) run
their ordinary code against a :class:`PlanningClient` first: every transaction the code
would send is recorded with its target and an ``eth_estimateGas`` estimate, and nothing is
signed or sent. Reads still go to the chain, so the plan follows the real state; a step
whose estimate needs an earlier step mined first is listed without an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3.exceptions import ContractLogicError, Web3Exception

from avs.chain.client import GAS_MARGIN_DEN, GAS_MARGIN_NUM, ChainClient
from avs.chain.types import Receipt


@dataclass(frozen=True, slots=True)
class PlannedTx:
    """One transaction a command would send."""

    what: str
    """Contract.function (or what a plain transfer is for)."""
    to: str | None
    """Target address (None: a contract creation)."""
    value: int
    """Wei sent with it."""
    gas: int | None
    """Gas limit it would be sent with (estimate + margin); None when not estimable yet."""
    note: str = ""
    """Why there is no estimate."""


class PlanningClient(ChainClient):
    """Records transactions in ``self.planned`` (shared by clients derived from it)."""

    def __init__(self, base: ChainClient, planned: list[PlannedTx] | None = None) -> None:
        super().__init__(
            base._w3, base._url, base._account, timeout=base._timeout, fixed_gas=base._fixed_gas
        )
        self.planned: list[PlannedTx] = [] if planned is None else planned

    def with_account(self, private_key: str | bytes) -> ChainClient:
        """The same plan, signing as ``private_key`` (e.g. a devnet minter)."""
        return PlanningClient(super().with_account(private_key), self.planned)

    def with_fixed_gas(self, gas: int | None) -> ChainClient:
        """The same plan (gas limits are estimated in a plan either way)."""
        return PlanningClient(super().with_fixed_gas(gas), self.planned)

    def gas_price(self) -> int:
        """Current gas price (wei), as transactions would be priced."""
        return self._gas_price()

    def _send(
        self,
        where: str,
        to: str | None,
        data: bytes,
        value: int,
        gas: int | None,
        estimate_at: str = "latest",
    ) -> Receipt:
        tx: dict[str, Any] = {"from": self.address, "data": data, "value": value}
        if to is not None:
            tx["to"] = to
        note = ""
        if gas is None:
            try:
                estimate = int(self._w3.eth.estimate_gas(tx, estimate_at))  # type: ignore[arg-type]
                gas = estimate * GAS_MARGIN_NUM // GAS_MARGIN_DEN
            except ContractLogicError:
                note = "estimated once the steps before it are mined"
            except (Web3Exception, ValueError, OSError) as exc:  # e.g. insufficient funds
                note = f"not estimable now ({' '.join(str(exc).split())[:80]})"
        self.planned.append(PlannedTx(where, to, value, gas, note))
        return Receipt(b"\0" * 32, 0, gas or 0, 0, (), None)
