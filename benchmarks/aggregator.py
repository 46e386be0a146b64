"""Aggregator verification throughput and latency: plain per-signature checks vs batches.

Run: ``python benchmarks/aggregator.py --json``. Workload: 32 operators sign the same
msgHash per task, many tasks per batch (operators' keys are known and cached, as in a
running aggregator; every repetition uses a fresh verifier message cache, so hashing
each task's msgHash to G1 is inside the timing). Rows:

- aggregate_honest_32: responses/s of ``FastVerifier.batch_verify`` (every signature
  checked: soundness 2^-63) on batches of all-honest tasks;
- aggregate_one_bad_32: responses/s when one signature per task is invalid:
  ``find_invalid`` (batch check, identification, confirmation) must name exactly the bad
  ones; the bad signer is one faulty operator (the same in every task), the verifier
  starting with no memory of it;
- aggregate_one_bad_random_32: the same with the bad signer drawn at random per task;
- single_task_latency_32: aggregate 32 signatures and verify the aggregate (what a
  certificate needs), seconds;
- single_task_batch_verify_32: one task of 32 with every signature checked, seconds;
- submit_honest_under_forged_flood_32: honest responses/s through the aggregator's submit
  path while forged responses (same operator ids) arrive 4:1 (:mod:`benchmarks.flood`).

The baseline of every row is per-signature plain py_ecc checks (``bls.verify``); a few
are measured and the rate extrapolated (stated in each row's note).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from avs.crypto.batch_verify import FastVerifier, PlainVerifier, SignatureItem
from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import hash_to_g1
from avs.crypto.fast_curve import g1_mul, g2_mul, g2_to_affine
from avs.crypto.keccak import keccak256
from avs.crypto.points import G2_GENERATOR, G1Point, G2Point, R
from benchmarks.common import Row, emit, median_time, parse_args, pin_to_one_core, row
from benchmarks.flood import flood_rows

OPERATORS = 32


def make_keys(rng: random.Random) -> list[tuple[int, G2Point]]:
    out = []
    for _ in range(OPERATORS):
        sk = rng.randrange(1, R)
        q = g2_to_affine(g2_mul((G2_GENERATOR.x, G2_GENERATOR.y), sk))
        assert q is not None
        out.append((sk, G2Point(*q)))
    return out


def make_tasks(
    rng: random.Random, keys: list[tuple[int, G2Point]], tasks: int, bad: str
) -> tuple[list[SignatureItem], list[int]]:
    """Items for ``tasks`` tasks x 32 signers; ``bad`` is "", "same" or "random"."""
    items: list[SignatureItem] = []
    invalid: list[int] = []
    faulty = rng.randrange(OPERATORS)
    for _ in range(tasks):
        msg = keccak256(rng.randbytes(32))
        h = hash_to_g1(msg)
        bad_here = {"": -1, "same": faulty, "random": rng.randrange(OPERATORS)}[bad]
        wrong = hash_to_g1(keccak256(msg + b"another result"))
        for j, (sk, pk) in enumerate(keys):
            if j == bad_here:  # the operator signed another result: invalid for msg
                s = g1_mul((wrong.x, wrong.y), sk)
                invalid.append(len(items))
            else:
                s = g1_mul((h.x, h.y), sk)
            assert s is not None
            items.append(SignatureItem(msg, pk, G1Point(*s)))
    return items, invalid


def main() -> None:
    args = parse_args(__doc__ or "")
    pinned = pin_to_one_core()
    rng = random.Random(7)
    # honest batches: what an aggregator under load verifies at once; bad batches: their
    # cost is per bad task, so the batch size matters little
    honest_tasks, tasks, reps = (16, 16, 1) if args.quick else (256, 128, 3)
    keys = make_keys(rng)
    honest, _ = make_tasks(rng, keys, honest_tasks, "")
    same, same_bad = make_tasks(rng, keys, tasks, "same")
    rand, rand_bad = make_tasks(rng, keys, tasks, "random")
    n = len(same)  # tasks x 32 responses

    # baseline: per-signature plain py_ecc checks, a few measured, rate extrapolated
    plain = PlainVerifier()
    kp = KeyPair.from_secret(keys[0][0])
    probe = honest[0]
    assert plain.verify(kp.pubkey_g2, probe.message, probe.signature)
    pk, message, signature = kp.pubkey_g2, probe.message, probe.signature
    plain_one = median_time(lambda: plain.verify(pk, message, signature), 3, 0)
    base_rate = 1.0 / plain_one
    note_base = f"baseline: {plain_one:.3f} s per plain bls.verify (median of 3), extrapolated"

    warm = FastVerifier()
    warm.batch_verify(honest[:OPERATORS])  # keys' subgroup checks and lines, once per process

    def fresh() -> FastVerifier:
        return warm.sharing_key_caches()

    def run_honest() -> None:
        assert fresh().batch_verify(honest)

    def run_bad(items: list[SignatureItem], expected: list[int]) -> None:
        assert fresh().find_invalid(items) == expected

    rows: list[Row] = []
    t_honest = median_time(run_honest, reps)
    rows.append(
        row(
            "aggregate_honest_32",
            base_rate,
            len(honest) / t_honest,
            "responses/s",
            f"{honest_tasks} tasks x 32 signatures per batch_verify; {note_base}",
        )
    )
    t_same = median_time(lambda: run_bad(same, same_bad), reps)
    rows.append(
        row(
            "aggregate_one_bad_32",
            base_rate,
            n / t_same,
            "responses/s",
            f"{tasks} tasks, one faulty operator signs wrong in every task; find_invalid "
            f"names exactly the bad ones; {note_base}",
        )
    )
    t_rand = median_time(lambda: run_bad(rand, rand_bad), max(1, reps - 2))
    rows.append(
        row(
            "aggregate_one_bad_random_32",
            base_rate,
            n / t_rand,
            "responses/s",
            f"as aggregate_one_bad_32 but the bad signer is random per task; {note_base}",
        )
    )
    # single task: 32 signatures of one new msgHash
    task, _ = make_tasks(rng, keys, 1, "")
    pks = [it.pubkey_g2 for it in task]
    sigs = [it.signature for it in task]
    msg = task[0].message

    def latency() -> None:
        assert fresh().verify_aggregate(pks, msg, sigs)

    def latency_each() -> None:
        assert fresh().batch_verify(task)

    base_latency = OPERATORS * plain_one
    rows.append(
        row(
            "single_task_latency_32",
            base_latency,
            median_time(latency, reps * 3),
            "s",
            "aggregate 32 signatures + one aggregate check (signer set's key cached); "
            f"baseline: 32 plain checks ({note_base})",
        )
    )
    rows.append(
        row(
            "single_task_batch_verify_32",
            base_latency,
            median_time(latency_each, reps * 3),
            "s",
            f"one task, every signature checked (batch_verify); {note_base}",
        )
    )
    rows.extend(flood_rows(OPERATORS, max(1, reps - 1)))
    emit(rows, args.json, {"cpu": pinned, "repetitions": f"{reps} (baseline: 3 plain checks)"})


if __name__ == "__main__":
    main()
