"""Real pieces for operator unit tests: a BLS key, the shipped int-mlp model and its golden
vector (inputs + expected result), files on disk, and a task that commits to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from avs.crypto.bls import KeyPair
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


@pytest.fixture(scope="session")
def keypair() -> KeyPair:
    """A fixed BLS key (no scrypt: tests that need a key file write their own)."""
    return KeyPair.from_secret(0x5EED_0001)


@pytest.fixture
def case(tmp_path: Path) -> Fixture:
    """int-mlp golden vector: model and inputs as file:// URIs."""
    golden = golden_vectors(IntMlp.id)[0]
    (tmp_path / "model.onnx").write_bytes(golden.model)
    (tmp_path / "inputs.bin").write_bytes(golden.inputs)
    digest = content_hash(golden.model)
    model = ModelInfo(b"\x11" * 32, digest, IntMlp.id, f"file://{tmp_path / 'model.onnx'}")
    return Fixture(golden, model, f"file://{tmp_path / 'inputs.bin'}")


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


@pytest.fixture
def task_factory(case: Fixture) -> Callable[..., Task]:
    """``make_task`` bound to this test's files."""
    return lambda *a, **kw: make_task(case, *a, **kw)
