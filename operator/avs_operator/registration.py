"""``avs operator register / deregister / status`` on top of avs.chain's reader and writer.

Registration is idempotent: each step (become an operator, deposit, allocate, join the
quorums with the BLS key and its proof of possession) is skipped when the chain shows it
done, so a run interrupted half-way can simply be repeated.
"""

from __future__ import annotations

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


def register(
    writer: ChainWriter,
    keypair: KeyPair,
    quorums: Sequence[int],
    stake: int,
    progress: Progress,
    devnet_mint: bool = False,
    metadata_uri: str = "",
) -> Standing:
    """Deposit ``stake``, delegate to self, allocate, and join ``quorums`` with the PoP;
    ``metadata_uri`` is published when becoming an operator."""
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
    if not before.is_operator:
        writer.register_as_operator(metadata_uri)
        progress("registered as an operator in the delegation manager (self-delegated)")
    if reader.operator_shares(me) < stake:
        needed = stake - reader.operator_shares(me)
        _ensure_tokens(writer, reader, needed, devnet_mint, progress)
        writer.deposit(needed)
        progress(f"deposited {needed} staking-token units into the strategy")
    if not before.quorums:
        writer.allocate(magnitudes(quorums))
        progress(f"allocated stake to quorums {list(quorums)}")
    writer.register_operator(missing, keypair if before.registered_id == ZERO_ID else None)
    progress(f"joined quorums {missing} with BLS operator id 0x{keypair.operator_id.hex()}")
    return read_standing(reader, me, keypair)


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
