"""The devnet's composable-settlement demo: the two example consumer contracts act on
certified results.

``PayIfConfident`` escrows a payment released only if at least K inputs of an exact (int-mlp)
task get a target label: the aggregator delivers it through ``finalize`` once the challenge
window closed (the devnet gives the aggregator's watchtower WATCH_BLOCKS to challenge a wrong
certificate, then mines through the rest of the window instead of waiting for it).
``VerdictRegistry``
records the majority label of a non-exact (onnx-classify) task, delivered at certification.
Both outcomes are read back from the consumer contracts, not assumed.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.chain.delivery import ConsumerRequest, DeliveryState
from avs.chain.writer import ChainWriter
from avs.crypto.keccak import keccak256
from avs.devnet.workload import FEE_PER_INPUT, DevnetModel, PreparedTask, prepare_task
from avs.protocol import Task
from avs.tasks.demo import digits_test

if TYPE_CHECKING:
    from avs.devnet.session import Devnet

PAYMENT = 10**15
"""Wei PayIfConfident escrows."""
BOUNTY = 10**14
"""Wei escrowed for whoever delivers each demo result."""
PAYEE = "0x" + keccak256(b"edge-avs/devnet/payee")[-20:].hex()
WATCH_BLOCKS = 10
"""Blocks the watchtower gets to overturn the PayIfConfident task before the devnet mines
through the rest of its challenge window."""
DELIVERY_WAIT_S = 30.0
"""How long the aggregator gets to finalize the PayIfConfident task after its window."""
FIRST_INDEX = 1_000
"""Digits rows of the demo tasks start here (away from the workload's)."""


def run_consumer_demo(
    devnet: Devnet, inputs_per_task: int, threshold_bps: int, window: int, timeout: float
) -> dict[str, Any]:
    """Deploy both examples, run one task for each, and report what each contract did."""
    system = devnet.system
    writer = system.owner  # the deployer is the demo's client: idle once the set-up is done
    exact = next((m for m in devnet.models if m.task_type.exact), None)
    inexact = next((m for m in devnet.models if not m.task_type.exact), None)
    if exact is None or inexact is None:
        return {"skipped": "needs an exact and a non-exact demo model (the digits demo)"}
    tm = system.deployment.contracts["TaskManager"]
    pay = writer.client.deploy(load_artifact("PayIfConfident"), tm)
    verdicts = writer.client.deploy(load_artifact("VerdictRegistry"), tm)
    digits = digits_test()

    def prepared(model: DevnetModel, offset: int) -> PreparedTask:
        return prepare_task(FIRST_INDEX + offset, model, inputs_per_task, devnet.blobs, digits)

    pay_job, verdict_job = prepared(exact, 0), prepared(inexact, 1)
    # the payee is paid if the certified labels agree with the honest ones on the target
    target, k = Counter(pay_job.expected_result).most_common(1)[0]
    receipt = writer.client.transact(
        pay, "open", PAYEE, exact.model_id, target, k, 2**32 - 1, value=PAYMENT
    )
    agreement = pay.decode_logs(receipt.logs, "AgreementOpened")[0]["id"]
    create = (threshold_bps, window)
    pay_task = _create(
        writer, pay_job, create, ConsumerRequest(pay.address, context=_ctx(agreement))
    )
    verdict_task = _create(writer, verdict_job, create, ConsumerRequest(verdicts.address))
    _wait_settled(devnet, [pay_task, verdict_task], timeout)
    settled, delivered_by = _finalize(devnet, writer, pay, pay_task)

    c, reader = writer.client, system.reader
    recorded, final, label, votes, inputs, abstained, _model = c.call(
        verdicts, "verdictOf", verdict_task.task_index
    )
    return {
        "pay_if_confident": {
            "address": pay.address,
            "task_index": pay_task.task_index,
            "task_type": exact.task_type.id,
            "delivery": reader.delivery(pay_task.task_index).state.label,
            "delivered_by": delivered_by,
            "target_label": target,
            "min_matches": k,
            "matches": settled[0]["matches"] if settled else None,
            "inputs": pay_job.input_count,
            "paid": bool(settled[0]["paid"]) if settled else False,
            "payee_owed_wei": int(c.call1(pay, "owed", PAYEE)),
        },
        "verdict_registry": {
            "address": verdicts.address,
            "task_index": verdict_task.task_index,
            "task_type": inexact.task_type.id,
            "delivery": reader.delivery(verdict_task.task_index).state.label,
            "recorded": bool(recorded),
            "is_final": bool(final),
            "label": label,
            "votes": votes,
            "inputs": inputs,
            "abstained": abstained,
        },
    }


def _ctx(agreement: int) -> bytes:
    return agreement.to_bytes(32, "big")


def _create(
    writer: ChainWriter, job: PreparedTask, create: tuple[int, int], request: ConsumerRequest
) -> Task:
    threshold_bps, window = create
    task, _ = writer.create_task(
        job.model.model_id, job.inputs_root, job.input_count, job.blob_uri, [0],
        threshold_bps, window, FEE_PER_INPUT * job.input_count, request, BOUNTY,
    )  # fmt: skip
    return task


def _wait_settled(devnet: Devnet, tasks: list[Task], timeout: float) -> None:
    reader = devnet.system.reader
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        head = reader.client.block_number()
        if all(
            head > t.deadline_block or reader.certification(t.task_index, t) is not None
            for t in tasks
        ):
            return
        time.sleep(0.5)


def _finalize(
    devnet: Devnet, writer: ChainWriter, pay: Contract, task: Task
) -> tuple[list[Any], str | None]:
    """Give the aggregator's watchtower WATCH_BLOCKS to challenge a wrong certificate, mine
    through the rest of the challenge window (a devnet need not wait 100 blocks) and let the
    aggregator deliver (``finalize_consumer_tasks``); only if it has not within
    DELIVERY_WAIT_S does the devnet send ``finalize`` itself. Returns the AgreementSettled
    events and who delivered ("aggregator", "devnet"; None when there was nothing to
    deliver: expired, overturned)."""
    reader = devnet.system.reader
    certified = reader.certification(task.task_index, task)
    if certified is None:
        return [], None
    watched = certified.block_number + WATCH_BLOCKS
    while reader.client.block_number() < watched and _state(devnet, task) == "certified":
        time.sleep(0.5)
    record = reader.delivery(task.task_index)
    if record.state is not DeliveryState.CERTIFIED:
        return [], None
    head = reader.client.block_number()
    if head <= record.final_block:
        devnet.system.mine(record.final_block - head + 1)
    deadline = time.monotonic() + DELIVERY_WAIT_S
    while _state(devnet, task) == "certified" and time.monotonic() < deadline:
        time.sleep(0.5)
    by = "aggregator"
    result = reader.published_result(task.task_index, task)
    if _state(devnet, task) == "certified" and result is not None:
        writer.finalize(task.task_index, result)
        by = "devnet"
    settled = pay.abi.event("AgreementSettled").topic0
    logs = reader.client.get_logs(
        [pay.address], [settled], record.final_block, reader.client.block_number()
    )
    return pay.decode_logs(logs, "AgreementSettled"), by


def _state(devnet: Devnet, task: Task) -> str:
    return devnet.system.reader.delivery(task.task_index).state.label


def consumer_lines(summary: dict[str, Any]) -> list[str]:
    """Summary lines saying what each example consumer did."""
    demo = summary.get("consumers")
    if demo is None:
        return []
    if "skipped" in demo:
        return [f"consumers  skipped: {demo['skipped']}"]
    p, v = demo["pay_if_confident"], demo["verdict_registry"]
    if p["matches"] is None:
        pay = f"not settled (delivery {p['delivery']})"
    else:
        verdict = "payee paid" if p["paid"] else "payer refunded"
        pay = (
            f"{p['matches']}/{p['inputs']} inputs labelled {p['target_label']}, "
            f"K={p['min_matches']}: {verdict} {PAYMENT / 1e18:g} ETH"
        )
    lines = [
        f"consumers  PayIfConfident task {p['task_index']} ({p['task_type']}, after the "
        f"challenge window): delivery {p['delivery']}, {pay}"
    ]
    if v["recorded"]:
        final = "final" if v["is_final"] else "not final"
        lines.append(
            f"consumers  VerdictRegistry task {v['task_index']} ({v['task_type']}, at "
            f"certification): delivery {v['delivery']}, majority label {v['label']} "
            f"({v['votes']}/{v['inputs']} votes, {v['abstained']} abstained, {final})"
        )
    else:
        lines.append(
            f"consumers  VerdictRegistry task {v['task_index']}: no verdict "
            f"(delivery {v['delivery']})"
        )
    return lines
