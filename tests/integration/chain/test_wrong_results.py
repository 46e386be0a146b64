"""Re-execution faults on real contracts: a wrong result or a wrong certificate of an exact
task type is proven by re-executing one input on chain; every forged, stale, duplicated,
wrong-index or wrong-path proof is refused, honest operators are never slashed, and a task
is never both overturned and paid."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account import Account

from avs.chain.client import Contract
from avs.chain.devkit import OnboardedOperator
from avs.chain.events import FAULT_WRONG_CERTIFICATE, FAULT_WRONG_RESULT
from avs.chain.views import CertifiedTask, FeeClaim, TaskStatus
from avs.chain.writer import ChainWriter
from avs.errors import ContractRevert
from avs.tasks.int_mlp_weights import digits_encoding
from avs.testing.exact_tasks import ExactTask, create_exact_task, signed

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration

REWARD_POOL = 10**16


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def revert(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return err.value.error_name


def by_id(ops: list[OnboardedOperator]) -> list[str]:
    return [op.address for op in sorted(ops, key=lambda op: op.operator_id)]


def stranger(system: SmallSystem) -> ChainWriter:
    account = Account.from_key(b"\x3c" * 32)
    system.dev.client.send_value(account.address, E18)
    return ChainWriter(system.dev.client.with_account(account.key), system.dev.deployment)


def slash_event(system: SmallSystem, receipt: object) -> list[dict[str, object]]:
    contract = system.dev.deployment.contract("SlashingManager")
    return contract.decode_logs(receipt.logs, "OperatorSlashed")  # type: ignore[attr-defined]


def test_wrong_result_is_slashed_once_and_honest_results_never(
    small_system: SmallSystem,
) -> None:
    dev = small_system.dev
    op0, op1 = dev.operators[0], dev.operators[1]
    exact = create_exact_task(dev, small_system.exact_model)
    wrong = exact.wrong(1)
    slash = stranger(small_system).slash_wrong_result
    pk0 = op0.keypair.pubkey_g2

    receipt = slash(
        exact.task, op0.address, pk0, signed(dev, exact.task, op0, wrong), exact.proof(wrong)
    )
    (event,) = slash_event(small_system, receipt)
    assert event["fault"] == FAULT_WRONG_RESULT
    assert event["sharesSlashed"] == E18 // 2  # 5% of 10e18
    assert dev.reader.operator_shares(op0.address) == 95 * E18 // 10
    assert dev.reader.is_slashed(exact.task.task_index, op0.operator_id, FAULT_WRONG_RESULT)
    again = revert(
        slash, exact.task, op0.address, pk0, signed(dev, exact.task, op0, wrong), exact.proof(wrong)
    )
    assert again == "AlreadySlashed"

    # the honest operator's correct result cannot be "proven" wrong at any index
    honest = signed(dev, exact.task, op1, exact.correct)
    for index in range(len(exact.leaves)):
        name = revert(
            slash, exact.task, op1.address, op1.keypair.pubkey_g2, honest,
            exact.proof(exact.correct, index),
        )  # fmt: skip
        assert name == "ResultEntryCorrect"
    assert dev.reader.operator_shares(op1.address) == 20 * E18


def test_wrong_result_evidence_is_checked(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op0, op1 = dev.operators[0], dev.operators[1]
    exact = create_exact_task(dev, small_system.exact_model)
    task, wrong = exact.task, exact.wrong(1)
    pk0 = op0.keypair.pubkey_g2
    evidence = signed(dev, task, op0, wrong)
    proof = exact.proof(wrong)
    slash = dev.owner.slash_wrong_result

    # wrong index: entry 0 of the wrong result is right
    assert revert(slash, task, op0.address, pk0, evidence, exact.proof(wrong, 0)) == (
        "ResultEntryCorrect"
    )
    # wrong Merkle path, and another input passed off as input 1
    bad_path = replace(proof, input_proof=(bytes(32), *proof.input_proof[1:]))
    assert revert(slash, task, op0.address, pk0, evidence, bad_path) == "InvalidInputProof"
    swapped = replace(proof, input=exact.leaves[0])
    assert revert(slash, task, op0.address, pk0, evidence, swapped) == "InvalidInputProof"
    out_of_range = replace(proof, index=len(exact.leaves))
    assert revert(slash, task, op0.address, pk0, evidence, out_of_range) == "InvalidInputProof"
    # other weights than the committed model
    tampered = bytearray(digits_encoding())
    tampered[-1] ^= 1
    assert revert(
        slash, task, op0.address, pk0, evidence, replace(proof, model=bytes(tampered))
    ) == ("ModelMismatch")
    # result bytes that are not what was signed
    other = replace(proof, result=exact.wrong(2))
    assert revert(slash, task, op0.address, pk0, evidence, other) == "ResultBytesMismatch"
    # forged: op1's signature presented as op0's
    forged = signed(dev, task, op1, wrong)
    assert revert(slash, task, op0.address, pk0, forged, proof) == "InvalidEvidenceSignature"
    assert revert(slash, task, op0.address, op1.keypair.pubkey_g2, evidence, proof) == (
        "InvalidEvidenceSignature"
    )
    # a float model cannot be re-executed
    float_task = dev.create_task(small_system.float_model, [0], inputs=list(exact.leaves))
    float_evidence = signed(dev, float_task, op0, wrong)
    assert revert(slash, float_task, op0.address, pk0, float_evidence, proof) == "TaskTypeNotExact"
    # stale: after deadline + challenge window
    dev.close_challenge_window(task)
    assert revert(slash, task, op0.address, pk0, evidence, proof) == "ChallengeWindowClosed"
    assert dev.reader.operator_shares(op0.address) == 10 * E18


def test_result_of_the_wrong_length_is_wrong_without_re_execution(
    small_system: SmallSystem,
) -> None:
    dev, op0 = small_system.dev, small_system.dev.operators[0]
    exact = create_exact_task(dev, small_system.exact_model)
    short = exact.correct[:-1]
    proof = replace(exact.proof(exact.correct), result=short)
    dev.owner.slash_wrong_result(
        exact.task, op0.address, op0.keypair.pubkey_g2, signed(dev, exact.task, op0, short), proof
    )
    assert dev.reader.is_slashed(exact.task.task_index, op0.operator_id, FAULT_WRONG_RESULT)


def certify_wrong(system: SmallSystem) -> tuple[ExactTask, CertifiedTask, bytes]:
    """op1 and op2 (60 of 70 in quorum 0) certify a wrong result; op0 does not sign."""
    dev = system.dev
    exact = create_exact_task(dev, system.exact_model)
    wrong = exact.wrong(2)
    dev.certify(exact.task, wrong, [dev.operators[1], dev.operators[2]])
    certified = dev.reader.certification(exact.task.task_index)
    assert certified is not None
    return exact, certified, wrong


def test_wrong_certificate_is_overturned_refunded_rewarded_and_signers_slashed(
    small_system: SmallSystem,
) -> None:
    dev = small_system.dev
    op0, op1, op2 = dev.operators[0], dev.operators[1], dev.operators[2]
    dev.owner.fund_challenge_rewards(REWARD_POOL)
    exact, certified, wrong = certify_wrong(small_system)
    task = exact.task
    challenger = stranger(small_system)
    signers = by_id([op1, op2])
    shares_before = {op.address: dev.reader.operator_shares(op.address) for op in dev.operators}

    receipt = challenger.challenge_certificate(task, certified, exact.proof(wrong, 2), signers)
    assert receipt is not None
    tm = dev.deployment.contract("TaskManager")
    (overturned,) = tm.decode_logs(receipt.logs, "CertificateOverturned")
    reward = dev.deployment.params.challenge_reward_wei
    assert (overturned["challenger"], overturned["refund"], overturned["reward"]) == (
        challenger.address, task.fee, reward,
    )  # fmt: skip
    events = slash_event(small_system, receipt)
    assert {e["operator"] for e in events} == {op1.address, op2.address}
    assert {e["fault"] for e in events} == {FAULT_WRONG_CERTIFICATE}
    assert dev.reader.task_status(task) is TaskStatus.OVERTURNED
    assert dev.reader.operator_shares(op1.address) == shares_before[op1.address] - E18
    assert dev.reader.operator_shares(op2.address) == shares_before[op2.address] - 2 * E18
    # the honest non-signer and the operator outside the task keep everything
    for op in (op0, dev.operators[3]):
        assert dev.reader.operator_shares(op.address) == shares_before[op.address]

    # refund and reward are pulled
    assert dev.client.call1(tm, "credit", task.client) == task.fee
    before = dev.client.balance(challenger.address)
    paid = challenger.withdraw_credit()
    assert dev.client.balance(challenger.address) == before + reward - paid.fee_paid
    assert revert(challenger.withdraw_credit) == "NothingToWithdraw"

    # once only; never paid; no double slash of a signer for the same result
    again = revert(
        challenger.challenge_certificate, task, certified, exact.proof(wrong, 2), signers
    )
    assert again == "InvalidTaskOutcome"
    dev.close_challenge_window(task)
    assert revert(op1.writer.claim_fees, [FeeClaim(task, certified)]) == "InvalidTaskOutcome"
    late = revert(
        dev.owner.slash_wrong_result, task, op1.address, op1.keypair.pubkey_g2,
        signed(dev, task, op1, wrong), exact.proof(wrong, 2), b"\x00" * 31 + b"\x02",
    )  # fmt: skip
    assert late == "ChallengeWindowClosed"


def test_signer_slashed_for_its_result_first_is_not_slashed_twice(
    small_system: SmallSystem,
) -> None:
    dev, op1 = small_system.dev, small_system.dev.operators[1]
    exact, certified, wrong = certify_wrong(small_system)
    dev.owner.slash_wrong_result(
        exact.task, op1.address, op1.keypair.pubkey_g2, signed(dev, exact.task, op1, wrong),
        exact.proof(wrong, 2), certified.certification_hash,
    )  # fmt: skip
    receipt = dev.owner.challenge_certificate(
        exact.task, certified, exact.proof(wrong, 2), by_id(dev.operators[1:3])
    )
    assert [e["operator"] for e in slash_event(small_system, receipt)] == [dev.operators[2].address]
    assert dev.reader.operator_shares(op1.address) == 19 * E18


def test_challenge_evidence_is_checked(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op0, op1, op2 = dev.operators[0], dev.operators[1], dev.operators[2]
    exact, certified, wrong = certify_wrong(small_system)
    task, proof = exact.task, exact.proof(wrong, 2)
    challenge = dev.owner.challenge_certificate

    # every signer, exactly: none left out, no non-signer, ascending, no duplicate
    assert revert(challenge, task, certified, proof, [op1.address]) == "SignersMismatch"
    assert revert(challenge, task, certified, proof, by_id([op0, op1, op2])) == "SignersMismatch"
    assert revert(challenge, task, certified, proof, by_id([op1, op2])[::-1]) == "SignersMismatch"
    twice = [*by_id([op1, op2]), by_id([op1, op2])[-1]]
    assert revert(challenge, task, certified, proof, twice) == "SignersMismatch"
    # the honest operator in place of a signer of equal weight is never slashed
    forged = replace(certified, non_signer_ids=())
    assert revert(challenge, task, forged, proof, by_id([op1, op2])) == "InvalidTaskOutcome"
    # the certified entries that are right cannot be challenged
    assert revert(challenge, task, certified, exact.proof(wrong, 0), by_id([op1, op2])) == (
        "ResultEntryCorrect"
    )
    dev.close_challenge_window(task)
    assert revert(challenge, task, certified, proof, by_id([op1, op2])) == "ChallengeWindowClosed"
    assert dev.reader.task_status(task) is TaskStatus.CERTIFIED


def test_correct_certificate_cannot_be_overturned(small_system: SmallSystem) -> None:
    dev = small_system.dev
    exact = create_exact_task(dev, small_system.exact_model)
    dev.certify(exact.task, exact.correct, dev.operators[:3])
    certified = dev.reader.certification(exact.task.task_index)
    assert certified is not None
    for index in range(len(exact.leaves)):
        name = revert(
            dev.owner.challenge_certificate, exact.task, certified,
            exact.proof(exact.correct, index), by_id(dev.operators[:3]),
        )  # fmt: skip
        assert name == "ResultEntryCorrect"


def test_slashed_signer_forfeits_the_tasks_fee(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op1, op2 = dev.operators[1], dev.operators[2]
    exact = create_exact_task(dev, small_system.exact_model)
    dev.certify(exact.task, exact.correct, [op1, op2])
    certified = dev.reader.certification(exact.task.task_index)
    assert certified is not None
    # op2 also signed another result: equivocation, proven after certification
    dev.owner.slash_equivocation(
        exact.task, op2.address, op2.keypair.pubkey_g2, signed(dev, exact.task, op2, exact.correct),
        signed(dev, exact.task, op2, exact.wrong(0)), certified.certification_hash,
    )  # fmt: skip
    dev.close_challenge_window(exact.task)
    assert revert(op2.writer.claim_fees, [FeeClaim(exact.task, certified)]) == "FeesForfeited"
    paid, _ = op1.writer.claim_fees([FeeClaim(exact.task, certified)])
    assert paid == exact.task.fee * 20 // 60


def test_strangers_cannot_slash_overturn_or_configure(small_system: SmallSystem) -> None:
    dev = small_system.dev
    writer = stranger(small_system)
    client = writer.client
    exact, certified, _ = certify_wrong(small_system)
    d = dev.deployment
    tm, sm, service = (d.contract(n) for n in ("TaskManager", "SlashingManager", "ServiceManager"))
    calls: list[tuple[Contract, str, *tuple[object, ...]]] = [
        (
            tm,
            "overturnCertificate",
            exact.task.as_abi(),
            certified.certification_hash,
            writer.address,
        ),
        (tm, "setSlashingManager", writer.address),
        (sm, "setSlashAmounts", 1, 1),
        (service, "slashOperator", dev.operators[1].address, b"\x00", 10**17, "x"),
    ]
    for contract, fn, *args in calls:
        with pytest.raises(ContractRevert) as err:
            client.transact(contract, fn, *args)
        assert err.value.error_name in {
            "OnlySlashingManager", "SlashingManagerNotSettable", "OwnableUnauthorizedAccount",
            "OnlySlasher",
        }, (fn, err.value.error_name)  # fmt: skip
    # the restaking core's slashing and burning paths behind the service manager
    op1 = dev.operators[1].address
    core: list[tuple[Contract, str, *tuple[object, ...]]] = [
        (d.contract("AllocationManager"), "slashOperator", service.address,
         (op1, 0, [d.strategy], [10**17], "x")),
        (d.contract("DelegationManager"), "slashOperatorShares", op1, (service.address, 0), 1,
         d.strategy, 10**18, 1),
        (d.contract("StrategyManager"), "increaseBurnableShares", d.strategy, E18),
    ]  # fmt: skip
    for contract, fn, *args in core:
        with pytest.raises(ContractRevert):
            client.transact(contract, fn, *args)
    assert dev.reader.task_status(exact.task) is TaskStatus.CERTIFIED
    assert dev.reader.operator_shares(op1) == 20 * E18
