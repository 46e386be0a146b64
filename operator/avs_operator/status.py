"""``avs operator status``: what a node's operator needs to know, each item checked.

:func:`gather` reads the chain (registration, stake, allocation), the local slashing-
protection store (last signed task), the aggregator (gRPC health) and the stakers' ledger
(fees not yet claimed). :class:`NodeStatus` turns them into checks with a fix each; the
exit code of the command follows from them (0 healthy, 1 a check failed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.reader import ChainReader
from avs.crypto.bls import KeyPair
from avs.errors import ConfigError
from avs.urls import redact_url
from avs_operator.config import OperatorConfig
from avs_operator.protection import ProtectionStore, SignedRecord
from avs_operator.registration import ZERO_ID, Standing, read_standing

Unclaimed = Callable[[bytes], tuple[int, int]]
"""operator id -> (claimable tasks, wei); see :func:`avs.stakers.claims.unclaimed_fees`."""


@dataclass(frozen=True, slots=True)
class Check:
    """One thing that must hold for the node to earn fees safely."""

    name: str
    """Short name (``registered``, ``bls key``...)."""
    ok: bool
    """Whether it holds."""
    detail: str
    """What was found."""
    fix: str = ""
    """What to do when it does not hold."""


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """Everything ``status`` shows."""

    standing: Standing
    """Registration on chain."""
    wanted_quorums: tuple[int, ...]
    """Quorums the config asks to be in."""
    minimum_stake: int
    """The deployment's minimum stake per quorum (token base units)."""
    allocated: dict[int, int]
    """Allocated stake per wanted quorum (allocation manager)."""
    allocation_delay: int | None
    """Blocks before a new allocation takes effect (None: the operator has not set one)."""
    deallocation_delay: int
    """Blocks stake stays slashable after leaving a quorum or deallocating."""
    balance_wei: int
    """ETH of the operator address (pays for registration and fee claims)."""
    tasks_signed: int | None
    """Results in the protection store (None: no store on this machine)."""
    last_signed: SignedRecord | None
    """The latest signed result."""
    aggregator_url: str
    """Configured aggregator."""
    aggregator_problem: str | None
    """None when the aggregator answers its health check."""
    unclaimed_tasks: int
    """Certified tasks whose fee share is not claimed yet."""
    unclaimed_wei: int
    """Their total."""

    @property
    def registered(self) -> bool:
        """In every wanted quorum with the configured key."""
        joined = set(self.standing.quorums)
        return self.standing.key_matches and set(self.wanted_quorums) <= joined

    def checks(self) -> list[Check]:
        """Each condition with what was found and the fix."""
        s = self.standing
        key_ok = s.registered_id in (ZERO_ID, s.operator_id)
        missing = [q for q in self.wanted_quorums if q not in s.quorums]
        low = [q for q in s.quorums if s.stakes.get(q, 0) < self.minimum_stake]
        return [
            Check(
                "bls key",
                key_ok,
                "matches the key registered for this address"
                if s.registered_id == s.operator_id
                else ("no key registered yet" if key_ok else "differs from the registered key"),
                f"this address registered 0x{s.registered_id.hex()}; point bls_key_file at "
                "that key (registered keys are permanent)",
            ),
            Check(
                "registered",
                not missing and key_ok,
                f"in quorums {list(s.quorums)}" if s.quorums else "in no quorum",
                f"join quorums {missing}: avs operator register --config FILE",
            ),
            Check(
                "stake",
                not low,
                "at or above the minimum in every joined quorum"
                if not low
                else f"below the minimum ({_tokens(self.minimum_stake)}) in quorums {low}",
                "deposit more: avs operator register --config FILE --stake AMOUNT",
            ),
            Check(
                "aggregator",
                self.aggregator_problem is None,
                f"{self.aggregator_url} serving"
                if self.aggregator_problem is None
                else f"{self.aggregator_url}: {self.aggregator_problem}",
                "check aggregator_url and that the aggregator is running",
            ),
        ]

    @property
    def healthy(self) -> bool:
        """Registered and every check passes."""
        return self.registered and all(c.ok for c in self.checks())

    def next_step(self) -> str:
        """One line: the first failing check's fix, else what to do next."""
        for check in self.checks():
            if not check.ok:
                return check.fix
        if self.unclaimed_wei:
            return "claim your fees: avs operator claim-fees --config FILE --all"
        if self.tasks_signed is None:
            return "start the node: avs operator run --config FILE"
        return "nothing to do"

    def to_dict(self) -> dict[str, object]:
        """JSON form (``status --json``); token and wei amounts as decimal strings."""
        s = self.standing
        last = self.last_signed
        return {
            "healthy": self.healthy,
            "registered": self.registered,
            "address": s.address,
            "operator_id": "0x" + s.operator_id.hex(),
            "registered_operator_id": "0x" + s.registered_id.hex(),
            "key_matches": s.key_matches,
            "is_operator": s.is_operator,
            "quorums": [
                {
                    "quorum": q,
                    "joined": q in s.quorums,
                    "stake": str(s.stakes.get(q, 0)),
                    "allocated": str(self.allocated.get(q, 0)),
                }
                for q in sorted(set(self.wanted_quorums) | set(s.quorums))
            ],
            "minimum_stake": str(self.minimum_stake),
            "allocation_delay_blocks": self.allocation_delay,
            "deallocation_delay_blocks": self.deallocation_delay,
            "balance_wei": str(self.balance_wei),
            "tasks_signed": self.tasks_signed,
            "last_signed": None
            if last is None
            else {"task_index": last.task_index, "signed_at": round(last.signed_at, 3)},
            "aggregator": {"url": self.aggregator_url, "problem": self.aggregator_problem},
            "fees_unclaimed": {"tasks": self.unclaimed_tasks, "wei": str(self.unclaimed_wei)},
            "checks": [
                {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": "" if c.ok else c.fix}
                for c in self.checks()
            ],
            "next_step": self.next_step(),
        }


def _tokens(units: int) -> str:
    return f"{units / 10**18:,.4g} tokens"


def connect_reader(cfg: OperatorConfig) -> ChainReader:
    """A read-only chain view; a deployment of another chain is a ConfigError."""
    deployment = Deployment.load(cfg.deployment)
    client = ChainClient.connect(cfg.rpc_url)
    if client.chain_id != deployment.chain_id:
        raise ConfigError(
            f"rpc_url {redact_url(cfg.rpc_url)} serves chain {client.chain_id}, "
            "the deployment is on chain "
            f"{deployment.chain_id}; point both at the same chain"
        )
    return ChainReader(client, deployment)


def gather(
    cfg: OperatorConfig,
    reader: ChainReader,
    address: str,
    keypair: KeyPair,
    aggregator_problem: str | None,
    unclaimed: Unclaimed,
) -> NodeStatus:
    """Read every item of the status (no writes, no store created)."""
    standing = read_standing(reader, address, keypair)
    allocated = {q: reader.allocated_stake(address, q) for q in cfg.quorums}
    delay = int(reader.client.call1(reader.allocations, "DEALLOCATION_DELAY"))
    signed: int | None = None
    last: SignedRecord | None = None
    store = ProtectionStore.read_only(cfg.protection_db)
    if store is not None:
        try:
            signed, last = store.count(), store.latest()
        finally:
            store.close()
    tasks, wei = unclaimed(standing.registered_id) if standing.registered_id != ZERO_ID else (0, 0)
    return NodeStatus(
        standing=standing,
        wanted_quorums=cfg.quorums,
        minimum_stake=reader.deployment.params.minimum_stake,
        allocated=allocated,
        allocation_delay=reader.allocation_delay(address),
        deallocation_delay=delay,
        balance_wei=reader.client.balance(address),
        tasks_signed=signed,
        last_signed=last,
        aggregator_url=cfg.aggregators[0],
        aggregator_problem=aggregator_problem,
        unclaimed_tasks=tasks,
        unclaimed_wei=wei,
    )
