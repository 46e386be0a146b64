"""Gas of composable settlement (issue 16), used by ``benchmarks/gas.py``:

- ``respond_with_result``: respondToTaskWithResult of a task whose consumer waits for the
  challenge window (the bytes in calldata, their hash stored, ResultPublished) for 16 and
  256 inputs, next to respondToTask of the same task shape without a consumer.
- ``create_task_with_consumer``: createTaskWithConsumer next to createTask.
- ``callback_overhead``: what delivering at certification (deliverBeforeFinal) adds to
  respondToTaskWithResult of a deferred delivery, when the consumer does nothing (the
  gas-checked call, its calldata, ResultDelivered), and with the example VerdictRegistry
  (its own work included).
- ``finalize``: finalize of 16 and 256 inputs to a consumer that does nothing.

All tasks are certified by the 16 operators of quorum 1 with no non-signer; respond and
create rows are means over SAMPLES tasks.
"""

from __future__ import annotations

from typing import Any

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.chain.delivery import ConsumerRequest
from avs.chain.devkit import DevSystem
from avs.protocol import inputs_root

QUORUM = 1
SIGNERS = 16
IGNORE = 5
"""ScriptedConsumer.Behaviour.Ignore."""
URI = "avs-blob://0x" + "ab" * 32
SAMPLES = 4
"""Tasks averaged per respond row."""


def consumer_rows(system: DevSystem, exact_model: bytes, threshold: int) -> dict[str, Any]:
    """The rows above, on ``system`` (64 operators, quorum 1 = the first 16)."""
    client = system.client
    noop = client.deploy(load_artifact("ScriptedConsumer"))
    client.transact(noop, "setBehaviour", IGNORE)
    tm = system.deployment.contracts["TaskManager"]
    verdicts = client.deploy(load_artifact("VerdictRegistry"), tm)
    bench = _Bench(system, threshold)
    # warm-up: the task counter, the model's slots, the consumer's first delivery record
    bench.run(exact_model, 16, None)
    bench.run(exact_model, 16, noop)
    out: dict[str, Any] = {"respond_with_result": [], "finalize": []}
    for inputs in (16, 256):
        plain = bench.mean(exact_model, inputs, None)
        deferred = bench.mean(exact_model, inputs, noop)
        out["respond_with_result"].append(
            {"inputs": inputs, "gas": deferred["respond"], "plain_respond": plain["respond"]}
        )
        out["finalize"].append({"inputs": inputs, "gas": bench.finalize(deferred["last"])})
        if inputs == 16:
            out["create_task_with_consumer"] = {
                "gas": deferred["create"],
                "plain_create_task": plain["create"],
            }
    # the same exact task delivered at certification (not final) instead of deferred
    deferred_16 = out["respond_with_result"][0]["gas"]
    noop_now = bench.mean(exact_model, 16, noop, early=True)["respond"]
    verdicts_now = bench.mean(exact_model, 16, verdicts, early=True)["respond"]
    out["callback_overhead"] = {
        "inputs": 16,
        "noop_consumer": round(noop_now - deferred_16, 1),
        "verdict_registry": round(verdicts_now - deferred_16, 1),
    }
    out["samples"] = SAMPLES
    return out


class _Bench:
    def __init__(self, system: DevSystem, threshold: int) -> None:
        self.system = system
        self.threshold = threshold
        self.signers = system.operators[:SIGNERS]

    def run(
        self, model: bytes, inputs: int, consumer: Contract | None, *, early: bool = False
    ) -> dict[str, Any]:
        s = self.system
        leaves = [i.to_bytes(4, "big") for i in range(inputs)]
        request = (
            None
            if consumer is None
            else ConsumerRequest(consumer.address, deliver_before_final=early)
        )
        fee = s.reader.model(model).fee_per_input * inputs
        task, created = s.owner.create_task(
            model, inputs_root(leaves), inputs, URI, [QUORUM], self.threshold, 20, fee, request
        )
        s.mine()
        result = bytes(i % 10 for i in range(inputs))
        _, responded = s.certify(task, result, self.signers)
        return {
            "create": created.gas_used,
            "respond": responded.gas_used,
            "task": task,
            "result": result,
        }

    def mean(
        self, model: bytes, inputs: int, consumer: Contract | None, *, early: bool = False
    ) -> dict[str, Any]:
        """Mean gas of SAMPLES tasks (a certificate's gas varies by a few thousand with the
        try-and-increment steps of hashing its message to G1), and the last task run."""
        runs = [self.run(model, inputs, consumer, early=early) for _ in range(SAMPLES)]
        return {
            "create": round(sum(r["create"] for r in runs) / SAMPLES, 1),
            "respond": round(sum(r["respond"] for r in runs) / SAMPLES, 1),
            "last": runs[-1],
        }

    def finalize(self, run: dict[str, Any]) -> int:
        s = self.system
        s.close_challenge_window(run["task"])
        s.mine()
        return s.owner.finalize(run["task"].task_index, run["result"]).gas_used


def print_consumer_rows(rows: dict[str, Any]) -> None:
    """The rows for people (gas.py without --json)."""
    for row in rows["respond_with_result"]:
        print(
            f"respond with result, {row['inputs']:>3} inputs {row['gas']:>9,} "
            f"(plain {row['plain_respond']:,})"
        )
    c = rows["create_task_with_consumer"]
    print(f"createTaskWithConsumer {c['gas']:>9,} (plain {c['plain_create_task']:,})")
    o = rows["callback_overhead"]
    print(
        f"callback overhead    {o['noop_consumer']:>9,} (VerdictRegistry {o['verdict_registry']:,})"
    )
    for row in rows["finalize"]:
        print(f"finalize, {row['inputs']:>3} inputs   {row['gas']:>9,}")
