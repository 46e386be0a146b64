"""Task lifecycle on real contracts: hashes shared with Python, fees paid exactly, refunds,
replay protection, createTask validation and the event subscriber."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avs.chain.compiled import load_artifact
from avs.chain.deployment import Deployment
from avs.chain.devkit import DevSystem
from avs.chain.events import FeesClaimed, MalformedLog, StakeUpdated, TaskCreated
from avs.chain.reader import ChainReader
from avs.chain.subscriber import ChainSubscriber
from avs.chain.views import CertifiedTask, FeeClaim, TaskStatus
from avs.chain.writer import ChainWriter
from avs.errors import ContractRevert
from avs.protocol import (
    Task,
    certification_hash,
    fee_share,
    message_hash,
    result_digest,
    task_hash,
)

from .systems import SmallSystem

pytestmark = pytest.mark.integration

RESULT = b"\x07\x07"
E12 = 10**12


def certified(dev: DevSystem, task: Task) -> CertifiedTask:
    event = dev.reader.certification(task.task_index)
    assert event is not None
    return event


def revert_name(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return err.value.error_name


def test_python_hashes_equal_the_contracts(small_system: SmallSystem) -> None:
    dev = small_system.dev
    tm = dev.deployment.contract("TaskManager")
    inputs = [b"a", b"bb", b"ccc"]
    task = dev.create_task(small_system.float_model, [0, 1], inputs=inputs)
    created = dev.reader.created_task(task.task_index)
    assert created == task
    th = task_hash(dev.deployment.chain_id, tm.address, task)
    assert bytes(dev.client.call1(tm, "taskHash", task.as_abi())) == th
    assert dev.reader.task_record(task.task_index) == th
    digest = result_digest(RESULT)
    assert bytes(dev.client.call1(tm, "messageHash", th, digest)) == message_hash(th, RESULT)
    _, _ = dev.certify(task, RESULT, dev.operators)
    event = certified(dev, task)
    event.check()
    expected = certification_hash(digest, event.signatory_record_hash, event.signed_stake)
    assert event.certification_hash == expected
    assert (
        bytes(
            dev.client.call1(
                tm,
                "certificationHash",
                digest,
                event.signatory_record_hash,
                list(event.signed_stake),
            )
        )
        == expected
    )
    assert bytes(dev.client.call1(tm, "verifyTaskOutcome", task.as_abi(), expected)) == th
    assert dev.reader.task_status(task) is TaskStatus.CERTIFIED


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, 2**32 - 1),
    words=st.lists(st.binary(min_size=32, max_size=32), min_size=2, max_size=2),
    count=st.integers(1, 2**32 - 1),
    uri=st.text(max_size=80),
    quorums=st.binary(max_size=4),
    bps=st.integers(0, 10_000),
    blocks=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=2),
    fee=st.integers(0, 2**96 - 1),
    client=st.binary(min_size=20, max_size=20),
)
def test_task_hash_parity_for_arbitrary_tasks(
    small_system: SmallSystem,
    index: int,
    words: list[bytes],
    count: int,
    uri: str,
    quorums: bytes,
    bps: int,
    blocks: list[int],
    fee: int,
    client: bytes,
) -> None:
    """The Python encoding equals TaskManager.taskHash for any field values (view call)."""
    dev = small_system.dev
    tm = dev.deployment.contract("TaskManager")
    task = Task(
        index, words[0], words[1], count, uri, quorums, bps, blocks[0], blocks[1], fee,
        to_checksum_address(client),
    )  # fmt: skip
    expected = task_hash(dev.deployment.chain_id, tm.address, task)
    assert bytes(dev.client.call1(tm, "taskHash", task.as_abi())) == expected


def test_fees_are_claimable_exactly_once_by_signers(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op0, op1, op2, op3 = dev.operators
    task = dev.create_task(small_system.float_model, [0, 1], inputs=[b"x"] * 3)
    assert task.fee == 3 * E12
    tm_address = dev.deployment.contracts["TaskManager"]
    escrow = dev.client.balance(tm_address)  # includes this task's fee
    dev.certify(task, RESULT, [op0, op2, op3])  # op1 does not sign
    event = certified(dev, task)
    # stakes at the reference block: quorum 0 = 10 + 20 + 40, quorum 1 = 40 + 40 (x 1e18)
    assert event.total_stake == (70 * 10**18, 80 * 10**18)
    assert event.signed_stake == (50 * 10**18, 80 * 10**18)
    # fees wait for the challenge window: a wrong certificate could still be overturned
    assert revert_name(op0.writer.claim_fees, [FeeClaim(task, event)]) == "ChallengeWindowOpen"
    dev.close_challenge_window(task)
    expected = {
        op0.address: 3 * 10**11,  # 1.5e12 * 10/50
        op2.address: 195 * 10**10,  # 1.5e12 * 40/50 + 1.5e12 * 40/80
        op3.address: 75 * 10**10,  # 1.5e12 * 40/80
    }
    paid_total = 0
    for op in (op0, op2, op3):
        stakes = [dev.reader.stake(op.operator_id, q, task.created_block) for q in task.quorums]
        assert fee_share(task.fee, stakes, event.signed_stake) == expected[op.address]
        before = dev.client.balance(op.address)
        paid, receipt = op.writer.claim_fees([FeeClaim(task, event)])
        assert paid == expected[op.address]
        assert dev.client.balance(op.address) == before + paid - receipt.fee_paid
        assert dev.reader.fee_claimed(op.operator_id, task.task_index)
        paid_total += paid
    assert paid_total == task.fee
    assert dev.client.balance(tm_address) == escrow - task.fee  # the claims emptied its escrow
    assert revert_name(op0.writer.claim_fees, [FeeClaim(task, event)]) == "AlreadyClaimed"
    assert revert_name(op1.writer.claim_fees, [FeeClaim(task, event)]) == "NotASigner"
    forged = replace(event, signed_stake=(1, 1))
    assert revert_name(op1.writer.claim_fees, [FeeClaim(task, forged)]) == "InvalidTaskOutcome"


def test_batch_claim_over_several_tasks(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op3 = dev.operators[3]
    tasks = [dev.create_task(small_system.float_model, [1], inputs=[b"y"] * n) for n in (1, 2)]
    for task in tasks:
        dev.certify(task, RESULT, dev.operators)
    claims = [FeeClaim(t, certified(dev, t)) for t in tasks]
    dev.close_challenge_window(tasks[-1])
    paid, _ = op3.writer.claim_fees(claims)
    # quorum 1: operators 2 and 3 hold 40e18 each, so op3 gets half of each fee
    assert paid == sum(t.fee for t in tasks) // 2


def test_refund_after_expiry(small_system: SmallSystem) -> None:
    dev = small_system.dev
    client_account = Account.from_key(b"\x7c" * 32)
    dev.client.send_value(client_account.address, 10**18)
    client = ChainWriter(dev.client.with_account(client_account.key), dev.deployment)
    task = dev.create_task(
        small_system.float_model, [0], inputs=[b"z"] * 5, window=3, writer=client
    )
    assert task.client == client_account.address
    assert revert_name(dev.owner.refund_expired_task, task) == "TaskNotExpired"
    dev.mine(3)
    signatures_too_late = dev.reader.build_certificate(
        task, result_digest(RESULT), dev.sign(task, RESULT, dev.operators)
    )
    assert revert_name(dev.owner.respond_to_task, task, signatures_too_late) == "TaskExpired"
    before = dev.client.balance(client_account.address)
    receipt = dev.owner.refund_expired_task(task)  # anyone may trigger it
    assert dev.client.balance(client_account.address) == before + task.fee
    refunded = dev.deployment.contract("TaskManager").decode_logs(receipt.logs, "TaskRefunded")
    assert refunded[0]["fee"] == task.fee
    assert dev.reader.task_status(task) is TaskStatus.REFUNDED
    assert revert_name(dev.owner.refund_expired_task, task) == "TaskNotPending"


def test_create_task_validation(small_system: SmallSystem) -> None:
    dev = small_system.dev
    w = dev.owner
    model = small_system.float_model
    root = b"\x01" * 32
    fee = E12

    def create(**kw: object) -> str:
        args: dict[str, object] = {
            "model_id": model, "inputs_root": root, "input_count": 1, "inputs_uri": "u",
            "quorum_numbers": [0], "threshold_bps": 7000, "response_window_blocks": 5, "fee": fee,
        }  # fmt: skip
        args.update(kw)
        return revert_name(w.create_task, **args)

    assert create(fee=fee - 1) == "IncorrectFee"
    assert create(quorum_numbers=[2]) == "InvalidQuorumNumber"
    assert create(quorum_numbers=[1, 0]) == "QuorumNumbersNotOrdered"
    assert create(quorum_numbers=[]) == "EmptyQuorumNumbers"
    assert create(threshold_bps=100) == "InvalidThreshold"
    assert create(threshold_bps=10_001) == "InvalidThreshold"
    assert create(response_window_blocks=0) == "InvalidResponseWindow"
    assert create(response_window_blocks=11) == "InvalidResponseWindow"
    assert create(model_id=b"\x09" * 32) == "ModelNotActive"
    assert create(input_count=0, fee=0) == "InvalidInputCount"
    assert create(inputs_root=bytes(32)) == "EmptyInputsRoot"


def test_certificate_never_settles_another_task_contract_or_chain(
    small_system: SmallSystem,
) -> None:
    dev = small_system.dev
    model = small_system.float_model
    task_a = dev.create_task(model, [0])
    task_b = dev.create_task(model, [0])
    cert_a = dev.reader.build_certificate(
        task_a, result_digest(RESULT), dev.sign(task_a, RESULT, dev.operators)
    )
    # another task
    assert revert_name(dev.owner.respond_to_task, task_b, cert_a) == "InvalidSignature"

    # another contract: a second TaskManager on the same registry
    params = dev.deployment.params
    tm2 = dev.client.deploy(
        load_artifact("TaskManager"),
        dev.deployment.contracts["OperatorRegistry"],
        dev.deployment.contracts["ModelRegistry"],
        params.max_response_window_blocks,
        params.min_threshold_bps,
        params.max_inputs_per_task,
        params.challenge_window_blocks,
        params.challenge_reward_wei,
    )
    other = replace(
        dev.deployment, contracts={**dev.deployment.contracts, "TaskManager": tm2.address}
    )
    other_dev = DevSystem(dev.client, other)
    task_c = other_dev.create_task(model, [0])

    def cert_signed_for(chain_id: int, task_manager: str) -> object:
        msg = message_hash(task_hash(chain_id, task_manager, task_c), RESULT)
        sigs = {op.operator_id: op.keypair.sign(msg) for op in dev.operators}
        return other_dev.reader.build_certificate(task_c, result_digest(RESULT), sigs)

    tm1 = dev.deployment.contracts["TaskManager"]
    chain = dev.deployment.chain_id
    w2 = other_dev.owner
    assert (
        revert_name(w2.respond_to_task, task_c, cert_signed_for(chain, tm1)) == "InvalidSignature"
    )
    # another chain
    assert revert_name(w2.respond_to_task, task_c, cert_signed_for(chain + 1, tm2.address)) == (
        "InvalidSignature"
    )
    # the right binding is accepted, exactly once
    good = cert_signed_for(chain, tm2.address)
    w2.respond_to_task(task_c, good)  # type: ignore[arg-type]
    assert revert_name(w2.respond_to_task, task_c, good) == "TaskNotPending"
    dev.owner.respond_to_task(task_a, cert_a)
    assert revert_name(dev.owner.respond_to_task, task_a, cert_a) == "TaskNotPending"


def test_subscriber_sees_the_lifecycle(small_system: SmallSystem) -> None:
    dev = small_system.dev
    start = dev.client.block_number() + 1
    task = dev.create_task(small_system.float_model, [1])
    dev.certify(task, RESULT, dev.operators)
    dev.close_challenge_window(task)
    dev.operators[3].writer.claim_fees([FeeClaim(task, certified(dev, task))])
    sub = ChainSubscriber(dev.client, dev.deployment)
    events = sub.poll(start, dev.client.block_number())
    kinds = [type(e) for e in events]
    assert kinds == [TaskCreated, CertifiedTask, FeesClaimed]
    created, cert, claimed = events
    assert isinstance(created, TaskCreated)
    assert created.task == task
    assert isinstance(cert, CertifiedTask)
    assert cert.task_index == task.task_index
    assert isinstance(claimed, FeesClaimed)
    assert claimed.operator == dev.operators[3].address

    everything = sub.poll(dev.deployment.block, dev.client.block_number())
    assert sum(isinstance(e, StakeUpdated) for e in everything) >= 5
    stop = threading.Event()
    follow = sub.follow(start, poll_interval=0.01, stop=stop, types=[TaskCreated])
    first = next(follow)
    stop.set()
    assert isinstance(first, TaskCreated)
    assert first.task == task


def test_reader_on_a_second_deployment_object(small_system: SmallSystem) -> None:
    """A Deployment survives its JSON round trip and reads the same chain state."""
    dev = small_system.dev
    again = Deployment.from_json(dev.deployment.to_json())
    assert again == dev.deployment
    reader = ChainReader(dev.client, again)
    state = reader.operator_state([0, 1], dev.client.block_number() - 1)
    assert set(state.operators) == {op.operator_id for op in dev.operators}
    assert state.total_stakes == {0: 70 * 10**18, 1: 80 * 10**18}


def test_a_task_whose_uri_is_not_utf8_is_skipped_not_fatal(small_system: SmallSystem) -> None:
    """createTask takes any bytes as inputsURI; followers must skip such a log and go on."""
    dev = small_system.dev
    start = dev.client.block_number() + 1
    tm = dev.deployment.contract("TaskManager")
    create = tm.abi.function("createTask")
    # The same calldata layout, but the URI slot carries raw (invalid UTF-8) bytes.
    as_bytes = tuple("bytes" if t == "string" else t for t in create.input_types)
    raw = replace(
        tm.abi, functions={**tm.abi.functions, "createTask": replace(create, input_types=as_bytes)}
    )
    model = small_system.float_model
    fee = dev.reader.model(model).fee_per_input
    dev.client.transact(
        replace(tm, abi=raw),
        "createTask",
        model, b"\x01" * 32, 1, b"\xff\xfe/dev/zero", bytes([0]), 6_667,
        dev.deployment.params.max_response_window_blocks,
        value=fee,
    )  # fmt: skip
    good = dev.create_task(model, [0])
    malformed: list[MalformedLog] = []
    events = ChainSubscriber(dev.client, dev.deployment, malformed.append).poll(
        start, dev.client.block_number()
    )
    assert [e.task for e in events if isinstance(e, TaskCreated)] == [good]
    assert [(m.contract, m.event) for m in malformed] == [("TaskManager", "TaskCreated")]
