"""Addresses of an existing EigenLayer core (``avs deploy --core core.json``).

The file names the core contracts and the strategy the quorums measure stake in::

    {"AllocationManager": "0x...", "DelegationManager": "0x...",
     "PermissionController": "0x...", "StrategyManager": "0x...", "strategy": "0x..."}

(EigenLayer publishes these per chain: mainnet, Holesky, Hoodi; keys may also sit under a
"contracts" object). The strategy's underlying token is read from the chain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from avs.chain.client import ChainClient, Contract
from avs.chain.compiled import load_artifact
from avs.errors import ChainError, ConfigError

CORE_FILE_KEYS = (
    "AllocationManager",
    "DelegationManager",
    "PermissionController",
    "StrategyManager",
    "strategy",
)


def load_core_file(path: Path) -> dict[str, str]:
    """The checksummed addresses in a core file; ConfigError says what is missing or wrong."""
    try:
        data: Any = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"core file {path} not found") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"core file {path} is not readable JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("contracts"), dict):
        data = {**data["contracts"], **{k: v for k, v in data.items() if k != "contracts"}}
    if not isinstance(data, dict):
        raise ConfigError(f"core file {path} must hold a JSON object of addresses")
    missing = [key for key in CORE_FILE_KEYS if key not in data]
    if missing:
        raise ConfigError(f"core file {path} lacks {missing}; it needs {list(CORE_FILE_KEYS)}")
    out: dict[str, str] = {}
    for key in CORE_FILE_KEYS:
        value = data[key]
        if not isinstance(value, str) or not is_address(value):
            raise ConfigError(f"core file {path}: {key} {value!r} is not an address")
        out[key] = to_checksum_address(value)
    return out


def resolve_core(client: ChainClient, core: dict[str, str]) -> dict[str, str]:
    """Deployment entries for ``core``: the core contracts, "StrategyBase" (the strategy) and
    "DevnetToken" (its underlying token, read from the chain); every address must hold code."""
    for key in CORE_FILE_KEYS:
        if client.rpc("eth_getCode", [core[key], "latest"]) in ("0x", "", None):
            raise ChainError(
                f"core contract {key} at {core[key]} has no code on chain {client.chain_id}"
            )
    strategy = Contract("StrategyBase", core["strategy"], load_artifact("StrategyBase").abi)
    token = to_checksum_address(client.call1(strategy, "underlyingToken"))
    entries = {k: v for k, v in core.items() if k != "strategy"}
    return entries | {"StrategyBase": core["strategy"], "DevnetToken": token}
