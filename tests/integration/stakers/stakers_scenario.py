"""A devnet with honest, faulty and sometimes-offline operators, and what the test knows.

Four operators (stake in tokens; quorum 0 and 1, thresholds 50%):
- op0 (10, quorum 0): honest, offline for task 8;
- op1 (20, quorum 0): offline for tasks 1 and 3, ejected at the end;
- op2 (30 split over quorums 0 and 1): signs a wrong result on exact task 2 and is
  slashed for it (on-chain re-execution proves the wrong label); offline for task 4;
- op3 (40, quorum 1): honest; a staker delegates 50 more tokens to it.
Task 5 expires uncertified (and is refunded); task 9 stays pending. op0 claims its fees for
tasks 0 and 1. The truth recorded here comes from the test's own actions and from the
contracts' view functions, never from the stakers' code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account

from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem, OnboardedOperator
from avs.chain.views import FeeClaim
from avs.chain.writer import ChainWriter
from avs.protocol import Task, result_digest
from avs.tasks.int_mlp_weights import digits_encoding
from avs.testing.exact_tasks import ExactInputs

E18 = 10**18
QUORUMS = {0: [0], 1: [0], 2: [0, 1], 3: [1]}
STAKES = {0: 10 * E18, 1: 20 * E18, 2: 30 * E18, 3: 40 * E18}
DELEGATED = 50 * E18
PARAMS = DeployParams(
    quorum_count=2,
    min_threshold_bps=5_000,
    withdrawal_delay_blocks=40,
    deallocation_delay_blocks=40,
    max_response_window_blocks=10,
    challenge_window_blocks=20,
)
RESULT = b"\x07\x01"
WINDOW = 10
EXACT = ExactInputs.digits(2)


@dataclass(frozen=True, slots=True)
class Plan:
    """One task: quorums, who signs (None: nobody certifies), blocks to wait first."""

    quorums: tuple[int, ...]
    signers: tuple[int, ...] | None
    delay: int = 0
    exact: bool = True


PLANS = (
    Plan((0,), (0, 1, 2)),  # 0: everyone
    Plan((0,), (0, 2)),  # 1: op1 offline
    Plan((0,), (0, 1)),  # 2: op2 signs a wrong result (slashed later)
    Plan((0, 1), (0, 2, 3), delay=2),  # 3: op1 offline, slower certificate
    Plan((1,), (3,)),  # 4: op2 offline
    Plan((0,), None),  # 5: expires
    Plan((0, 1), (0, 1, 2, 3), exact=False),  # 6: everyone, float model
    Plan((0,), (0, 1, 2), delay=4),  # 7: everyone, slow certificate
    Plan((0,), (1, 2)),  # 8: op0 offline
)
DISSENT_TASK = 2


@dataclass
class Truth:
    """What the test did and what the contracts say about it."""

    system: DevSystem
    staker: str
    tasks: list[Task] = field(default_factory=list)
    signers: dict[int, set[int]] = field(default_factory=dict)
    """Certified task index -> operator indexes that signed."""
    latency: dict[int, int] = field(default_factory=dict)
    """Certified task index -> certification block - creation block."""
    expired: set[int] = field(default_factory=set)
    pending: int = -1
    claimed: dict[int, int] = field(default_factory=dict)
    """Operator index -> wei it was paid by claimFees."""
    unclaimed: dict[int, int] = field(default_factory=dict)
    """Operator index -> wei a claimFees for its other signed tasks would pay (eth_call)."""
    slash_tx: bytes = b""
    shares_slashed: int = 0
    stake_now: dict[tuple[int, int], int] = field(default_factory=dict)
    """(operator index, quorum) -> registry stake now (view)."""
    total_now: dict[int, int] = field(default_factory=dict)
    deployment_file: Path = Path()
    head: int = 0

    @property
    def ops(self) -> list[OnboardedOperator]:
        """Operators by index."""
        return self.system.operators

    def assigned(self, i: int) -> list[int]:
        """Settled tasks operator i was in a quorum of (nobody changed quorums meanwhile)."""
        return [
            t.task_index
            for t in self.tasks
            if t.task_index != self.pending and set(t.quorums) & set(QUORUMS[i])
        ]


def _certify(dev: DevSystem, task: Task, plan: Plan, truth: Truth) -> None:
    assert plan.signers is not None
    if plan.delay:
        dev.mine(plan.delay)
    signers = [dev.operators[i] for i in plan.signers]
    result = EXACT.correct if plan.exact else RESULT
    sigs = dev.sign(task, result, signers)
    cert = dev.reader.build_certificate(task, result_digest(result), sigs)
    receipt = dev.owner.respond_to_task(task, cert)
    truth.signers[task.task_index] = set(plan.signers)
    truth.latency[task.task_index] = receipt.block_number - task.created_block


def _fee_claims(dev: DevSystem, truth: Truth, i: int, indexes: list[int]) -> list[FeeClaim]:
    claims = []
    for index in indexes:
        certified = dev.reader.certification(index)
        assert certified is not None
        claims.append(FeeClaim(truth.tasks[index], certified))
    return claims


def build(client: ChainClient, out_dir: Path) -> Truth:
    """Deploy, run the scenario, and return the truth."""
    dev = DevSystem.deploy(client, PARAMS)
    dev.add_operators(4, QUORUMS.__getitem__, STAKES.__getitem__, seed=b"stakers")
    staker = Account.from_key(b"\x5b" * 32)
    client.send_value(staker.address, 10 * E18)
    dev.owner.mint(staker.address, DELEGATED)
    staker_writer = ChainWriter(client.with_account(staker.key), dev.deployment)
    staker_writer.deposit(DELEGATED)
    staker_writer.delegate_to(dev.operators[3].address)
    dev.owner.update_operators([dev.operators[3].address])
    exact = dev.register_model("int-mlp", name=b"exact", encoding=digits_encoding())
    inexact = dev.register_model("onnx-classify", name=b"float")
    truth = Truth(dev, str(staker.address))

    for plan in PLANS:
        model = exact if plan.exact else inexact
        task = dev.create_task(
            model, list(plan.quorums), inputs=list(EXACT.leaves), threshold_bps=5_000,
            window=WINDOW,
        )  # fmt: skip
        truth.tasks.append(task)
        if plan.signers is None:
            truth.expired.add(task.task_index)
        else:
            _certify(dev, task, plan, truth)

    # op2 signed a wrong result on task 2; anyone may prove it by re-execution
    op2 = dev.operators[2]
    task2 = truth.tasks[DISSENT_TASK]
    certified = dev.reader.certification(DISSENT_TASK)
    assert certified is not None
    wrong = EXACT.wrong(1)
    evidence = dev.sign(task2, wrong, [op2])[op2.operator_id]
    shares_before = dev.reader.operator_shares(op2.address)
    receipt = dev.owner.slash_wrong_result(
        task2, op2.address, op2.keypair.pubkey_g2, (result_digest(wrong), evidence),
        EXACT.proof(wrong, 1), certified.certification_hash,
    )  # fmt: skip
    truth.slash_tx = receipt.tx_hash
    truth.shares_slashed = shares_before - dev.reader.operator_shares(op2.address)

    # expiry and refund of task 5; every challenge window closes, so fees are claimable
    dev.mine(WINDOW + PARAMS.challenge_window_blocks + 1)
    dev.owner.refund_expired_task(truth.tasks[5])

    # op0 claims tasks 0 and 1; what the others could claim is asked of the contract itself
    op0 = dev.operators[0]
    truth.claimed[0], _ = op0.writer.claim_fees(_fee_claims(dev, truth, 0, [0, 1]))
    for i, op in enumerate(dev.operators):
        done = {0, 1} if i == 0 else set()
        signed = sorted(t for t, s in truth.signers.items() if i in s and t not in done)
        claims = [c.as_abi() for c in _fee_claims(dev, truth, i, signed)]
        truth.unclaimed[i] = int(op.writer.client.call1(dev.owner.tasks, "claimFees", claims))

    # op1 is ejected from quorum 0 (the deployer is the ejector)
    client.transact(dev.owner.registry, "ejectOperator", dev.operators[1].address, bytes([0]))

    # one task left open
    pending = dev.create_task(
        exact, [0], inputs=list(EXACT.leaves), threshold_bps=5_000, window=WINDOW
    )
    truth.tasks.append(pending)
    truth.pending = pending.task_index

    for i, op in enumerate(dev.operators):
        for q in (0, 1):
            truth.stake_now[(i, q)] = dev.reader.stake(op.operator_id, q)
    for q in (0, 1):
        truth.total_now[q] = dev.reader.total_stake(q)
    truth.deployment_file = out_dir / "deployment.json"
    dev.deployment.save(truth.deployment_file)
    truth.head = client.block_number()
    return truth
