"""The deployment JSON written by ``avs deploy`` and read by every other component."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.errors import ConfigError

FORMAT_VERSION = 1
CORE_CONTRACTS = (
    "AllocationManager",
    "DelegationManager",
    "PermissionController",
    "StrategyManager",
    "StrategyBase",
    "DevnetToken",
)
"""Restaking-core entries of ``Deployment.contracts``: on EigenLayer, "StrategyBase" is the
strategy every quorum measures stake in and "DevnetToken" its underlying ERC20."""


@dataclass(frozen=True, slots=True)
class DeployParams:
    """Protocol parameters chosen at deployment (blocks, basis points, 1e18 = 100%)."""

    quorum_count: int = 2
    """Quorums (= operator sets) created, numbered from 0, all on the staking token."""
    minimum_stake: int = 10**18
    """Minimum allocated stake (token wei) to join a quorum."""
    withdrawal_delay_blocks: int = 200
    """Blocks a queued withdrawal stays slashable."""
    deallocation_delay_blocks: int = 200
    """Blocks a deallocation or deregistration stays slashable."""
    allocation_configuration_delay_blocks: int = 20
    """Blocks before an operator's changed allocation delay applies (stand-in core only)."""
    metadata_uri: str = ""
    """AVS metadata URI published through the AllocationManager (EigenLayer requires one)."""
    max_response_window_blocks: int = 50
    """Longest response window of a task (also the oldest reference block accepted)."""
    challenge_window_blocks: int = 100
    """Blocks after a task's deadline during which fault evidence is accepted."""
    min_threshold_bps: int = 6_667
    """Lowest signing threshold a task may use."""
    max_inputs_per_task: int = 4_096
    """Most inputs in one task."""
    equivocation_slash_wad: int = 2 * 10**17
    """Fraction of the allocation slashed for equivocation (20%)."""
    wrong_result_slash_wad: int = 5 * 10**16
    """Fraction slashed for a proven wrong result, or for signing a wrong certificate (5%)."""
    challenge_reward_wei: int = 10**15
    """Paid (while the pool lasts) to whoever overturns a wrong certificate."""
    challenge_reward_pool_wei: int = 0
    """Funded into the reward pool at deployment."""
    task_types: tuple[tuple[str, bool], ...] = (("int-mlp", True), ("onnx-classify", False))
    """Task types registered at deployment as (id, exact), sorted by id."""

    def validate(self) -> None:
        """Reject parameters under which stake could escape a provable fault."""
        window = self.max_response_window_blocks + self.challenge_window_blocks
        if window >= min(self.withdrawal_delay_blocks, self.deallocation_delay_blocks):
            raise ConfigError(
                f"max_response_window_blocks + challenge_window_blocks ({window}) must be below "
                f"withdrawal_delay_blocks ({self.withdrawal_delay_blocks}) and "
                f"deallocation_delay_blocks ({self.deallocation_delay_blocks}), or stake could "
                "leave before a fault is proven; raise the delays or shorten the windows"
            )
        if not 1 <= self.quorum_count <= 192:
            raise ConfigError("quorum_count must be in 1..192")
        if not 1 <= self.min_threshold_bps <= 10_000:
            raise ConfigError("min_threshold_bps must be in 1..10000")
        if self.max_response_window_blocks < 1 or self.max_inputs_per_task < 1:
            raise ConfigError("max_response_window_blocks and max_inputs_per_task must be >= 1")
        if self.challenge_window_blocks < 1:
            raise ConfigError("challenge_window_blocks must be >= 1: wrong certificates need time")
        if self.challenge_reward_wei < 0 or self.challenge_reward_pool_wei < 0:
            raise ConfigError("challenge rewards cannot be negative")
        for wad in (self.equivocation_slash_wad, self.wrong_result_slash_wad):
            if not 0 < wad <= 10**18:
                raise ConfigError("slash fractions must be in (0, 1e18]")


@dataclass(frozen=True, slots=True)
class Deployment:
    """Addresses and parameters of one deployed system."""

    chain_id: int
    """Chain id the system lives on."""
    block: int
    """Block of the first deployment transaction (start of log scans)."""
    deployer: str
    """Owner of the contracts (and minter of the devnet token)."""
    contracts: Mapping[str, str]
    """Contract name -> address, for every contract in avs/chain/artifacts."""
    quorum_numbers: tuple[int, ...]
    """Quorums created."""
    params: DeployParams = field(default_factory=DeployParams)
    """Parameters used."""

    @property
    def token(self) -> str:
        """The staking token (DevnetToken)."""
        return self.contracts["DevnetToken"]

    @property
    def strategy(self) -> str:
        """The strategy of the staking token (every quorum measures stake in it)."""
        return self.contracts["StrategyBase"]

    def contract(self, name: str) -> Contract:
        """A handle on the deployed contract ``name``."""
        try:
            address = self.contracts[name]
        except KeyError:
            raise ConfigError(f"deployment has no contract {name!r}") from None
        return Contract(name, address, load_artifact(name).abi)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        params = asdict(self.params)
        params["task_types"] = {name: exact for name, exact in self.params.task_types}
        return {
            "format": FORMAT_VERSION,
            "chain_id": self.chain_id,
            "block": self.block,
            "deployer": self.deployer,
            "contracts": dict(sorted(self.contracts.items())),
            "token": self.token,
            "strategy": self.strategy,
            "quorum_numbers": list(self.quorum_numbers),
            "params": params,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Deployment:
        """Parse the JSON dict; ConfigError says what is wrong."""
        try:
            contracts = {str(k): str(v) for k, v in data["contracts"].items()}
            for name, addr in contracts.items():
                if not is_address(addr):
                    raise ConfigError(f"deployment: {name} address {addr!r} is not an address")
            raw = dict(data.get("params", {}))
            if "task_types" in raw:
                raw["task_types"] = tuple(
                    sorted((k, bool(v)) for k, v in raw["task_types"].items())
                )
            return cls(
                chain_id=int(data["chain_id"]),
                block=int(data["block"]),
                deployer=to_checksum_address(data["deployer"]),
                contracts={k: to_checksum_address(v) for k, v in contracts.items()},
                quorum_numbers=tuple(int(q) for q in data["quorum_numbers"]),
                params=DeployParams(**raw),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"deployment JSON is malformed ({exc!r}); rerun 'avs deploy'"
            ) from exc

    def save(self, path: Path) -> None:
        """Write the JSON file (sorted keys, trailing newline)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Read a deployment JSON file."""
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"deployment file {path} not found; run 'avs deploy' first") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"deployment file {path} is not JSON: {exc}") from None
        return cls.from_json(data)
