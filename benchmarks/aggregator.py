"""Aggregator signature verification on the exact path a running aggregator takes.

Run: ``python benchmarks/aggregator.py --json`` (``make bench``). Workload: 32 operators
sign every task; a batch of N tasks (N = 1, 4, 16, 256) goes through what the aggregator
does with their 32 N responses:

1. arrival: every response is submitted to one ``ArrivalBatcher`` (the aggregator's
   intake, on its event loop and executor thread) at once, so they are checked in arrival
   batches of up to ``MAX_BATCH`` signatures (``GroupVerifier.all_valid``, and when a
   batch fails, ``GroupVerifier.valid_flags`` to tell the good from the bad);
2. certification: the N digest groups of the accepted responses go through
   ``GroupVerifier.invalid_signers`` in one call, as ``AggregatorCore.certify_ready``
   does with every group that is ready.

Every repetition starts a fresh ``GroupVerifier`` whose ``FastVerifier`` shares the
operators' key caches (subgroup checks and Miller-loop lines of registered keys, done
once per key in a running aggregator) and nothing else: each task's msgHash is hashed
to G1 inside the timing, and no signature or signer set was seen before.

Rows (responses/s, bigger is better):

- ``aggregate_honest_32_xN``: all responses valid;
- ``aggregate_one_bad_32_xN``: one faulty operator signs a wrong result in every task;
- ``aggregate_one_bad_random_32_xN``: one bad signer per task at a random position;
- ``aggregate_honest_32_x1_trickle``: one task whose 32 responses arrive one at a time;
- ``verify_one_response``: one response alone (a quiet aggregator's arrival check);

Baseline of the aggregate rows: the same responses checked one at a time with
``GroupVerifier.is_valid`` (one 2-pairing check on cached key lines per response, the
eigensdk-go way), measured in the same run on 32 responses. The context reports plain
py_ecc ``bls.verify`` as well. ``submit_honest_under_forged_flood_32`` times
``AggregatorCore.submit`` under forged traffic (:mod:`benchmarks.flood`).

Which N does a running aggregator see? ``benchmarks/load.py --operators 32 --tasks 12
--rate 1`` (a real aggregator process, 1-s blocks) measured 157 arrival batches for 384
responses: mean 2.4 signatures, 85 batches of one, none over 32. Responses of a task
reach it spread over milliseconds, and a batch holds what arrived during the previous
check, so a lightly loaded aggregator runs the ``_x1_trickle`` path (and has CPU to
spare); ``_x1`` and beyond are what it reaches as load grows and responses queue up.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from avs.crypto.batch_verify import FastVerifier, PlainVerifier
from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import g1_mul, hash_to_g1
from avs.crypto.keccak import keccak256
from avs.crypto.points import G1Point, R
from avs.logging import configure_logging
from avs_aggregator.arrivals import MAX_PENDING_VERIFICATIONS, ArrivalBatcher
from avs_aggregator.verification import GroupToVerify, GroupVerifier, SignerEntry
from benchmarks.common import Row, emit, median_time, parse_args, pin_to_one_core, row
from benchmarks.flood import flood_rows

OPERATORS = 32
BATCHES = (1, 4, 16, 256)
TRICKLE_MEASURED = "157 batches for 12 tasks x 32 responses, mean 2.4, 85 of one"
"""``benchmarks/load.py --operators 32 --tasks 12 --rate 1``: avs_verify_batch_size."""
KINDS = (("honest", ""), ("one_bad", "same"), ("one_bad_random", "random"))


@dataclass(frozen=True, slots=True)
class Workload:
    """N tasks' responses: the digest groups, and which (task, signer) must be rejected."""

    groups: list[GroupToVerify]
    bad: set[tuple[int, bytes]]


def make_keys(rng: random.Random) -> list[tuple[int, KeyPair]]:
    """The operators' secret keys and key pairs."""
    out = []
    for _ in range(OPERATORS):
        sk = rng.randrange(1, R)
        out.append((sk, KeyPair.from_secret(sk)))
    return out


def _sign(point: G1Point, sk: int) -> G1Point:
    return g1_mul(point, sk)


def make_workload(
    rng: random.Random, keys: list[tuple[int, KeyPair]], tasks: int, bad: str
) -> Workload:
    """``tasks`` tasks x 32 signers; ``bad`` is "" (none), "same" or "random"."""
    groups: list[GroupToVerify] = []
    wrong: set[tuple[int, bytes]] = set()
    faulty = rng.randrange(OPERATORS)
    for t in range(tasks):
        message = keccak256(rng.randbytes(32))
        h = hash_to_g1(message)
        bad_here = {"": -1, "same": faulty, "random": rng.randrange(OPERATORS)}[bad]
        signers = []
        for j, (sk, kp) in enumerate(keys):
            if j == bad_here:  # the operator signed another result: invalid for message
                signature = _sign(hash_to_g1(keccak256(message + b"another result")), sk)
                wrong.add((t, kp.operator_id))
            else:
                signature = _sign(h, sk)
            signers.append(SignerEntry(kp.operator_id, kp.pubkey_g2, signature))
        groups.append(GroupToVerify(message, signers))
    return Workload(groups, wrong)


class AggregatorPath:
    """The aggregator's verification of a batch of tasks: arrival, then certification."""

    def __init__(self, warm: FastVerifier) -> None:
        self._warm = warm
        self._loop = asyncio.new_event_loop()

    def close(self) -> None:
        """Close the event loop."""
        self._loop.close()

    def run(self, work: Workload, trickle: bool = False) -> None:
        """Verify ``work`` as the aggregator does; assert it accepts exactly the valid ones.

        ``trickle``: responses arrive one after the other, each checked before the next
        arrives (arrival batches of one), instead of all at once."""
        verifier = GroupVerifier(self._warm.sharing_key_caches())
        accepted = self._loop.run_until_complete(self._arrive(verifier, work, trickle))
        ready = [
            GroupToVerify(g.message, [s for s in g.signers if (t, s.operator_id) in accepted])
            for t, g in enumerate(work.groups)
        ]
        assert verifier.invalid_signers(ready) == [[] for _ in ready]

    async def _arrive(
        self, verifier: GroupVerifier, work: Workload, trickle: bool
    ) -> set[tuple[int, bytes]]:
        submitted = [(t, s) for t, g in enumerate(work.groups) for s in g.signers]
        # x256 queues 8192 responses at once, beyond the default bound on waiting checks
        # (which would refuse the excess as busy): the row times the checks of an
        # aggregator whose bound (max_pending_verifications) admits the whole burst
        bound = max(len(submitted), MAX_PENDING_VERIFICATIONS)
        batcher = ArrivalBatcher(verifier, max_pending=bound)
        if trickle:
            answers = [await batcher.is_valid(work.groups[t].message, s) for t, s in submitted]
        else:
            answers = await asyncio.gather(
                *(batcher.is_valid(work.groups[t].message, s) for t, s in submitted)
            )
        accepted = set()
        for (t, s), ok in zip(submitted, answers, strict=True):
            assert ok is ((t, s.operator_id) not in work.bad), (t, s.operator_id.hex())
            if ok:
                accepted.add((t, s.operator_id))
        return accepted


def one_at_a_time(warm: FastVerifier, work: Workload) -> Callable[[], None]:
    """The baseline: every response checked alone with ``GroupVerifier.is_valid``."""

    def run() -> None:
        verifier = GroupVerifier(warm.sharing_key_caches())
        for t, group in enumerate(work.groups):
            for s in group.signers:
                ok = verifier.is_valid(group.message, s)
                assert ok is ((t, s.operator_id) not in work.bad)

    return run


def _run_next(path: AggregatorPath, works: list[Workload], trickle: bool = False) -> None:
    path.run(works.pop(), trickle)  # every repetition verifies new tasks


def main() -> None:
    args = parse_args(__doc__ or "")
    configure_logging("warning")  # logs go to stderr; stdout carries only the report
    pinned = pin_to_one_core()
    rng = random.Random(7)
    batches = BATCHES[:3] if args.quick else BATCHES
    keys = make_keys(rng)
    warm = FastVerifier()
    warm.warm_up(kp.pubkey_g2 for _, kp in keys)

    base_work = make_workload(rng, keys, 1, "")
    t_base = median_time(one_at_a_time(warm, base_work), 1 if args.quick else 3)
    base_rate = OPERATORS / t_base
    note_base = f"baseline: GroupVerifier.is_valid per response, {base_rate:.0f}/s"

    path = AggregatorPath(warm)
    rows: list[Row] = []
    try:
        for kind, bad in KINDS:
            for n in batches:
                reps = 1 if args.quick or n >= 256 else 3
                works = [make_workload(rng, keys, n, bad) for _ in range(reps + 1)]
                seconds = median_time(partial(_run_next, path, works), reps)
                rows.append(
                    row(
                        f"aggregate_{kind}_32_x{n}",
                        base_rate,
                        OPERATORS * n / seconds,
                        "responses/s",
                        f"{n} task(s) x 32 responses: arrival batches + invalid_signers; "
                        f"{note_base}",
                    )
                )
        works = [make_workload(rng, keys, 1, "") for _ in range(2 if args.quick else 4)]
        seconds = median_time(partial(_run_next, path, works, True), len(works) - 1)
        rows.append(
            row(
                "aggregate_honest_32_x1_trickle",
                base_rate,
                OPERATORS / seconds,
                "responses/s",
                "1 task x 32 responses arriving one at a time (arrival batches of one, what "
                f"benchmarks/load.py measured at 1 task/s: {TRICKLE_MEASURED}); {note_base}",
            )
        )
        single = base_work.groups[0]
        verifier = GroupVerifier(warm.sharing_key_caches())
        message, signer = single.message, single.signers[0]
        assert verifier.is_valid(message, signer)
        rows.append(
            row(
                "verify_one_response",
                None,
                median_time(lambda: verifier.is_valid(message, signer), 30),
                "s",
                "GroupVerifier.is_valid with the key's lines and the msgHash's point cached: "
                "one 2-pairing check (shared Miller loop + final exponentiation)",
            )
        )
    finally:
        path.close()
    rows.extend(flood_rows(OPERATORS, 1 if args.quick else 2))

    plain = PlainVerifier()
    probe = base_work.groups[0]
    pk, msg, sig = probe.signers[0].pubkey_g2, probe.message, probe.signers[0].signature
    plain_one = median_time(lambda: plain.verify(pk, msg, sig), 1 if args.quick else 3, 0)
    emit(
        rows,
        args.json,
        {
            "cpu": pinned,
            "plain_py_ecc_verify": f"{1 / plain_one:.2f} responses/s (bls.verify, median)",
            "repetitions": "3 (1 for x256 and with --quick), median",
        },
    )


if __name__ == "__main__":
    main()
