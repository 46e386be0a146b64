"""Devnet conveniences: fund and onboard operators in one call (any chain with a DevnetToken).

The devnet and the integration tests use this; production operators run the same steps one
by one through ``avs operator register``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount

from avs.chain.bulk import BulkCall, send_in_blocks
from avs.chain.client import ChainClient
from avs.chain.delivery import ConsumerRequest
from avs.chain.deploy import deploy_system
from avs.chain.deployment import Deployment, DeployParams
from avs.chain.reader import ChainReader
from avs.chain.types import Receipt
from avs.chain.verifiers import deploy_int_mlp_verifier
from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, R
from avs.protocol import QuorumCertificate, Task, inputs_root, message_hash, result_digest

WAD = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DEFAULT_GAS_FUNDING = 10 * 10**18
DEVNET_GAS = 3_000_000
"""Gas limit devkit transactions send with instead of estimating each one."""


@dataclass(frozen=True, slots=True)
class OnboardedOperator:
    """An operator that is registered, staked, allocated and in its quorums."""

    account: LocalAccount
    """Its ECDSA account (devnet keys only)."""
    keypair: KeyPair
    """Its BLS key."""
    writer: ChainWriter
    """A writer that signs as the operator."""
    stake: int
    """Tokens deposited."""
    magnitudes: Mapping[int, int]
    """Allocated magnitude per quorum (1e18 = all stake)."""

    @property
    def address(self) -> str:
        """Operator address."""
        return str(self.account.address)

    @property
    def operator_id(self) -> bytes:
        """keccak256 of its G1 key."""
        return self.keypair.operator_id


def even_split(quorums: list[int]) -> dict[int, int]:
    """Magnitudes spreading all stake evenly over ``quorums``."""
    return {q: WAD // len(quorums) for q in quorums}


def onboard_operator(
    owner: ChainWriter,
    deployment: Deployment,
    account_key: bytes | str,
    keypair: KeyPair,
    stake: int,
    magnitudes: Mapping[int, int],
    *,
    gas_funding: int = DEFAULT_GAS_FUNDING,
) -> OnboardedOperator:
    """Fund ``account_key`` with ETH and tokens from the deployer, then register it as an
    operator with ``stake`` allocated per ``magnitudes`` and join those quorums."""
    account: LocalAccount = Account.from_key(account_key)
    if gas_funding:
        owner.client.send_value(account.address, gas_funding)
    owner.mint(account.address, stake)
    writer = ChainWriter(owner.client.with_account(account.key), deployment)
    writer.onboard_operator(keypair, stake, magnitudes)
    return OnboardedOperator(account, keypair, writer, stake, dict(magnitudes))


def dev_secrets(seed: bytes, index: int) -> tuple[bytes, int]:
    """Deterministic (ECDSA key, BLS secret) for devnet operator ``index`` (never real funds)."""
    ecdsa = keccak256(b"edge-avs/dev/ecdsa/" + seed + index.to_bytes(4, "big"))
    bls = int.from_bytes(keccak256(b"edge-avs/dev/bls/" + seed + index.to_bytes(4, "big")), "big")
    return ecdsa, bls % (R - 1) + 1


class DevSystem:
    """A deployment plus deterministic operators, with task and certificate helpers."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        self.owner = ChainWriter(client, deployment)
        self.reader = ChainReader(client, deployment)
        self.operators: list[OnboardedOperator] = []

    @classmethod
    def deploy(cls, client: ChainClient, params: DeployParams | None = None) -> DevSystem:
        """Deploy a fresh system owned by ``client``'s account."""
        return cls(client, deploy_system(client, params))

    def add_operators(
        self,
        count: int,
        quorums_for: Callable[[int], list[int]],
        stake_for: Callable[[int], int],
        *,
        seed: bytes = b"tests",
        bulk: bool = False,
    ) -> list[OnboardedOperator]:
        """Onboard ``count`` more operators; operator i joins ``quorums_for(i)`` (stake split
        evenly) with ``stake_for(i)`` tokens. ``bulk`` sends the same transactions in few
        blocks (:meth:`_add_in_bulk`; a node that mines on request, like anvil)."""
        first = len(self.operators)
        if bulk:
            return self._add_in_bulk(range(first, first + count), quorums_for, stake_for, seed)
        owner = ChainWriter(self.client.with_fixed_gas(DEVNET_GAS), self.deployment)

        def one(i: int) -> OnboardedOperator:
            key, secret = dev_secrets(seed, i)
            return onboard_operator(
                owner,
                self.deployment,
                key,
                KeyPair.from_secret(secret),
                stake_for(i),
                even_split(quorums_for(i)),
            )

        # independent accounts: onboard a few at once (the owner's sends stay serialised)
        with ThreadPoolExecutor(max_workers=4) as pool:
            added = list(pool.map(one, range(first, first + count)))
        self.operators.extend(added)
        return added

    def _add_in_bulk(
        self,
        indices: range,
        quorums_for: Callable[[int], list[int]],
        stake_for: Callable[[int], int],
        seed: bytes,
    ) -> list[OnboardedOperator]:
        """Funding in a first round of blocks, then every operator's onboarding calls
        (:meth:`ChainWriter.onboarding_calls`) in a second."""
        funding: list[BulkCall] = []
        onboarding: list[BulkCall] = []
        added = []
        for i in indices:
            key, secret = dev_secrets(seed, i)
            account: LocalAccount = Account.from_key(key)
            keypair = KeyPair.from_secret(secret)
            stake, magnitudes = stake_for(i), even_split(quorums_for(i))
            owner = self.owner.client.account
            funding.append(BulkCall(owner, None, value=DEFAULT_GAS_FUNDING, to=account.address))
            funding.append(BulkCall(owner, self.owner.token, "mint", (account.address, stake)))
            writer = ChainWriter(self.client.with_account(key), self.deployment)
            onboarding += [
                BulkCall(account, contract, fn, args)
                for contract, fn, args in writer.onboarding_calls(keypair, stake, magnitudes)
            ]
            added.append(OnboardedOperator(account, keypair, writer, stake, magnitudes))
        send_in_blocks(self.client, funding)
        send_in_blocks(self.client, onboarding)
        self.operators.extend(added)
        return added

    def register_model(
        self,
        task_type: str = "int-mlp",
        fee_per_input: int = 10**12,
        name: bytes = b"model",
        *,
        encoding: bytes | None = None,
    ) -> bytes:
        """Register a model for ``task_type``; returns its id. An exact model needs the
        canonical ``encoding`` its verifier (deployed here) commits to."""
        model_id = keccak256(b"edge-avs/dev/model/" + name + task_type.encode())
        verifier = ZERO_ADDRESS
        if encoding is not None:
            verifier = deploy_int_mlp_verifier(self.client, encoding)
        self.owner.register_model(
            model_id,
            keccak256(name),
            task_type,
            f"file:///{name.decode()}.onnx",
            fee_per_input,
            verifier,
        )
        return model_id

    def mine(self, blocks: int = 1) -> None:
        """Mine empty blocks (anvil_mine)."""
        self.client.rpc("anvil_mine", [hex(blocks)])

    def close_challenge_window(self, task: Task) -> None:
        """Mine until the task's challenge window closed (its fees become claimable)."""
        last = task.deadline_block + self.deployment.params.challenge_window_blocks
        head = self.client.block_number()
        if head <= last:
            # past it already in the latest block, where gas estimates run, not only in the
            # block the next transaction lands in
            self.mine(last - head + 1)

    def create_task(
        self,
        model_id: bytes,
        quorums: list[int],
        *,
        inputs: list[bytes] | None = None,
        threshold_bps: int = 6_667,
        window: int | None = None,
        writer: ChainWriter | None = None,
        consumer: ConsumerRequest | None = None,
        bounty: int = 0,
    ) -> Task:
        """Create a task paying the model's fee (and ``bounty`` for delivering to
        ``consumer``), then mine a block so it can be certified."""
        inputs = inputs or [b"input-0"]
        window = window or self.deployment.params.max_response_window_blocks
        fee = self.reader.model(model_id).fee_per_input * len(inputs)
        task, _ = (writer or self.owner).create_task(
            model_id, inputs_root(inputs), len(inputs), "avs-blob://0x00", quorums,
            threshold_bps, window, fee, consumer, bounty,
        )  # fmt: skip
        self.mine()
        return task

    def sign(
        self, task: Task, result: bytes, signers: list[OnboardedOperator]
    ) -> dict[bytes, G1Point]:
        """Each signer's signature on (task, result)."""
        msg = message_hash(self.reader.task_hash(task), result)
        return {op.operator_id: op.keypair.sign(msg) for op in signers}

    def certify(
        self, task: Task, result: bytes, signers: list[OnboardedOperator]
    ) -> tuple[QuorumCertificate, Receipt]:
        """Build a certificate from ``signers`` and submit it (with the result bytes when the
        task has a consumer)."""
        certificate = self.reader.build_certificate(
            task, result_digest(result), self.sign(task, result, signers)
        )
        with_bytes = self.reader.delivery(task.task_index).has_consumer
        return certificate, self.owner.respond_to_task(
            task, certificate, result if with_bytes else None
        )
