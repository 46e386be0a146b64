"""Composable settlement on real contracts: certified result bytes delivered to consumer
contracts after the challenge window (exact task types) or at certification (non-exact, or by
choice with a not-final flag); overturned or expired tasks never delivered; a hostile consumer
(reverting, gas-hungry, returndata bomb, re-entrant) blocks neither certification nor fees;
bytes must hash to the certified hash; no delivery happens twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.chain.delivery import ConsumerRequest, DeliveryState
from avs.chain.views import FeeClaim
from avs.chain.writer import ChainWriter
from avs.crypto.keccak import keccak256
from avs.errors import ContractRevert
from avs.protocol import Task, result_digest
from avs.testing.exact_tasks import ExactInputs

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration

ACCEPT, REVERT, BURN_GAS, RETURN_BOMB, REENTER = range(5)
BOUNTY = 10**14
GAS = 300_000


@dataclass(frozen=True, slots=True)
class Consumers:
    """The example and scripted consumers, deployed once for the module."""

    scripted: Contract
    pay: Contract
    verdicts: Contract


@pytest.fixture(scope="module")
def consumers(small_system: SmallSystem) -> Consumers:
    client = small_system.dev.client
    tm = small_system.dev.deployment.contracts["TaskManager"]
    return Consumers(
        client.deploy(load_artifact("ScriptedConsumer")),
        client.deploy(load_artifact("PayIfConfident"), tm),
        client.deploy(load_artifact("VerdictRegistry"), tm),
    )


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed system."""


def revert(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return err.value.error_name


def stranger(system: SmallSystem) -> ChainWriter:
    account = Account.from_key(b"\x3d" * 32)
    system.dev.client.send_value(account.address, E18)
    return ChainWriter(system.dev.client.with_account(account.key), system.dev.deployment)


def behave(system: SmallSystem, consumer: Contract, behaviour: int) -> None:
    system.dev.client.transact(consumer, "setBehaviour", behaviour)


def calls(system: SmallSystem, consumer: Contract) -> int:
    return int(system.dev.client.call1(consumer, "calls"))


def request(
    consumer: Contract, *, early: bool = False, context: bytes = bytes(32)
) -> ConsumerRequest:
    return ConsumerRequest(consumer.address, GAS, early, context)


def tm_events(system: SmallSystem, receipt: object, name: str) -> list[dict[str, object]]:
    tm = system.dev.deployment.contract("TaskManager")
    return tm.decode_logs(receipt.logs, name)  # type: ignore[attr-defined]


def credit(system: SmallSystem, account: str) -> int:
    dev = system.dev
    return int(dev.client.call1(dev.deployment.contract("TaskManager"), "credit", account))


def exact_task(system: SmallSystem, req: ConsumerRequest) -> tuple[ExactInputs, Task]:
    """An int-mlp task over three digits, delivered to ``req.consumer``."""
    exact = ExactInputs.digits(3)
    task = system.dev.create_task(
        system.exact_model, [0], inputs=list(exact.leaves), consumer=req, bounty=BOUNTY
    )
    return exact, task


def certify_and_overturn_wrong(system: SmallSystem, exact: ExactInputs, task: Task) -> object:
    """Operators 1 and 2 certify a wrong result; a challenge overturns it (its receipt)."""
    dev = system.dev
    wrong = exact.wrong(2)
    dev.certify(task, wrong, [dev.operators[1], dev.operators[2]])
    certified = dev.reader.certification(task.task_index)
    assert certified is not None
    signers = [op.address for op in sorted(dev.operators[1:3], key=lambda op: op.operator_id)]
    return dev.owner.challenge_certificate(task, certified, exact.proof(wrong, 2), signers)


def test_exact_result_is_delivered_after_the_window_once_and_only_with_its_bytes(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev, scripted = small_system.dev, consumers.scripted
    exact, task = exact_task(small_system, request(scripted, context=b"\x07" * 32))
    _, receipt = dev.certify(task, exact.correct, dev.operators[:3])
    (published,) = tm_events(small_system, receipt, "ResultPublished")
    assert published["result"] == exact.correct
    assert dev.reader.delivery(task.task_index).state is DeliveryState.CERTIFIED
    assert calls(small_system, scripted) == 0

    finalizer = stranger(small_system)
    idx = task.task_index
    assert revert(finalizer.finalize, idx, exact.correct) == "DeliveryWindowOpen"
    dev.close_challenge_window(task)
    dev.mine()  # gas estimates run in the latest block, not the next
    assert revert(finalizer.finalize, idx, exact.wrong(1)) == "ResultHashMismatch"
    assert dev.reader.published_result(idx, task) == exact.correct
    receipt = finalizer.finalize(idx, exact.correct)
    (delivered,) = tm_events(small_system, receipt, "ResultDelivered")
    assert delivered["isFinal"] is True
    c = dev.client
    assert calls(small_system, scripted) == 1
    assert bytes(c.call1(scripted, "lastResultHash")) == keccak256(exact.correct)
    assert bytes(c.call1(scripted, "lastContext")) == b"\x07" * 32
    assert c.call1(scripted, "lastClient") == dev.owner.address
    assert c.call1(scripted, "lastIsFinal") is True
    assert credit(small_system, finalizer.address) == BOUNTY
    record = dev.reader.delivery(idx)
    assert (record.state, record.bounty) == (DeliveryState.DELIVERED, 0)

    # replay: neither finalize nor a retry delivers again
    assert revert(finalizer.finalize, idx, exact.correct) == "NotDeliverable"
    assert revert(dev.owner.retry_delivery, idx, exact.correct) == "NotDeliverable"
    assert calls(small_system, scripted) == 1


def test_overturned_task_is_never_delivered_and_its_bounty_goes_back(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev = small_system.dev
    exact, task = exact_task(small_system, request(consumers.scripted))
    receipt = certify_and_overturn_wrong(small_system, exact, task)
    (cancelled,) = tm_events(small_system, receipt, "DeliveryCancelled")
    assert cancelled["bountyRefunded"] == BOUNTY
    assert credit(small_system, task.client) == task.fee + BOUNTY
    assert dev.reader.delivery(task.task_index).state is DeliveryState.CANCELLED

    dev.close_challenge_window(task)
    for result in (exact.wrong(2), exact.correct):
        assert revert(dev.owner.finalize, task.task_index, result) == "NotDeliverable"
    assert calls(small_system, consumers.scripted) == 0


def test_not_final_delivery_comes_at_certification_and_an_overturn_marks_it(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev = small_system.dev
    exact, task = exact_task(small_system, request(consumers.scripted, early=True))
    receipt = certify_and_overturn_wrong(small_system, exact, task)
    # the owner certified (so made the delivery: the bounty) and is the client (the refund)
    assert credit(small_system, dev.owner.address) == BOUNTY + task.fee
    (delivered,) = dev.deployment.contract("TaskManager").decode_logs(
        dev.client.get_logs(
            [dev.reader.tasks.address],
            [dev.reader.tasks.abi.event("ResultDelivered").topic0],
            task.created_block,
            dev.client.block_number(),
        ),
        "ResultDelivered",
    )
    assert delivered["isFinal"] is False
    assert tm_events(small_system, receipt, "CertificateOverturned")
    assert dev.reader.delivery(task.task_index).state is DeliveryState.OVERTURNED


@pytest.mark.parametrize("behaviour", [REVERT, BURN_GAS, RETURN_BOMB, REENTER])
def test_hostile_consumer_blocks_neither_certification_nor_fees(
    small_system: SmallSystem, consumers: Consumers, behaviour: int
) -> None:
    dev, scripted = small_system.dev, consumers.scripted
    behave(small_system, scripted, behaviour)
    task = dev.create_task(small_system.float_model, [0], consumer=request(scripted), bounty=BOUNTY)
    result = b"\x03"
    _, receipt = dev.certify(task, result, dev.operators[:3])
    assert dev.reader.is_certified(task)
    (failed,) = tm_events(small_system, receipt, "ResultDeliveryFailed")
    assert failed["retryable"] is True
    assert len(failed["reason"]) <= 256  # type: ignore[arg-type]
    assert dev.reader.delivery(task.task_index).state is DeliveryState.FAILED_ONCE

    # fees are claimable as for any task
    dev.close_challenge_window(task)
    certified = dev.reader.certification(task.task_index)
    assert certified is not None
    paid, _ = dev.operators[0].writer.claim_fees([FeeClaim(task, certified)])
    assert paid > 0

    # one retry, by the client or the consumer only; then it is over
    other = stranger(small_system)
    assert revert(other.retry_delivery, task.task_index, result) == "NotClientOrConsumer"
    assert revert(dev.owner.retry_delivery, task.task_index, b"\x04") == "ResultHashMismatch"
    receipt = dev.owner.retry_delivery(task.task_index, result)
    (failed,) = tm_events(small_system, receipt, "ResultDeliveryFailed")
    assert failed["retryable"] is False
    assert dev.reader.delivery(task.task_index).state is DeliveryState.FAILED
    assert revert(dev.owner.retry_delivery, task.task_index, result) == "NotDeliverable"
    assert calls(small_system, scripted) == 0


def test_retry_delivers_once_the_consumer_recovers_and_gas_cannot_be_starved(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev, scripted = small_system.dev, consumers.scripted
    behave(small_system, scripted, REVERT)
    task = dev.create_task(small_system.float_model, [0], consumer=request(scripted))
    dev.certify(task, b"\x05", dev.operators[:3])
    behave(small_system, scripted, ACCEPT)
    # a transaction too short of gas to give the callback all of its limit reverts whole
    # (the consumer's one retry is not burnt by a starved callback)
    revert(dev.owner.client.transact, scripted, "retry", dev.reader.tasks.address,
           task.task_index, b"\x05", gas=GAS)  # fmt: skip
    assert dev.reader.delivery(task.task_index).state is DeliveryState.FAILED_ONCE
    dev.owner.client.transact(scripted, "retry", dev.reader.tasks.address, task.task_index, b"\x05")
    assert calls(small_system, scripted) == 1
    assert dev.reader.delivery(task.task_index).state is DeliveryState.DELIVERED


def test_consumer_tasks_need_their_bytes_and_plain_tasks_refuse_them(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0], consumer=request(consumers.scripted))
    result = b"\x01\x02"
    certificate = dev.reader.build_certificate(
        task, result_digest(result), dev.sign(task, result, dev.operators[:3])
    )
    assert revert(dev.owner.respond_to_task, task, certificate) == "ResultBytesRequired"
    # bytes that are not what the operators signed fail the signature check
    assert revert(dev.owner.respond_to_task, task, certificate, b"\x01\x03") == "InvalidSignature"
    plain = dev.create_task(small_system.float_model, [0])
    plain_cert = dev.reader.build_certificate(
        plain, result_digest(result), dev.sign(plain, result, dev.operators[:3])
    )
    assert revert(dev.owner.respond_to_task, plain, plain_cert, result) == "NoConsumer"
    # an account without code cannot be a consumer; the callback gas is capped
    eoa = ConsumerRequest(dev.owner.address, GAS)
    assert revert(dev.create_task, small_system.float_model, [0], consumer=eoa) == (
        "ConsumerNotAContract"
    )
    hungry = ConsumerRequest(consumers.scripted.address, 30_000_000)
    assert revert(dev.create_task, small_system.float_model, [0], consumer=hungry) == (
        "InvalidCallbackGasLimit"
    )


def test_expired_consumer_task_refunds_fee_and_bounty(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev = small_system.dev
    task = dev.create_task(
        small_system.float_model, [0], consumer=request(consumers.scripted), bounty=BOUNTY
    )
    dev.mine(task.deadline_block - dev.client.block_number() + 1)
    receipt = dev.owner.refund_expired_task(task)
    (refunded,) = tm_events(small_system, receipt, "DeliveryCancelled")
    assert refunded["bountyRefunded"] == BOUNTY
    tm = dev.deployment.contracts["TaskManager"]
    assert dev.client.balance(tm) == 0
    assert dev.reader.delivery(task.task_index).state is DeliveryState.CANCELLED


def test_pay_if_confident_pays_only_on_k_matching_labels_of_the_payers_task(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev, pay = small_system.dev, consumers.pay
    payee = Account.from_key(b"\x4e" * 32).address
    model = small_system.float_model
    c = dev.client
    opened = []
    for k in (2, 3):
        receipt = c.transact(pay, "open", payee, model, 3, k, 10_000, value=E18)
        opened.append(pay.decode_logs(receipt.logs, "AgreementOpened")[0]["id"])
    # two of the four inputs are label 3 (one abstained): K = 2 pays, K = 3 refunds
    result = b"\x03\xff\x03\x01"
    for agreement in opened:
        ctx = agreement.to_bytes(32, "big")
        task = dev.create_task(
            model, [0], inputs=[b"a", b"b", b"c", b"d"], consumer=request(pay, context=ctx)
        )
        dev.certify(task, result, dev.operators[:3])
    assert c.call1(pay, "owed", payee) == E18
    assert c.call1(pay, "owed", dev.owner.address) == E18
    # a task of someone else cannot settle the payer's agreement
    receipt = c.transact(pay, "open", payee, model, 3, 1, 10_000, value=E18)
    ctx = pay.decode_logs(receipt.logs, "AgreementOpened")[0]["id"].to_bytes(32, "big")
    other = stranger(small_system)
    task = dev.create_task(model, [0], consumer=request(pay, context=ctx), writer=other)
    _, receipt = dev.certify(task, b"\x03", dev.operators[:3])
    (failed,) = tm_events(small_system, receipt, "ResultDeliveryFailed")
    assert failed["retryable"] is True
    assert c.call1(pay, "owed", payee) == E18


def test_verdict_registry_records_the_majority_label(
    small_system: SmallSystem, consumers: Consumers
) -> None:
    dev, verdicts = small_system.dev, consumers.verdicts
    task = dev.create_task(
        small_system.float_model, [0], inputs=[b"a", b"b", b"c", b"d", b"e"],
        consumer=request(verdicts),
    )  # fmt: skip
    dev.certify(task, b"\x07\xff\x02\x07\xff", dev.operators[:3])
    recorded, final, label, votes, inputs, abstained, model = dev.client.call(
        verdicts, "verdictOf", task.task_index
    )
    assert (recorded, final, label, votes, inputs, abstained) == (True, True, 7, 2, 5, 2)
    assert bytes(model) == small_system.float_model
    assert dev.client.call1(verdicts, "verdictsForLabel", 7) == 1


def test_cli_finalize_delivers_after_the_window(
    small_system: SmallSystem, consumers: Consumers, anvil: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from avs.cli.main import cli

    dev = small_system.dev
    exact, task = exact_task(small_system, request(consumers.scripted))
    dev.certify(task, exact.correct, dev.operators[:3])
    deployment = tmp_path / "deployment.json"
    dev.deployment.save(deployment)
    base = ["--rpc-url", anvil, "--deployment", str(deployment)]
    early = CliRunner().invoke(cli, ["tasks", "finalize", str(task.task_index), *base])
    assert early.exit_code != 0
    assert early.output.startswith("error: ")
    assert "challenge window" in early.output
    dev.close_challenge_window(task)
    dev.mine()
    out = CliRunner().invoke(cli, ["tasks", "finalize", str(task.task_index), "--json", *base])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["state"] == "delivered"
    assert calls(small_system, consumers.scripted) == 1
    show = ["tasks", "show", str(task.task_index), "--no-labels", "--json", *base]
    shown = CliRunner().invoke(cli, show)
    assert shown.exit_code == 0, shown.output
    delivery = json.loads(shown.output)["delivery"]
    assert (delivery["state"], delivery["mode"]) == ("delivered", "after_challenge_window")
