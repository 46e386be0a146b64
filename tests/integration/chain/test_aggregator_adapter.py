"""The aggregator's chain adapter on real contracts: losing a race costs no gas and is
recorded as a competitor's certificate, and equivocation evidence it holds ends in a slash
(the "certified by someone else" and equivocation branches, issue 13)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from eth_account import Account

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.compiled import load_artifact
from avs.chain.delivery import ConsumerRequest, DeliveryState
from avs.chain.devkit import DEVNET_GAS
from avs.chain.events import FAULT_EQUIVOCATION
from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.errors import ContractRevert
from avs.metrics import AggregatorMetrics
from avs.protocol import Task, result_digest
from avs_aggregator.aggregation import AddOutcome, DigestGroup, SignedResponse, TaskAggregation
from avs_aggregator.chain_adapter import ChainAdapter

from .systems import SMALL_PARAMS, SmallSystem

A, B = b"result A", b"result B"


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def adapter_of(system: SmallSystem, key_index: int) -> tuple[ChainAdapter, AggregatorMetrics]:
    """An aggregator's adapter signing with anvil dev account ``key_index``."""
    dev = system.dev
    metrics = AggregatorMetrics.create()
    client = dev.client.with_account(DEV_PRIVATE_KEYS[key_index])
    client = client.with_revert_observer(metrics.reverted.observe)  # as the aggregator does
    reader, writer = ChainReader(client, dev.deployment), ChainWriter(client, dev.deployment)
    return ChainAdapter(reader, writer), metrics


def aggregation_of(
    system: SmallSystem, adapter: ChainAdapter, task: Task, liar: int | None = None
) -> TaskAggregation:
    """Every operator signs A; ``liar`` also signs B (kept as equivocation evidence)."""
    dev = system.dev
    aggregation = TaskAggregation(adapter.snapshot(task), task.threshold_bps)
    for result, signers in ((A, dev.operators), (B, [] if liar is None else [dev.operators[liar]])):
        for op_id, signature in dev.sign(task, result, signers).items():
            outcome = aggregation.add(
                SignedResponse(op_id, result, result_digest(result), signature)
            )
            assert outcome in (AddOutcome.ACCEPTED, AddOutcome.CONFLICT)
    return aggregation


def group_a(aggregation: TaskAggregation) -> DigestGroup:
    (group,) = [g for g in aggregation.groups() if g.result_digest == result_digest(A)]
    return group


def test_losing_the_race_sends_nothing_and_names_the_winner(small_system: SmallSystem) -> None:
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0, 1])
    ours, metrics = adapter_of(small_system, 3)
    aggregation = aggregation_of(small_system, ours, task)
    _certificate, theirs = dev.certify(task, A, dev.operators)  # a competing aggregator
    address = Account.from_key(DEV_PRIVATE_KEYS[3]).address
    nonce_before = dev.client.rpc("eth_getTransactionCount", [address, "latest"])

    result = ours.certify(task, aggregation.snapshot, group_a(aggregation))

    assert result.already_certified
    assert result.tx_hash == theirs.tx_hash
    assert result.result_digest == result_digest(A)
    # No transaction was sent, so no gas burnt and no revert counted.
    assert dev.client.rpc("eth_getTransactionCount", [address, "latest"]) == nonce_before
    reverted = metrics.registry.get_sample_value(
        "avs_reverted_transactions_total", {"function": "respondToTask"}
    )
    assert reverted is None
    seen = ours.certification(task)
    assert seen is not None
    assert not seen.by_self
    assert (
        ours.last_evidence_block(task) == task.deadline_block + SMALL_PARAMS.challenge_window_blocks
    )


def test_own_certificate_is_recorded_as_ours(small_system: SmallSystem) -> None:
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0, 1])
    ours, _metrics = adapter_of(small_system, 3)
    aggregation = aggregation_of(small_system, ours, task)
    result = ours.certify(task, aggregation.snapshot, group_a(aggregation))
    assert not result.already_certified
    seen = ours.certification(task)
    assert seen is not None
    assert seen.by_self
    assert seen.tx_hash == result.tx_hash


def test_certificate_of_a_task_with_a_consumer_carries_its_result_bytes(
    small_system: SmallSystem,
) -> None:
    dev = small_system.dev
    consumer = dev.client.deploy(
        load_artifact("VerdictRegistry"), dev.deployment.contracts["TaskManager"]
    )
    task = dev.create_task(
        small_system.float_model, [0, 1], consumer=ConsumerRequest(consumer.address)
    )
    ours, _metrics = adapter_of(small_system, 3)
    aggregation = aggregation_of(small_system, ours, task)
    ours.certify(task, aggregation.snapshot, group_a(aggregation))
    assert dev.reader.published_result(task.task_index, task) == A
    assert dev.reader.delivery(task.task_index).state is DeliveryState.DELIVERED
    recorded, *_ = dev.client.call(consumer, "verdictOf", task.task_index)
    assert recorded


def test_equivocation_evidence_goes_through_the_challenger_to_a_slash(
    small_system: SmallSystem,
) -> None:
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0, 1])
    liar = dev.operators[2]
    winner, _ = adapter_of(small_system, 3)
    loser, _ = adapter_of(small_system, 4)
    aggregation = aggregation_of(small_system, loser, task, liar=2)
    assert len(aggregation.equivocations()) == 1
    # The competitor certifies without the evidence; the loser still holds it and reports.
    winner.certify(task, aggregation.snapshot, group_a(aggregation))
    lost = loser.certify(task, aggregation.snapshot, group_a(aggregation))
    assert lost.already_certified
    assert not dev.reader.is_slashed(task.task_index, liar.operator_id, FAULT_EQUIVOCATION)

    loser.report(task, group_a(aggregation), aggregation)

    assert dev.reader.is_slashed(task.task_index, liar.operator_id, FAULT_EQUIVOCATION)
    honest = [op for op in dev.operators if op is not liar]
    assert not any(
        dev.reader.is_slashed(task.task_index, op.operator_id, FAULT_EQUIVOCATION) for op in honest
    )
    loser.report(task, group_a(aggregation), aggregation)  # again after a restart: a no-op


def test_every_mined_revert_is_counted_by_function_with_its_gas(
    small_system: SmallSystem,
) -> None:
    """Not only certificates: any transaction of the aggregator's key that is mined and
    reverts (evidence, refunds, stake refreshes) is counted under its function."""
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0, 1])
    certificate, _receipt = dev.certify(task, A, dev.operators)
    metrics = AggregatorMetrics.create()
    client = dev.client.with_account(DEV_PRIVATE_KEYS[3])
    client = client.with_revert_observer(metrics.reverted.observe)  # as the aggregator does
    # A fixed gas limit skips the estimate, so the failing transactions are mined.
    writer = ChainWriter(client.with_fixed_gas(DEVNET_GAS), dev.deployment)
    burnt: dict[str, int] = {}
    sends: list[tuple[str, Callable[[], object]]] = [
        ("respondToTask", lambda: writer.respond_to_task(task, certificate)),
        ("refundExpiredTask", lambda: writer.refund_expired_task(task)),
    ]
    for function, send in sends:
        with pytest.raises(ContractRevert) as err:
            send()
        assert err.value.gas_used > 0
        burnt[function] = err.value.gas_used

    for function, gas in burnt.items():
        labels = {"function": function}
        assert metrics.registry.get_sample_value("avs_reverted_transactions_total", labels) == 1
        assert metrics.registry.get_sample_value("avs_reverted_gas_total", labels) == gas


def in_mempool(system: SmallSystem, key_index: int) -> bool:
    """Whether dev account ``key_index`` has a transaction waiting to be mined."""
    sender = Account.from_key(DEV_PRIVATE_KEYS[key_index]).address.lower()
    pending = system.dev.client.rpc("txpool_content")["pending"]
    return sender in {address.lower() for address in pending}


def test_evidence_a_competitor_already_sent_is_not_sent_again(small_system: SmallSystem) -> None:
    """Regression (issue 13, competing-aggregators: 9 slashWrongResult mined and reverted,
    3.6 M gas): two aggregators holding the same evidence both sent it, the second estimated
    against the latest block, where the first was not mined yet. Against the pending block
    the duplicate reverts in the estimate and nothing is sent."""
    dev = small_system.dev
    task = dev.create_task(small_system.float_model, [0, 1])
    liar = dev.operators[2]
    first, _ = adapter_of(small_system, 3)
    second, second_metrics = adapter_of(small_system, 4)
    aggregation = aggregation_of(small_system, first, task, liar=2)
    second_sender = Account.from_key(DEV_PRIVATE_KEYS[4]).address
    nonce_before = dev.client.rpc("eth_getTransactionCount", [second_sender, "latest"])
    errors: list[BaseException] = []

    def report(adapter: ChainAdapter) -> None:
        try:
            adapter.report(task, group_a(aggregation), aggregation)
        except BaseException as exc:  # examined below
            errors.append(exc)

    dev.client.rpc("evm_setAutomine", [False])  # the first evidence waits in the mempool
    try:
        sending = threading.Thread(target=report, args=(first,))
        sending.start()
        deadline = time.monotonic() + 30
        while not in_mempool(small_system, 3):
            assert not errors, errors
            assert time.monotonic() < deadline, "the first evidence was never sent"
            time.sleep(0.05)
        racing = threading.Thread(target=report, args=(second,))
        racing.start()
        # Nothing is mined until the second has decided: refused, or sent (before the fix).
        while racing.is_alive() and not in_mempool(small_system, 4):
            assert time.monotonic() < deadline, "the second aggregator never decided"
            time.sleep(0.05)
        dev.client.rpc("evm_mine")
        sending.join(30)
        racing.join(30)
    finally:
        dev.client.rpc("evm_setAutomine", [True])

    assert dev.reader.is_slashed(task.task_index, liar.operator_id, FAULT_EQUIVOCATION)
    assert len(errors) == 1, errors
    (refused,) = errors
    assert isinstance(refused, ContractRevert)
    assert refused.gas_used == 0  # refused by the estimate, never mined
    assert dev.client.rpc("eth_getTransactionCount", [second_sender, "latest"]) == nonce_before
    assert second_metrics.registry.get_sample_value("avs_reverted_transactions_total") is None
