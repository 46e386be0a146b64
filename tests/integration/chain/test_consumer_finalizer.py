"""The aggregator's consumer finalizer on real contracts: an exact-type consumer task it
certified is delivered once the challenge window closed (not before), with bytes from its blob
store checked against the certified hash; an overturned task is never sent; a restarted
finalizer (same task store) still delivers; a task a competitor delivered costs no send."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from eth_account import Account
from prometheus_client import Counter

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.chain.delivery import ConsumerRequest, DeliveryState
from avs.chain.writer import ChainWriter
from avs.crypto.keccak import keccak256
from avs.models.store import BlobStore
from avs.protocol import Task
from avs.testing.exact_tasks import ExactInputs
from avs_aggregator.finalizer import ConsumerFinalizer, FinalizerMetrics
from avs_aggregator.store import CertifiedBy, TaskState, TaskStore

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration

BOUNTY = 10**14


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed system."""


@pytest.fixture(scope="module")
def scripted(small_system: SmallSystem) -> Contract:
    return small_system.dev.client.deploy(load_artifact("ScriptedConsumer"))


def aggregator_writer(system: SmallSystem) -> ChainWriter:
    account = Account.from_key(b"\x4e" * 32)
    system.dev.client.send_value(account.address, E18)
    return ChainWriter(system.dev.client.with_account(account.key), system.dev.deployment)


def finalizer(system: SmallSystem, tmp_path: Path, writer: ChainWriter) -> ConsumerFinalizer:
    """A finalizer over the aggregator's on-disk task and blob stores in ``tmp_path``."""
    dev = system.dev
    return ConsumerFinalizer(
        dev.reader,
        writer,
        BlobStore(tmp_path / "blobs"),
        TaskStore(tmp_path / "tasks.sqlite"),
        FinalizerMetrics.create(None),
    )


def exact_task(system: SmallSystem, scripted: Contract) -> tuple[ExactInputs, Task]:
    """An int-mlp task over three digits, delivered to ``scripted`` after its window."""
    exact = ExactInputs.digits(3)
    req = ConsumerRequest(scripted.address, 300_000)
    task = system.dev.create_task(
        system.exact_model, [0], inputs=list(exact.leaves), consumer=req, bounty=BOUNTY
    )
    return exact, task


def record_own(fin: ConsumerFinalizer, task: Task, result: bytes) -> None:
    """Record ``result`` as this aggregator's certificate of ``task`` (task store row, bytes
    in its blob store), as the core and PublishingCertifier do."""
    fin.store.add_task(task.task_index, keccak256(bytes(task.task_index)), b"", task.deadline_block)
    fin.store.set_state(
        task.task_index, TaskState.CERTIFIED, keccak256(result), certified_by=CertifiedBy.SELF
    )
    fin.blobs.put(result)


def certified_task(
    system: SmallSystem, scripted: Contract, fin: ConsumerFinalizer
) -> tuple[ExactInputs, Task]:
    """An exact consumer task certified with the correct result by this aggregator."""
    exact, task = exact_task(system, scripted)
    system.dev.certify(task, exact.correct, system.dev.operators[:3])
    record_own(fin, task, exact.correct)
    return exact, task


def calls(system: SmallSystem, consumer: Contract) -> int:
    return int(system.dev.client.call1(consumer, "calls"))


def total(counter: Counter) -> float:
    """Sum of a counter's ``_total`` samples over all labels."""
    return sum(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))


def failures(fin: ConsumerFinalizer) -> float:
    return total(fin.metrics.failures)


def test_delivered_after_the_window_not_before_and_credited_the_bounty(
    small_system: SmallSystem, scripted: Contract, tmp_path: Path
) -> None:
    dev, writer = small_system.dev, aggregator_writer(small_system)
    fin = finalizer(small_system, tmp_path, writer)
    _, task = certified_task(small_system, scripted, fin)
    final_block = dev.reader.delivery(task.task_index).final_block
    dev.mine(max(0, final_block - dev.client.block_number()))
    assert fin.step(dev.client.block_number()) == 0  # window still open at the head
    assert calls(small_system, scripted) == 0

    dev.mine()
    assert fin.step(dev.client.block_number()) == 1
    assert dev.reader.delivery(task.task_index).state is DeliveryState.DELIVERED
    assert calls(small_system, scripted) == 1
    tm = dev.deployment.contract("TaskManager")
    assert int(dev.client.call1(tm, "credit", writer.address)) == BOUNTY
    assert fin.step(dev.client.block_number()) == 0  # never twice
    assert (total(fin.metrics.finalized), failures(fin)) == (1, 0)


def test_overturned_task_is_never_sent(
    small_system: SmallSystem, scripted: Contract, tmp_path: Path
) -> None:
    dev = small_system.dev
    fin = finalizer(small_system, tmp_path, aggregator_writer(small_system))
    exact, task = exact_task(small_system, scripted)
    wrong = exact.wrong(2)
    dev.certify(task, wrong, [dev.operators[1], dev.operators[2]])
    certified = dev.reader.certification(task.task_index)
    assert certified is not None
    signers = [op.address for op in sorted(dev.operators[1:3], key=lambda op: op.operator_id)]
    record_own(fin, task, wrong)
    dev.owner.challenge_certificate(task, certified, exact.proof(wrong, 2), signers)
    dev.close_challenge_window(task)
    dev.mine()
    assert fin.step(dev.client.block_number()) == 0
    assert dev.reader.delivery(task.task_index).state is DeliveryState.CANCELLED
    assert calls(small_system, scripted) == 0
    assert failures(fin) == 0


def test_restart_still_finalizes_and_a_competitors_delivery_costs_no_send(
    small_system: SmallSystem, scripted: Contract, tmp_path: Path
) -> None:
    dev, writer = small_system.dev, aggregator_writer(small_system)
    first = finalizer(small_system, tmp_path, writer)
    exact, mine_task = certified_task(small_system, scripted, first)
    _, theirs = certified_task(small_system, scripted, first)
    first.store.close()  # the aggregator stops before either window closes

    dev.close_challenge_window(theirs)
    dev.mine()
    dev.owner.finalize(theirs.task_index, exact.correct)  # a competitor is first on one task
    restarted = finalizer(small_system, tmp_path, writer)
    assert restarted.step(dev.client.block_number()) == 1
    assert dev.reader.delivery(mine_task.task_index).state is DeliveryState.DELIVERED
    assert calls(small_system, scripted) == 2
    assert failures(restarted) == 0
    restarted.store.close()


def test_a_competitors_finalize_waiting_in_the_mempool_costs_no_send(
    small_system: SmallSystem, scripted: Contract, tmp_path: Path
) -> None:
    """Regression: the state was read in the latest block, so a competitor's finalize still
    pending went unseen and this aggregator's estimate failed (counted as a failure)."""
    dev, writer = small_system.dev, aggregator_writer(small_system)
    fin = finalizer(small_system, tmp_path, writer)
    exact, task = certified_task(small_system, scripted, fin)
    dev.close_challenge_window(task)
    dev.mine()
    competitor = dev.owner.address.lower()
    errors: list[BaseException] = []

    def compete() -> None:
        try:
            dev.owner.finalize(task.task_index, exact.correct)
        except BaseException as exc:  # examined below
            errors.append(exc)

    nonce = dev.client.rpc("eth_getTransactionCount", [writer.address, "latest"])
    dev.client.rpc("evm_setAutomine", [False])
    try:
        racing = threading.Thread(target=compete)
        racing.start()
        deadline = time.monotonic() + 30
        while competitor not in {a.lower() for a in dev.client.rpc("txpool_content")["pending"]}:
            assert not errors, errors
            assert time.monotonic() < deadline, "the competitor's finalize was never sent"
            time.sleep(0.05)
        assert fin.step(dev.client.block_number()) == 0
        dev.client.rpc("evm_mine")
        racing.join(30)
    finally:
        dev.client.rpc("evm_setAutomine", [True])
    assert not errors, errors
    assert dev.reader.delivery(task.task_index).state is DeliveryState.DELIVERED
    assert failures(fin) == 0
    assert dev.client.rpc("eth_getTransactionCount", [writer.address, "latest"]) == nonce
    assert task.task_index in fin.settled
