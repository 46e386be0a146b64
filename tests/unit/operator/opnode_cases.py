"""Shared values of the operator unit tests (a module with a unique name: several test
directories have a conftest.py, so ``from conftest import`` would be ambiguous)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from avs.models.hashing import content_hash
from avs.protocol import Task, inputs_root
from avs.tasks.api import GoldenVector
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs_operator.ports import ModelInfo
from avs_operator.signer import ChainDomain

DOMAIN = ChainDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
CLIENT = "0x70997970C51812dc3A010C7d01b50e20d4dc79C8"


@dataclass(frozen=True, slots=True)
class Fixture:
    """The golden int-mlp case laid out as files, with the registry entry naming it."""

    golden: GoldenVector
    model: ModelInfo
    inputs_uri: str


def make_case(directory: Path) -> Fixture:
    """Write the int-mlp golden model and inputs under ``directory`` (file:// URIs)."""
    golden = golden_vectors(IntMlp.id)[0]
    (directory / "model.onnx").write_bytes(golden.model)
    (directory / "inputs.bin").write_bytes(golden.inputs)
    digest = content_hash(golden.model)
    model = ModelInfo(b"\x11" * 32, digest, IntMlp.id, f"file://{directory / 'model.onnx'}")
    return Fixture(golden, model, f"file://{directory / 'inputs.bin'}")


def make_task(
    case: Fixture, index: int = 7, *, deadline: int = 1_000, blob: bytes | None = None
) -> Task:
    """A task over ``blob`` (default: the golden inputs) that commits to its Merkle root."""
    leaves = decode_batch(blob or case.golden.inputs, IntMlp.input_dtype).leaves
    return Task(
        task_index=index,
        model_id=case.model.model_id,
        inputs_root=inputs_root(leaves),
        input_count=len(leaves),
        inputs_uri=case.inputs_uri,
        quorum_numbers=b"\x00",
        threshold_bps=6_667,
        created_block=10,
        deadline_block=deadline,
        fee=10**12,
        client=CLIENT,
    )
