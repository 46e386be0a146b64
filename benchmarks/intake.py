"""Aggregator intake: verifying arriving responses one by one vs in shared batches.

Run: ``python benchmarks/intake.py --json``. Workload: 32 operators answer 3 tasks at
once (what a 32-operator AVS with 1 s blocks sends an aggregator every second). Rows:

- arrivals_one_by_one_vs_batched_32x3: responses/s the aggregator verifies; baseline: one
  ``GroupVerifier.is_valid`` (a 2-pairing check on cached key lines) per response, as each
  submission was checked before; new: ``ArrivalBatcher`` with the 96 submissions arriving
  together (one batch check, every signature still checked);
- arrivals_with_forgeries_32x3: the same with 8 forged submissions in operators' names
  mixed in (the batch must locate them); baseline as above.

Both verifiers have the operators' keys warm (as in a running aggregator); every
repetition signs new messages, so hashing to G1 is inside the timing.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from avs.crypto.bls import KeyPair
from avs.crypto.keccak import keccak256
from avs_aggregator.arrivals import ArrivalBatcher
from avs_aggregator.verification import GroupVerifier, SignerEntry
from benchmarks.common import Row, emit, median_time, parse_args, pin_to_one_core, row

OPERATORS, TASKS, FORGED = 32, 3, 8
KEYS = [KeyPair.from_secret(31_000 + i) for i in range(OPERATORS)]
STRANGER = KeyPair.from_secret(4_242_424)


def arrivals(round_no: int, forged: int) -> list[tuple[bytes, SignerEntry, bool]]:
    """One second of traffic: every operator signs every task; ``forged`` fakes added."""
    out = []
    for t in range(TASKS):
        message = keccak256(round_no.to_bytes(8, "big") + bytes([t]))
        for key in KEYS:
            out.append(
                (message, SignerEntry(key.operator_id, key.pubkey_g2, key.sign(message)), True)
            )
        for key in KEYS[: forged // TASKS + (t < forged % TASKS)]:
            fake = SignerEntry(key.operator_id, key.pubkey_g2, STRANGER.sign(message))
            out.append((message, fake, False))
    return out


def main() -> None:
    args = parse_args(__doc__ or "")
    pinned = pin_to_one_core()
    reps = 1 if args.quick else 3
    one_by_one, batched = GroupVerifier(), GroupVerifier()
    warm = arrivals(0, 0)[:OPERATORS]
    for verifier in (one_by_one, batched):
        verifier.invalid_signers([])  # no-op; keys are warmed by the first real round below
        for message, signer, _ok in warm:
            assert verifier.is_valid(message, signer)
    rounds = iter(range(1, 1_000))

    def sequential(forged: int) -> float:
        traffic = arrivals(next(rounds), forged)

        def run() -> None:
            for message, signer, ok in traffic:
                assert one_by_one.is_valid(message, signer) is ok

        return median_time(run, reps, 0) / len(traffic)

    def shared(forged: int) -> float:
        traffic = arrivals(next(rounds), forged)

        async def together() -> None:
            batcher = ArrivalBatcher(batched)
            answers = await asyncio.gather(*(batcher.is_valid(m, s) for m, s, _ in traffic))
            assert list(answers) == [ok for _m, _s, ok in traffic]

        return median_time(lambda: asyncio.run(together()), reps, 0) / len(traffic)

    rows: list[Row] = []
    for name, forged, note in (
        ("arrivals_one_by_one_vs_batched_32x3", 0, "all honest"),
        ("arrivals_with_forgeries_32x3", FORGED, f"{FORGED} forged submissions located"),
    ):
        base, new = sequential(forged), shared(forged)
        rows.append(
            row(name, 1 / base, 1 / new, "responses/s", f"{note}; {OPERATORS} operators x {TASKS}")
        )
    emit(rows, args.json, {"cpu": pinned, "repetitions": str(reps)})


if __name__ == "__main__":
    main()
