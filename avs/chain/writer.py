"""Typed transactions against a deployment: operator onboarding, tasks, fees, slashing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from avs.chain.client import ChainClient, Contract
from avs.chain.delivery import ConsumerRequest
from avs.chain.deployment import Deployment
from avs.chain.events import TaskCreated, decode_events
from avs.chain.evidence import ReExecutionProof, certification_abi
from avs.chain.handles import DeploymentHandles
from avs.chain.types import Receipt
from avs.chain.views import CertifiedTask, FeeClaim, Withdrawal
from avs.crypto.bls import KeyPair, sign_registration
from avs.crypto.bn254 import g1_to_evm, g2_to_evm
from avs.crypto.points import G1Point, G2Point
from avs.errors import ChainError
from avs.protocol import QuorumCertificate, Task

WAD = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
REGISTRATION_TYPE_NORMAL = 0
_NO_KEY: tuple[Any, ...] = ((0, 0), (0, 0), ([0, 0], [0, 0]))
_REGISTRATION_DATA = [
    "uint8",
    "string",
    "((uint256,uint256),(uint256,uint256),(uint256[2],uint256[2]))",
]


def registration_data(registration: tuple[Any, ...] | None, socket: str = "") -> bytes:
    """The registrar ``data`` EigenLayer's middleware and SDKs send: abi.encode(registration
    type (normal), socket, PubkeyRegistrationParams); all-zero params once a key is registered."""
    from eth_abi.abi import encode as abi_encode

    return abi_encode(
        _REGISTRATION_DATA, [REGISTRATION_TYPE_NORMAL, socket, registration or _NO_KEY]
    )


class ChainWriter(DeploymentHandles):
    """Sends transactions for one account (the client's) against one deployment."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        super().__init__(client, deployment)
        self._avs = deployment.contracts["ServiceManager"]

    @property
    def address(self) -> str:
        """The sending account."""
        return self.client.address

    # ------------------------------------------------------------------ staking

    def mint(self, to: str, amount: int) -> Receipt:
        """Mint devnet staking tokens (deployer only)."""
        return self.client.transact(self.token, "mint", to, amount)

    def deposit(self, amount: int) -> Receipt:
        """Approve and deposit ``amount`` staking tokens into the deployment's strategy."""
        self.client.transact(self.token, "approve", self.strategy_manager.address, amount)
        return self.client.transact(
            self.strategy_manager,
            "depositIntoStrategy",
            self.deployment.strategy,
            self.deployment.token,
            amount,
        )

    def register_as_operator(
        self,
        metadata_uri: str = "",
        allocation_delay: int = 0,
        delegation_approver: str = ZERO_ADDRESS,
    ) -> Receipt:
        """Become an operator (self-delegated) with ``allocation_delay`` blocks between an
        allocation and the moment it counts (EigenLayer ``registerAsOperator``)."""
        return self.client.transact(
            self.delegation,
            "registerAsOperator",
            delegation_approver,
            allocation_delay,
            metadata_uri,
        )

    def set_allocation_delay(self, delay: int) -> Receipt:
        """Change this operator's allocation delay (applies after the configuration delay)."""
        return self.client.transact(self.allocations, "setAllocationDelay", self.address, delay)

    def delegate_to(
        self,
        operator: str,
        approver_signature: bytes = b"",
        expiry: int = 0,
        salt: bytes = bytes(32),
    ) -> Receipt:
        """Delegate this staker's shares to ``operator`` (with its approver's signature when
        the operator has a delegation approver)."""
        return self.client.transact(
            self.delegation, "delegateTo", operator, (approver_signature, expiry), salt
        )

    def allocate(self, magnitudes: Mapping[int, int]) -> Receipt:
        """Set the allocated magnitude (1e18 = all stake) of this operator per quorum."""
        params = self._allocations(magnitudes)
        return self.client.transact(self.allocations, "modifyAllocations", self.address, params)

    def _allocations(self, magnitudes: Mapping[int, int]) -> list[tuple[Any, ...]]:
        """AllocateParams per quorum (operator set) in the deployment's strategy."""
        return [
            ((self._avs, quorum), [self.deployment.strategy], [magnitude])
            for quorum, magnitude in sorted(magnitudes.items())
        ]

    def queue_withdrawal(self, deposit_shares: int) -> Withdrawal:
        """Queue a withdrawal of ``deposit_shares`` from the strategy; returns it for completion."""
        params = [([self.deployment.strategy], [deposit_shares], ZERO_ADDRESS)]
        receipt = self.client.transact(self.delegation, "queueWithdrawals", params)
        return self._withdrawals(receipt)[0]

    def undelegate(self, staker: str | None = None) -> list[Withdrawal]:
        """Undelegate ``staker`` (default: this account), queueing withdrawals of everything."""
        receipt = self.client.transact(self.delegation, "undelegate", staker or self.address)
        return self._withdrawals(receipt)

    def _withdrawals(self, receipt: Receipt) -> list[Withdrawal]:
        return [
            Withdrawal.from_abi(v["withdrawal"])
            for v in self.delegation.decode_logs(receipt.logs, "SlashingWithdrawalQueued")
        ]

    def complete_withdrawal(self, withdrawal: Withdrawal, as_tokens: bool = True) -> Receipt:
        """Complete a queued withdrawal after the delay: tokens to the staker, or shares again."""
        tokens = [self.deployment.token] * len(withdrawal.strategies)
        return self.client.transact(
            self.delegation, "completeQueuedWithdrawal", withdrawal.as_abi(), tokens, as_tokens
        )

    # ------------------------------------------------------------------ registry

    def registration_params(self, keypair: KeyPair) -> tuple[Any, ...]:
        """PubkeyRegistrationParams for this account: PoP, pk1, pk2 (EVM encoding)."""
        sigma = sign_registration(
            keypair, self.address, self.registry.address, self.deployment.chain_id
        )
        return (g1_to_evm(sigma), g1_to_evm(keypair.pubkey_g1), g2_to_evm(keypair.pubkey_g2))

    def register_operator(
        self,
        quorum_numbers: Sequence[int],
        keypair: KeyPair | None = None,
        registration: tuple[Any, ...] | None = None,
        socket: str = "",
    ) -> Receipt:
        """Join quorums through the allocation manager; the first time, pass the BLS key."""
        if registration is None and keypair is not None:
            registration = self.registration_params(keypair)
        data = registration_data(registration, socket)
        return self.client.transact(
            self.allocations,
            "registerForOperatorSets",
            self.address,
            (self._avs, list(quorum_numbers), data),
        )

    def deregister_operator(self, quorum_numbers: Sequence[int]) -> Receipt:
        """Leave quorums (stays slashable for the deallocation delay)."""
        return self.client.transact(
            self.allocations,
            "deregisterFromOperatorSets",
            (self.address, self._avs, list(quorum_numbers)),
        )

    def update_operators(self, operators: Sequence[str], gas: int | None = None) -> Receipt:
        """Refresh recorded stakes of ``operators`` (anyone may call)."""
        return self.client.transact(self.registry, "updateOperators", list(operators), gas=gas)

    def onboard_operator(
        self, keypair: KeyPair, stake: int, magnitudes: Mapping[int, int]
    ) -> Receipt:
        """Register as operator (allocation delay 0), deposit ``stake`` (already owned),
        allocate, and join the quorums of ``magnitudes``."""
        receipt = None
        for contract, fn, args in self.onboarding_calls(keypair, stake, magnitudes):
            receipt = self.client.transact(contract, fn, *args)
        assert receipt is not None
        return receipt

    def onboarding_calls(
        self, keypair: KeyPair, stake: int, magnitudes: Mapping[int, int]
    ) -> list[tuple[Contract, str, tuple[Any, ...]]]:
        """The calls of :meth:`onboard_operator`, in order: registerAsOperator, approve,
        depositIntoStrategy, modifyAllocations, registerForOperatorSets (with the key's
        proof of possession). Bulk senders (:mod:`avs.chain.bulk`) send the same calls."""
        registration = registration_data(self.registration_params(keypair))
        return [
            (self.delegation, "registerAsOperator", (ZERO_ADDRESS, 0, "")),
            (self.token, "approve", (self.strategy_manager.address, stake)),
            (
                self.strategy_manager,
                "depositIntoStrategy",
                (self.deployment.strategy, self.deployment.token, stake),
            ),
            (self.allocations, "modifyAllocations", (self.address, self._allocations(magnitudes))),
            (
                self.allocations,
                "registerForOperatorSets",
                (self.address, (self._avs, sorted(magnitudes), registration)),
            ),
        ]

    # ------------------------------------------------------------------ models

    def register_task_type(self, task_type: str, exact: bool) -> Receipt:
        """Register a task type (owner only)."""
        return self.client.transact(self.models, "registerTaskType", task_type, exact)

    def register_model(
        self,
        model_id: bytes,
        content_hash: bytes,
        task_type: str,
        uri: str,
        fee_per_input: int,
        verifier: str = "0x0000000000000000000000000000000000000000",
    ) -> Receipt:
        """Register a model (owner only)."""
        return self.client.transact(
            self.models,
            "registerModel",
            model_id,
            content_hash,
            task_type,
            uri,
            fee_per_input,
            verifier,
        )

    # ------------------------------------------------------------------ tasks

    def create_task(
        self,
        model_id: bytes,
        inputs_root: bytes,
        input_count: int,
        inputs_uri: str,
        quorum_numbers: Sequence[int],
        threshold_bps: int,
        response_window_blocks: int,
        fee: int,
        consumer: ConsumerRequest | None = None,
        bounty: int = 0,
    ) -> tuple[Task, Receipt]:
        """Create a task paying ``fee`` wei (feePerInput x inputCount); returns the task. With
        ``consumer`` its certified result is delivered to that contract, and ``bounty`` more
        wei are escrowed for whoever makes the delivery (it pays the callback's gas)."""
        args = (
            model_id,
            inputs_root,
            input_count,
            inputs_uri,
            bytes(quorum_numbers),
            threshold_bps,
            response_window_blocks,
        )
        if consumer is None:
            receipt = self.client.transact(self.tasks, "createTask", *args, value=fee)
        else:
            receipt = self.client.transact(
                self.tasks,
                "createTaskWithConsumer",
                *args,
                consumer.as_abi(),
                value=fee + bounty,
            )
        for event in decode_events(self.event_contracts, list(receipt.logs)):
            if isinstance(event, TaskCreated):
                return event.task, receipt
        raise ChainError("createTask emitted no TaskCreated event")

    def respond_to_task(
        self, task: Task, certificate: QuorumCertificate, result: bytes | None = None
    ) -> Receipt:
        """Submit ``certificate`` for ``task``; a task with a consumer needs the ``result``
        bytes (they must hash to the certified digest). It may be sent in the task's own block
        (the estimate runs in the pending block, where the reference block is in the past)."""
        if result is None:
            return self.client.transact(
                self.tasks,
                "respondToTask",
                task.as_abi(),
                certificate.result_digest,
                certificate.as_abi(),
                estimate_at="pending",
            )
        return self.client.transact(
            self.tasks,
            "respondToTaskWithResult",
            task.as_abi(),
            result,
            certificate.as_abi(),
            estimate_at="pending",
        )

    def finalize(self, task_index: int, result: bytes, gas: int | None = None) -> Receipt:
        """Deliver a task's result to its consumer after the challenge window (anyone)."""
        return self.client.transact(
            self.tasks, "finalize", task_index, result, gas=gas, estimate_at="pending"
        )

    def retry_delivery(self, task_index: int, result: bytes) -> Receipt:
        """Call the consumer once more after a failed delivery (the client only)."""
        return self.client.transact(self.tasks, "retryDelivery", task_index, result)

    def claim_fees(self, claims: Sequence[FeeClaim]) -> tuple[int, Receipt]:
        """Claim this operator's fee share of certified tasks; returns (wei paid, receipt).
        Estimated in the pending block, where it lands: at the latest block a claim sent
        right after a challenge window closed reverts ChallengeWindowOpen in the estimate."""
        receipt = self.client.transact(
            self.tasks, "claimFees", [claim.as_abi() for claim in claims], estimate_at="pending"
        )
        paid = sum(v["amount"] for v in self.tasks.decode_logs(receipt.logs, "FeesClaimed"))
        return paid, receipt

    def refund_expired_task(self, task: Task) -> Receipt:
        """Refund an expired, uncertified task to its client (anyone may call); estimated in
        the pending block, where it lands (right after the deadline, the latest block is not
        yet past it)."""
        return self.client.transact(
            self.tasks, "refundExpiredTask", task.as_abi(), estimate_at="pending"
        )

    # ------------------------------------------------------------------ slashing

    def slash_equivocation(
        self,
        task: Task,
        operator: str,
        pubkey_g2: G2Point,
        first: tuple[bytes, G1Point],
        second: tuple[bytes, G1Point],
        outcome: bytes = bytes(32),
    ) -> Receipt:
        """Submit two signatures of ``operator`` on different results of ``task``.

        ``outcome`` is 32 zero bytes for a pending task, else the task's certification hash
        (or the refunded marker).
        """
        args = (
            task.as_abi(),
            outcome,
            operator,
            g2_to_evm(pubkey_g2),
            (first[0], g1_to_evm(first[1])),
            (second[0], g1_to_evm(second[1])),
        )
        return self._send_or_simulate("slashEquivocation", args, dry_run=False)

    def slash_wrong_result(
        self,
        task: Task,
        operator: str,
        pubkey_g2: G2Point,
        evidence: tuple[bytes, G1Point],
        proof: ReExecutionProof,
        outcome: bytes = bytes(32),
        *,
        dry_run: bool = False,
    ) -> Receipt:
        """Prove that ``operator`` signed a result whose entry ``proof.index`` is wrong.

        ``outcome`` is the task's record outcome, as for :meth:`slash_equivocation`. With
        ``dry_run`` only an eth_call runs (a revert raises ContractRevert), nothing is sent,
        and the receipt returned is empty.
        """
        args = (
            task.as_abi(),
            outcome,
            operator,
            g2_to_evm(pubkey_g2),
            (evidence[0], g1_to_evm(evidence[1])),
            proof.as_abi(),
        )
        return self._send_or_simulate("slashWrongResult", args, dry_run)

    def challenge_certificate(
        self,
        task: Task,
        certified: CertifiedTask,
        proof: ReExecutionProof,
        signers: Sequence[str],
        *,
        dry_run: bool = False,
    ) -> Receipt:
        """Overturn a wrong certificate; ``signers`` are all its signers, ascending by id.

        With ``dry_run`` only an eth_call runs (a revert raises ContractRevert), nothing is
        sent, and the receipt returned is empty.
        """
        args = (task.as_abi(), certification_abi(certified), proof.as_abi(), list(signers))
        return self._send_or_simulate("challengeCertificate", args, dry_run)

    def _send_or_simulate(self, fn: str, args: tuple[Any, ...], dry_run: bool) -> Receipt:
        """Evidence against the pending block: every aggregator and watchtower that holds
        the same evidence sends it, and the pending block holds a competitor's evidence
        still in the mempool, so a duplicate reverts in the estimate (no gas) instead of
        being mined and reverting (~400k gas for a wrong-result proof)."""
        if not dry_run:
            return self.client.transact(self.slashing, fn, *args, estimate_at="pending")
        self.client.call(self.slashing, fn, *args, block="pending")
        return Receipt(b"", 0, 0, 0, (), None)

    def withdraw_credit(self) -> Receipt:
        """Withdraw refunds and challenge rewards credited to this account."""
        return self.client.transact(self.tasks, "withdrawCredit")

    def fund_challenge_rewards(self, amount: int) -> Receipt:
        """Add ``amount`` wei to the pool that pays challengers."""
        return self.client.transact(self.tasks, "fundChallengeRewards", value=amount)
