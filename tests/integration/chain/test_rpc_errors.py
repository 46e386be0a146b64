"""JSON-RPC errors reach the user as one line that names the fix, not as a raw error dict."""

from __future__ import annotations

import pytest
from eth_account import Account

from avs.chain.client import ChainClient
from avs.errors import ChainError

pytestmark = pytest.mark.integration


def test_unfunded_account_is_told_to_fund_itself(deployer_client: ChainClient) -> None:
    broke = Account.from_key(b"\x0b" * 32)
    client = deployer_client.with_account(broke.key)
    with pytest.raises(ChainError) as err:
        client.send_value(deployer_client.address, 1)
    message = str(err.value)
    assert f"account {broke.address} has 0 ETH, not enough to pay for gas" in message
    assert "fund it with ETH" in message
    assert "{" not in message  # no raw JSON-RPC error dict
