"""``avs operator register / deregister / status`` on top of avs.chain's reader and writer.

Registration follows EigenLayer's order (see docs/eigenlayer.md): become an operator in the
DelegationManager (with an allocation delay), deposit, allocate magnitude to the AVS's
operator sets, wait until the allocation delay has passed (only then is the stake slashable
and counted), and join the quorums with the BLS key and its proof of possession.
:func:`plan` lists these steps with whether each is already done on chain; :func:`register`
runs the ones that are not, so a run interrupted half-way can simply be repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.reader import ChainReader
from avs.chain.writer import WAD, ChainWriter
from avs.crypto.bls import KeyPair
from avs.errors import ChainError, ConfigError
from avs.urls import redact_url

ZERO_ID = bytes(32)
Progress = Callable[[str], None]
Sleep = Callable[[float], None]
POLL_SECONDS = 2.0
"""How often the allocation-delay wait looks at the chain head."""

BECOME_OPERATOR = "become-operator"
DEPOSIT = "deposit"
ALLOCATE = "allocate"
AWAIT_ALLOCATION = "await-allocation-delay"
JOIN = "join-quorums"
STEP_ORDER = (BECOME_OPERATOR, DEPOSIT, ALLOCATE, AWAIT_ALLOCATION, JOIN)
"""Registration steps in the order EigenLayer requires them."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of registering an operator on EigenLayer semantics."""

    key: str
    """One of STEP_ORDER."""
    summary: str
    """What the step does and why, in one line."""
    done: bool
    """The chain already shows it done (register skips it)."""


@dataclass(frozen=True, slots=True)
class Standing:
    """An operator's registration state on chain."""

    address: str
    """Operator (ECDSA) address."""
    operator_id: bytes
    """Id of the configured BLS key."""
    registered_id: bytes
    """Id the registry holds for the address (zero: no key registered)."""
    is_operator: bool
    """Registered as an operator in the delegation manager."""
    quorums: tuple[int, ...]
    """Quorums joined."""
    stakes: dict[int, int] = field(default_factory=dict)
    """Recorded stake per joined quorum (token base units)."""
    tasks_signed: int | None = None
    """Results in the local slashing-protection store (None: no store here)."""

    @property
    def key_matches(self) -> bool:
        """The configured BLS key is the one registered for this address."""
        return self.registered_id == self.operator_id

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``status --json``)."""
        return {
            "address": self.address,
            "operator_id": "0x" + self.operator_id.hex(),
            "registered": bool(self.quorums) and self.key_matches,
            "registered_operator_id": "0x" + self.registered_id.hex(),
            "key_matches": self.key_matches,
            "is_operator": self.is_operator,
            "quorums": list(self.quorums),
            "stakes": {str(q): str(s) for q, s in sorted(self.stakes.items())},
            "tasks_signed": self.tasks_signed,
        }


def connect(rpc_url: str, deployment: Deployment, account: LocalAccount) -> ChainWriter:
    """A writer for ``account``; a deployment on another chain is a ConfigError."""
    client = ChainClient.connect(rpc_url, account.key)
    if client.chain_id != deployment.chain_id:
        raise ConfigError(
            f"rpc_url {redact_url(rpc_url)} serves chain {client.chain_id}, "
            "the deployment is on chain "
            f"{deployment.chain_id}; point both at the same chain"
        )
    return ChainWriter(client, deployment)


def read_standing(reader: ChainReader, address: str, keypair: KeyPair) -> Standing:
    """Registration state of ``address`` with the configured key."""
    registered = reader.operator_id(address)
    is_operator = bool(reader.client.call1(reader.delegation, "isOperator", address))
    quorums: tuple[int, ...] = ()
    stakes: dict[int, int] = {}
    if registered != ZERO_ID:
        bitmap = reader.quorum_bitmap(registered)
        quorums = tuple(q for q in range(192) if bitmap >> q & 1)
        stakes = {q: reader.stake(registered, q) for q in quorums}
    return Standing(address, keypair.operator_id, registered, is_operator, quorums, stakes)


def magnitudes(quorums: Sequence[int]) -> dict[int, int]:
    """Equal shares of the operator's allocatable magnitude (1e18 in total) per quorum."""
    if not quorums:
        raise ConfigError("quorums is empty; list the quorums (operator sets) to join")
    return dict.fromkeys(quorums, WAD // len(quorums))


def default_stake(minimum_stake: int, quorums: Sequence[int]) -> int:
    """Smallest deposit that meets ``minimum_stake`` in every quorum after the split."""
    share = WAD // len(quorums)
    return -(-minimum_stake * WAD // share)


def plan(
    reader: ChainReader,
    address: str,
    keypair: KeyPair,
    quorums: Sequence[int],
    stake: int,
    allocation_delay: int = 0,
) -> list[Step]:
    """The registration steps for ``address``, each marked done when the chain shows it."""
    standing = read_standing(reader, address, keypair)
    shares = reader.operator_shares(address) if standing.is_operator else 0
    allocations = {q: reader.allocation(address, q) for q in quorums}
    allocated = all(current + pending > 0 for current, pending, _ in allocations.values())
    in_force = all(pending <= 0 for _, pending, _ in allocations.values())
    joined = all(q in standing.quorums for q in quorums)
    delay = reader.allocation_delay(address) if standing.is_operator else allocation_delay
    return [
        Step(
            BECOME_OPERATOR,
            "register as an operator in the DelegationManager (self-delegated) with an "
            f"allocation delay of {'(unset)' if delay is None else delay} blocks",
            standing.is_operator,
        ),
        Step(DEPOSIT, f"deposit stake until {stake} shares are delegated", shares >= stake),
        Step(
            ALLOCATE,
            f"allocate magnitude to operator sets {list(quorums)} (an equal share each)",
            joined or allocated,
        ),
        Step(
            AWAIT_ALLOCATION,
            "wait out the allocation delay: only then is the allocation slashable and counted",
            joined or (allocated and in_force),
        ),
        Step(
            JOIN,
            f"join quorums {list(quorums)} with BLS operator id 0x{keypair.operator_id.hex()} "
            "and its proof of possession",
            joined,
        ),
    ]


def register(
    writer: ChainWriter,
    keypair: KeyPair,
    quorums: Sequence[int],
    stake: int,
    progress: Progress,
    devnet_mint: bool = False,
    metadata_uri: str = "",
    allocation_delay: int = 0,
    sleep: Sleep = time.sleep,
    wait: bool = True,
) -> Standing:
    """Run the steps of :func:`plan` that are not done yet, explaining each;
    ``metadata_uri`` is published when becoming an operator. ``wait=False`` (a preview)
    does not wait out the allocation delay."""
    reader = ChainReader(writer.client, writer.deployment)
    me = writer.address
    before = read_standing(reader, me, keypair)
    if before.registered_id not in (ZERO_ID, keypair.operator_id):
        raise ChainError(
            f"{me} already registered BLS key 0x{before.registered_id.hex()}; keys are permanent, "
            "so use that key file (bls_key_file) or another operator address"
        )
    missing = [q for q in quorums if q not in before.quorums]
    if not missing:
        progress(f"already registered in quorums {list(before.quorums)}")
        return before
    for step in plan(reader, me, keypair, quorums, stake, allocation_delay):
        if step.done:
            continue
        progress(f"{step.key}: {step.summary}")
        if step.key == BECOME_OPERATOR:
            writer.register_as_operator(metadata_uri, allocation_delay=allocation_delay)
        elif step.key == DEPOSIT:
            needed = stake - reader.operator_shares(me)
            _ensure_tokens(writer, reader, needed, devnet_mint, progress)
            writer.deposit(needed)
            progress(f"  deposited {needed} staking-token units into the strategy")
        elif step.key == ALLOCATE:
            # an operator from before the slashing release may lack a delay; one made here has it
            if before.is_operator and reader.allocation_delay(me) is None:
                raise ChainError(
                    f"{me} has no allocation delay yet (registered before EigenLayer's slashing "
                    "release); set one with eigenlayer-cli and rerun after it takes effect"
                )
            writer.allocate(magnitudes(missing))
        elif step.key == AWAIT_ALLOCATION:
            if wait:
                _await_allocation(reader, me, missing, progress, sleep)
        else:
            writer.register_operator(missing, keypair if before.registered_id == ZERO_ID else None)
            progress(f"  joined quorums {missing}")
    return read_standing(reader, me, keypair)


def _await_allocation(
    reader: ChainReader, me: str, quorums: Sequence[int], progress: Progress, sleep: Sleep
) -> None:
    """Block until every pending allocation to ``quorums`` is in force at the chain head
    (where the registration's gas estimate runs)."""
    effect = max(reader.allocation(me, q)[2] for q in quorums)
    while True:
        head = reader.client.block_number()
        left = effect - head
        if left <= 0:
            return
        progress(f"  allocation takes effect at block {effect}: {left} block(s) to go")
        sleep(POLL_SECONDS)


def deregister(
    writer: ChainWriter, keypair: KeyPair, quorums: Sequence[int], progress: Progress
) -> Standing:
    """Leave ``quorums`` (the stake stays slashable for the deallocation delay)."""
    reader = ChainReader(writer.client, writer.deployment)
    before = read_standing(reader, writer.address, keypair)
    leaving = [q for q in quorums if q in before.quorums]
    if not leaving:
        progress("not registered in any of these quorums; nothing to do")
        return before
    writer.deregister_operator(leaving)
    progress(f"left quorums {leaving}; the stake stays slashable for the deallocation delay")
    return read_standing(reader, writer.address, keypair)


def _ensure_tokens(
    writer: ChainWriter, reader: ChainReader, amount: int, devnet_mint: bool, progress: Progress
) -> None:
    balance = reader.token_balance(writer.address)
    if balance >= amount:
        return
    if not devnet_mint:
        raise ChainError(
            f"{writer.address} holds {balance} staking-token units but needs {amount}; "
            "acquire tokens first (on a devnet pass --devnet-mint)"
        )
    deployer_key = _dev_key_of(writer.deployment.deployer)
    if deployer_key is None:
        raise ChainError(
            "--devnet-mint works only when the deployer is an anvil development account; "
            "ask the token owner for tokens"
        )
    minter = ChainWriter(writer.client.with_account(deployer_key), writer.deployment)
    minter.mint(writer.address, amount - balance)
    progress(f"minted {amount - balance} devnet staking-token units (devnet only)")


def _dev_key_of(address: str) -> str | None:
    for key in DEV_PRIVATE_KEYS:
        if Account.from_key(key).address.lower() == address.lower():
            return key
    return None
