"""Exact (int-mlp) tasks over real digits inputs, for tests of re-execution slashing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from avs.chain.devkit import DevSystem, OnboardedOperator
from avs.chain.evidence import ReExecutionProof
from avs.crypto.points import G1Point
from avs.protocol import Task, result_digest
from avs.tasks.demo import digits_test, model_bytes
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_weights import DIGITS_MODEL, digits_encoding
from avs.watchtower.evidence import build_proof


@dataclass(frozen=True, slots=True)
class ExactInputs:
    """Held-out digits for an int-mlp task and the correct (re-executed) result."""

    leaves: tuple[bytes, ...]
    """The inputs' canonical bytes."""
    correct: bytes
    """What onnxruntime (and the verifier) compute."""

    @classmethod
    def digits(cls, count: int, offset: int = 0) -> ExactInputs:
        """``count`` held-out digits from ``offset``, labelled by the shipped int-mlp."""
        task_type = IntMlp()
        rows = digits_test().features[offset : offset + count]
        blob = task_type.encode_inputs(np.asarray(rows))
        loaded = task_type.load_model(model_bytes(DIGITS_MODEL))
        return cls(task_type.decode_inputs(blob).leaves, task_type.execute(loaded, blob))

    def wrong(self, index: int = 1) -> bytes:
        """The correct result with entry ``index`` changed."""
        out = bytearray(self.correct)
        out[index] = (out[index] + 1) % 10
        return bytes(out)

    def proof(self, result: bytes, index: int = 1) -> ReExecutionProof:
        """Re-execution proof for entry ``index`` of ``result``."""
        return build_proof(result, index, digits_encoding(), self.leaves)


@dataclass(frozen=True, slots=True)
class ExactTask(ExactInputs):
    """A created int-mlp task over :class:`ExactInputs`."""

    task: Task
    """The task on chain."""


def create_exact_task(dev: DevSystem, model_id: bytes, count: int = 3) -> ExactTask:
    """An int-mlp task on quorum 0 over ``count`` held-out digits."""
    inputs = ExactInputs.digits(count)
    task = dev.create_task(model_id, [0], inputs=list(inputs.leaves))
    return ExactTask(inputs.leaves, inputs.correct, task)


def signed(
    dev: DevSystem, task: Task, op: OnboardedOperator, result: bytes
) -> tuple[bytes, G1Point]:
    """(resultHash, signature) of ``op`` on ``result``."""
    return result_digest(result), dev.sign(task, result, [op])[op.operator_id]
