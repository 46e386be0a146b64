"""Where records come from: a node reached over JSON-RPC, checked before any scan.

:class:`EventSource` is the collaborator the indexer needs; :class:`ChainSource` implements
it on a real node, :func:`connect` builds one and turns every way of pointing at the wrong
place (no node, wrong chain, no contracts) into one clear error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.logscan import EventSpec, LogScanner, block_hash, code_at
from avs.errors import ChainError
from avs.stakers.convert import to_record, watched_events
from avs.stakers.records import Record
from avs.urls import redact_url

CONNECT_TIMEOUT_S = 10.0


class EventSource(Protocol):
    """What the indexer reads: the head, block hashes and records over block ranges."""

    @property
    def start_block(self) -> int:
        """First block that can hold a record (the deployment block)."""
        ...

    @property
    def identity(self) -> str:
        """Names the chain and contracts; a cache for another identity is discarded."""
        ...

    def head(self) -> int:
        """Latest block number."""
        ...

    def block_hash(self, number: int) -> bytes | None:
        """Hash of a block, None when it does not exist."""
        ...

    def fetch(self, from_block: int, to_block: int) -> list[Record]:
        """Records in [from_block, to_block], in chain order."""
        ...


class ChainSource:
    """Records of one deployment, read from a node."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        specs = [
            EventSpec(deployment.contract(name), events)
            for name, events in sorted(watched_events().items())
        ]
        self._scanner = LogScanner(client, specs)

    @property
    def start_block(self) -> int:
        """The deployment block."""
        return self.deployment.block

    @property
    def identity(self) -> str:
        """chain id, deployment block and every scanned contract address."""
        names = sorted(watched_events())
        addresses = ",".join(f"{n}={self.deployment.contracts[n]}" for n in names)
        return f"{self.deployment.chain_id}@{self.deployment.block}:{addresses}"

    def head(self) -> int:
        """Latest block number."""
        return self.client.block_number()

    def block_hash(self, number: int) -> bytes | None:
        """Hash of block ``number``."""
        return block_hash(self.client, number)

    def fetch(self, from_block: int, to_block: int) -> list[Record]:
        """Records in [from_block, to_block]."""
        return [to_record(log) for log in self._scanner.scan(from_block, to_block)]

    def timestamps(self, blocks: Iterable[int]) -> dict[int, int]:
        """Unix timestamp of each block (one request per block; charts need a few dozen)."""
        out: dict[int, int] = {}
        for number in sorted(set(blocks)):
            block = self.client.rpc("eth_getBlockByNumber", [hex(number), False])
            if not isinstance(block, dict) or "timestamp" not in block:
                raise ChainError(f"block {number} is not on {self.client.url} (was it reset?)")
            out[number] = int(str(block["timestamp"]), 16)
        return out

    def withdrawable_shares(self, staker: str, strategies: Sequence[str]) -> tuple[int, ...]:
        """Shares ``staker`` could withdraw now from each strategy (slashes applied)."""
        delegation = self.deployment.contract("DelegationManager")
        shares, _deposit_shares = self.client.call(
            delegation, "getWithdrawableShares", staker, list(strategies)
        )
        return tuple(int(s) for s in shares)


def connect(rpc_url: str, deployment_path: Path) -> ChainSource:
    """A checked source: the node answers, serves the deployment's chain and has its code."""
    deployment = Deployment.load(deployment_path)
    client = ChainClient.connect(rpc_url, timeout=CONNECT_TIMEOUT_S)
    chain_id = client.chain_id
    if chain_id != deployment.chain_id:
        raise ChainError(
            f"{redact_url(rpc_url)} serves chain {chain_id} but {deployment_path} describes chain "
            f"{deployment.chain_id}; pass the matching --rpc-url or --deployment"
        )
    for name in sorted(watched_events()):
        address = deployment.contract(name).address
        if not code_at(client, address):
            raise ChainError(
                f"no {name} contract at {address} on {redact_url(rpc_url)}: {deployment_path} "
                "does not "
                "match this chain (was the devnet restarted?); redeploy or pass the right "
                "--deployment"
            )
    return ChainSource(client, deployment)
