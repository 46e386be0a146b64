"""In-memory chain, certifier and challenger for the aggregator core's unit tests.

They stand in for the ChainView/Certifier/Challenger protocols only (the web3 versions
run against anvil in tests/integration); signatures, verification and the SQLite store
in these tests are real.
"""

from __future__ import annotations

from pathlib import Path

from avs.backoff import Backoff
from avs.crypto.bls import KeyPair
from avs.errors import ChainError
from avs.metrics import AggregatorMetrics
from avs.protocol import Task
from avs.rpc.messages import ResponseSubmission
from avs_aggregator.aggregation import DigestGroup, TaskAggregation
from avs_aggregator.codec import TaskCodec
from avs_aggregator.core import AggregatorCore
from avs_aggregator.operators import OperatorSetState, RegisteredOperator
from avs_aggregator.protocols import Certification, CertifyResult
from avs_aggregator.store import TaskStore
from avs_aggregator.verification import GroupVerifier

KEYS = [KeyPair.from_secret(7000 + i) for i in range(4)]
CODEC = TaskCodec(31337, "0x" + "44" * 20)
CHALLENGE_WINDOW = 20
NO_WAIT = Backoff(initial=0.0, factor=1.0, maximum=0.0, jitter=0.0)
OUR_TX, THEIR_TX = b"\xaa" * 32, b"\xbb" * 32


def make_task(index: int = 1) -> Task:
    return Task(
        index,
        b"\x01" * 32,
        b"\x02" * 32,
        2,
        "avs-blob://x",
        b"\x00",
        6000,
        10,
        40,
        0,
        "0x" + "55" * 20,
    )


class MemoryChain:
    """ChainView over a fixed operator set; certificates live in ``certified``."""

    def __init__(self) -> None:
        self.certified: dict[int, Certification] = {}
        self.down = False

    def snapshot(self, task: Task) -> OperatorSetState:
        self._check()
        ops = {
            k.operator_id: RegisteredOperator(
                f"0x{i:040x}", k.operator_id, k.pubkey_g1, k.pubkey_g2, {0: 10}
            )
            for i, k in enumerate(KEYS)
        }
        return OperatorSetState(task.created_block, (0,), ops, {0: 40})

    def certification(self, task: Task) -> Certification | None:
        self._check()
        return self.certified.get(task.task_index)

    def last_evidence_block(self, task: Task) -> int:
        self._check()
        return task.deadline_block + CHALLENGE_WINDOW

    def _check(self) -> None:
        if self.down:
            raise ChainError("connection refused")


class RecordingCertifier:
    """Certifier that records what it was asked to certify; ``fail`` makes calls raise."""

    def __init__(self, chain: MemoryChain) -> None:
        self.chain = chain
        self.calls: list[tuple[int, bytes, list[bytes]]] = []
        self.groups: list[DigestGroup] = []
        self.fail = 0
        """How many of the next calls raise (an RPC outage)."""

    def certify(
        self,
        task: Task,
        snapshot: OperatorSetState,
        group: DigestGroup,
    ) -> CertifyResult:
        if self.fail:
            self.fail -= 1
            raise ChainError("respondToTask failed: connection refused")
        non_signers = sorted(op for op in snapshot.operators if op not in group.responses)
        self.calls.append((task.task_index, group.result_bytes, non_signers))
        self.groups.append(group)
        existing = self.chain.certified.get(task.task_index)
        if existing is not None:  # a competitor won the race
            return CertifyResult(existing.tx_hash, True, existing.result_digest)
        self.chain.certified[task.task_index] = Certification(group.result_digest, OUR_TX, True)
        return CertifyResult(OUR_TX, already_certified=False)


class RecordingChallenger:
    """Challenger that records each report (task, certified digest, equivocating operators)."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, bytes, list[bytes]]] = []
        self.fail = 0

    def report(self, task: Task, certified: DigestGroup, aggregation: TaskAggregation) -> None:
        if self.fail:
            self.fail -= 1
            raise ChainError("slashEquivocation failed: connection refused")
        liars = [first.operator_id for first, _second in aggregation.equivocations()]
        self.reports.append((task.task_index, certified.result_digest, liars))


def make_core(
    tmp_path: Path,
    verifier: GroupVerifier | None = None,
    max_pending_verifications: int = 64,
    *,
    challenger: RecordingChallenger | None = None,
    chain: MemoryChain | None = None,
    linger_seconds: float = 0,
    live_window_seconds: float = 60.0,
) -> tuple[AggregatorCore, RecordingCertifier, TaskStore]:
    chain = chain or MemoryChain()
    certifier = RecordingCertifier(chain)
    store = TaskStore(tmp_path / "tasks.sqlite")
    core = AggregatorCore(
        store,
        CODEC,
        chain,
        certifier,
        verifier or GroupVerifier(),
        AggregatorMetrics.create(),
        challenger=challenger,
        linger_seconds=linger_seconds,
        max_pending_verifications=max_pending_verifications,
        backoff=NO_WAIT,
        live_window_seconds=live_window_seconds,
    )
    return core, certifier, store


def signed(i: int, task: Task, result: bytes, forge: bool = False) -> ResponseSubmission:
    message = CODEC.message_hash(CODEC.task_hash(task), b"forged" if forge else result)
    return ResponseSubmission(task.task_index, KEYS[i].operator_id, result, KEYS[i].sign(message))
