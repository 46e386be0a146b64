"""Gas of the hot contract paths, measured on a fresh anvil (real EVM, prague rules).

Run: ``python benchmarks/gas.py --json``. Keys:

- ``register``: registerForOperatorSets of a new operator into one quorum (first key
  registration: proof-of-possession pairing, key storage, histories).
- ``create_task``: createTask in steady state (not the contract's first task).
- ``respond``: respondToTask for operators 4/16/64 x non-signers 0/1/8 at the deployment's
  default threshold (2/3 of the stake); combinations with more non-signers than operators,
  or whose signers hold less than the threshold, are skipped (listed in ``context``).
- ``per_inference``: (createTask + respondToTask + every signer's fee claim) / inputs, for
  1, 16 and 256 inputs per task (inputs travel by Merkle root + URI, so only the divisor
  changes). Claims are measured as operators make them: each signer claims 16 tasks in one
  ``claimFees``; ``claim_fees`` is the sum over the signers per task.
- ``claim_fees``: one operator claiming one task, and per task when claiming 16 at once.
- ``slash_equivocation``: verifying two signatures and slashing in one quorum.
- ``challenge_certificate``: overturning a wrong certificate of the shipped digits int-mlp
  (64-32-10) over 16 inputs, signed by the 4 operators of quorum 0: model and input in
  calldata, Merkle proof, on-chain re-execution, 4 signers checked and slashed, refund.
- ``slash_wrong_result``: one operator's signature on a wrong digits result, re-executed
  on chain and slashed in one quorum.
- ``consumer``: composable settlement (respond with result bytes for 16 and 256 inputs, the
  callback overhead, finalize; ``gas_consumers.py``).
- ``register_200th`` and ``respond_200``: 200 operators in one quorum (``gas_scale.py``).

Gas used comes from transaction receipts; it is deterministic for a given code and input,
so one run suffices (no timing involved).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from avs.chain.anvil import DEV_PRIVATE_KEYS, AnvilProcess
from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import WAD, DevSystem, OnboardedOperator
from avs.chain.views import FeeClaim
from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair
from avs.logging import configure_logging
from avs.protocol import Task, result_digest
from avs.tasks.int_mlp_weights import digits_encoding
from avs.testing.exact_tasks import ExactInputs
from avs.watchtower.evidence import build_proof
from benchmarks.gas_consumers import consumer_rows, print_consumer_rows
from benchmarks.gas_scale import non_signers_of, scale_rows, signed_bps

OPERATOR_COUNTS = (4, 16, 64)
NON_SIGNERS = (0, 1, 8)
BATCHES = (1, 16, 256)
QUORUM_OF = {4: 0, 16: 1, 64: 2}
"""Quorum 0 holds the first 4 operators, quorum 1 the first 16, quorum 2 all 64."""
RESULT = b"\x01" * 256  # e.g. one label byte per input of a 256-input task
URI = "avs-blob://0x" + "ab" * 32
THRESHOLD = DeployParams().min_threshold_bps
"""Tasks use the deployment's default (and lowest allowed) threshold."""
CLAIM_BATCH = 16


def quorums_of(i: int) -> list[int]:
    return [q for n, q in QUORUM_OF.items() if i < n]


def build() -> tuple[AnvilProcess, DevSystem]:
    node = AnvilProcess()
    client = ChainClient.connect(node.start(), DEV_PRIVATE_KEYS[0])
    params = DeployParams(quorum_count=3, max_inputs_per_task=4096)
    system = DevSystem.deploy(client, params)
    system.add_operators(64, quorums_of, lambda i: (10 + i) * 10**18, seed=b"gas", bulk=True)
    return node, system


def respond_gas(system: DevSystem, model: bytes, operators: int, non_signers: int) -> int | None:
    """Gas of one certificate; None when the signers hold less than the threshold."""
    quorum = QUORUM_OF[operators]
    members = system.operators[:operators]
    skip = non_signers_of(members, non_signers)
    if signed_bps(system, quorum, skip) < THRESHOLD:
        return None
    task = system.create_task(model, [quorum], threshold_bps=THRESHOLD)
    _, receipt = system.certify(task, RESULT, [op for op in members if op.operator_id not in skip])
    return receipt.gas_used


def respond_rows(system: DevSystem, model: bytes) -> tuple[list[dict[str, int]], list[str]]:
    """The ``respond`` rows and the combinations skipped for missing the threshold."""
    rows, skipped = [], []
    for n in OPERATOR_COUNTS:
        for k in NON_SIGNERS:
            if k >= n:
                continue
            gas = respond_gas(system, model, n, k)
            if gas is None:
                skipped.append(f"{n} operators, {k} non-signers: below the threshold")
            else:
                rows.append({"operators": n, "non_signers": k, "gas": gas})
    return rows, skipped


def claims_per_task(system: DevSystem, model: bytes, signers: list[OnboardedOperator]) -> float:
    """Gas all ``signers`` spend claiming their fee shares of one task, each claiming
    :data:`CLAIM_BATCH` tasks per claimFees (the per-task cost of the batch)."""
    tasks = [task_pair(system, model, 1, signers)[2] for _ in range(CLAIM_BATCH)]
    claims = []
    for task in tasks:
        certified = system.reader.certification(task.task_index, task)
        assert certified is not None
        claims.append(FeeClaim(task, certified))
    system.close_challenge_window(tasks[-1])
    total = sum(op.writer.claim_fees(claims)[1].gas_used for op in signers)
    return total / CLAIM_BATCH


def task_pair(
    system: DevSystem, model: bytes, batch: int, signers: list[OnboardedOperator]
) -> tuple[int, int, Task]:
    inputs = [i.to_bytes(4, "big") for i in range(batch)]
    fee = system.reader.model(model).fee_per_input * batch
    task, created = system.owner.create_task(
        model, _root(inputs), batch, URI, [QUORUM_OF[len(signers)]], THRESHOLD, 20, fee
    )
    system.mine()
    _, receipt = system.certify(task, RESULT, signers)
    return created.gas_used, receipt.gas_used, task


def _root(inputs: list[bytes]) -> bytes:
    from avs.protocol import inputs_root

    return inputs_root(inputs)


def register_gas(system: DevSystem) -> dict[str, int]:
    out = {}
    for tag, quorums in (("register", [2]), ("register_two_quorums", [1, 2])):
        key = bytes([0x70 + len(quorums)]) * 32
        writer = ChainWriter(system.client.with_account(key), system.deployment)
        system.client.send_value(writer.address, 10**18)
        system.owner.mint(writer.address, 100 * 10**18)
        writer.register_as_operator()
        writer.deposit(100 * 10**18)
        writer.allocate({q: WAD // len(quorums) for q in quorums})
        out[tag] = writer.register_operator(
            quorums, KeyPair.from_secret(0xBEEF + len(quorums))
        ).gas_used
    return out


def measure() -> dict[str, Any]:
    node, system = build()
    try:
        model = system.register_model("int-mlp", fee_per_input=10**9, encoding=digits_encoding())
        report: dict[str, Any] = dict(register_gas(system))
        # steady-state createTask: the first task pays for initialising the task counter
        task_pair(system, model, 1, system.operators[:16])
        created, _, _ = task_pair(system, model, 1, system.operators[:16])
        report["create_task"] = created
        report["respond"], skipped = respond_rows(system, model)
        report["per_inference"] = []
        for n in (16, 64):
            claims = claims_per_task(system, model, system.operators[:n])
            for batch in BATCHES:
                c, r, _ = task_pair(system, model, batch, system.operators[:n])
                report["per_inference"].append(
                    {"batch": batch, "operators": n, "non_signers": 0, "create_task": c,
                     "respond": r, "claim_fees": round(claims, 1),
                     "gas": round((c + r + claims) / batch, 1)}
                )  # fmt: skip
        report["claim_fees"] = claim_gas(system, model)
        report["slash_equivocation"] = slash_gas(system, model)
        report.update(reexecution_gas(system, model))
        report["consumer"] = consumer_rows(system, model, THRESHOLD)
        report.update(scale_rows(system, model, THRESHOLD))  # last: it grows quorum 2 to 200
        report["context"] = {
            "evm": "anvil (prague), solc 0.8.30 optimizer 200 runs",
            "respond_threshold_bps": THRESHOLD,
            "respond_skipped": skipped,
            "claims_per_claim_fees_call": CLAIM_BATCH,
            "result_bytes": len(RESULT),
            "inputs_uri_chars": len(URI),
        }
        return report
    finally:
        node.stop()


def claim_gas(system: DevSystem, model: bytes) -> dict[str, float]:
    signers = system.operators[:16]
    tasks = [task_pair(system, model, 4, signers)[2] for _ in range(17)]
    claims = []
    for task in tasks:
        certified = system.reader.certification(task.task_index)
        assert certified is not None
        claims.append(FeeClaim(task, certified))
    system.close_challenge_window(tasks[-1])
    claimer = signers[0].writer
    _, one = claimer.claim_fees(claims[:1])
    _, many = claimer.claim_fees(claims[1:])
    return {"one_task": one.gas_used, "per_task_in_batch_of_16": round(many.gas_used / 16, 1)}


def reexecution_gas(system: DevSystem, model: bytes) -> dict[str, int]:
    """Gas of a certificate challenge and of a wrong-result slash on the digits int-mlp."""
    inputs = ExactInputs.digits(16)
    signers = system.operators[:4]  # quorum 0
    task = system.create_task(model, [0], inputs=list(inputs.leaves), threshold_bps=THRESHOLD)
    wrong = inputs.wrong(5)
    system.certify(task, wrong, signers)
    certified = system.reader.certification(task.task_index, task)
    assert certified is not None
    ordered = [op.address for op in sorted(signers, key=lambda op: op.operator_id)]
    challenge = system.owner.challenge_certificate(
        task, certified, build_proof(wrong, 5, digits_encoding(), inputs.leaves), ordered
    )
    task = system.create_task(model, [0], inputs=list(inputs.leaves), threshold_bps=THRESHOLD)
    op = signers[0]
    sig = system.sign(task, wrong, [op])[op.operator_id]
    slash = system.owner.slash_wrong_result(
        task, op.address, op.keypair.pubkey_g2, (result_digest(wrong), sig),
        build_proof(wrong, 5, digits_encoding(), inputs.leaves),
    )  # fmt: skip
    return {"challenge_certificate": challenge.gas_used, "slash_wrong_result": slash.gas_used}


def slash_gas(system: DevSystem, model: bytes) -> int:
    op = system.operators[40]  # in quorum 2 only
    task = system.create_task(model, [2], threshold_bps=THRESHOLD)
    sig = {r: system.sign(task, r, [op])[op.operator_id] for r in (b"a", b"b")}
    receipt = system.owner.slash_equivocation(
        task, op.address, op.keypair.pubkey_g2, (result_digest(b"a"), sig[b"a"]),
        (result_digest(b"b"), sig[b"b"]),
    )  # fmt: skip
    return receipt.gas_used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    configure_logging("warning")  # logs go to stderr; stdout carries only the report
    report = measure()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"register             {report['register']:>9,}")
    print(f"register (2 quorums) {report['register_two_quorums']:>9,}")
    print(f"createTask           {report['create_task']:>9,}")
    for row in report["respond"]:
        print(
            f"respond {row['operators']:>2} ops {row['non_signers']} non-signers {row['gas']:>9,}"
        )
    for row in report["per_inference"]:
        print(
            f"per inference, batch {row['batch']:>3}, {row['operators']} ops {row['gas']:>11,.1f}"
        )
    print(f"claimFees            {report['claim_fees']}")
    print(f"register 200th       {report['register_200th']:>9,}")
    for row in report["respond_200"]:
        print(f"respond 200 ops {row['non_signers']:>2} non-signers {row['gas']:>9,}")
    print(f"slashEquivocation    {report['slash_equivocation']:>9,}")
    print_consumer_rows(report["consumer"])


if __name__ == "__main__":
    main()
