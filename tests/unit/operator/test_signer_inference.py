"""Inference from files by hash with real onnxruntime; signing guarded by the protection store."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from opnode_cases import DOMAIN, Fixture  # type: ignore[import-not-found]  # test dir on sys.path

from avs.crypto.bls import KeyPair
from avs.errors import ModelError, ProtectionError, TaskError
from avs.models.errors import BlobNotFoundError, HashMismatchError
from avs.models.hashing import hash_hex
from avs.models.store import BlobStore
from avs.protocol import Task, message_hash
from avs.tasks.registry import load_registry
from avs.tasks.session import ExecutionConfig
from avs_operator.inference import InferenceEngine
from avs_operator.protection import ProtectionStore
from avs_operator.signer import Signer

TaskFactory = Callable[..., Task]


def engine(tmp_path: Path) -> InferenceEngine:
    return InferenceEngine(
        load_registry(), BlobStore(tmp_path / "cache"), ExecutionConfig(), allow_file_inputs=True
    )


def test_the_golden_inputs_give_the_golden_result(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    result = engine(tmp_path).compute(task_factory(), case.model)
    assert result.result_bytes == case.golden.result
    assert result.task_type == "int-mlp"
    # The model is now cached under its hash: the file may go away.
    Path(case.model.uri.removeprefix("file://")).unlink()
    again = engine(tmp_path).compute(task_factory(), case.model)
    assert again.result_bytes == case.golden.result


def test_inputs_that_do_not_match_the_tasks_root_are_refused(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    task = dataclasses.replace(task_factory(), inputs_root=b"\x01" * 32)
    with pytest.raises(TaskError, match="Merkle root"):
        engine(tmp_path).compute(task, case.model)
    task = dataclasses.replace(task_factory(), input_count=3)
    with pytest.raises(TaskError, match="the task declares 3"):
        engine(tmp_path).compute(task, case.model)


def test_a_cached_input_blob_gone_bad_is_dropped_and_fetched_again(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    blobs = BlobStore(tmp_path / "cache")  # no aggregator source: only the cache can answer
    digest = blobs.put(case.golden.inputs)
    node = InferenceEngine(load_registry(), blobs, ExecutionConfig())
    task = dataclasses.replace(task_factory(), inputs_uri=f"avs-blob://{hash_hex(digest)}")
    assert node.compute(task, case.model).result_bytes == case.golden.result
    # Bit rot in one input (the header still parses): the Merkle root check fails, so the
    # copy is re-hashed, dropped, and the blob fetched again (here: nowhere to fetch from).
    rotten = bytearray(case.golden.inputs)
    rotten[-1] ^= 0x01
    blobs.path_of(digest).write_bytes(bytes(rotten))
    with pytest.raises(BlobNotFoundError, match="not cached"):
        node.compute(task, case.model)
    assert not blobs.contains(digest)
    blobs.put(case.golden.inputs)
    assert node.compute(task, case.model).result_bytes == case.golden.result
    # A task committing to other inputs is still refused (after the one re-check).
    other = dataclasses.replace(task, inputs_root=b"\x01" * 32)
    with pytest.raises(TaskError, match="Merkle root"):
        node.compute(other, case.model)
    assert blobs.holds_verified(digest)


def test_file_inputs_need_the_local_development_setting(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    # Anyone can create a task naming a path on the operator's machine (/dev/zero, a FIFO).
    default = InferenceEngine(load_registry(), BlobStore(tmp_path / "cache"), ExecutionConfig())
    for uri in (case.inputs_uri, "file:///dev/zero", "ftp://127.0.0.1/x"):
        with pytest.raises(TaskError, match="scheme this node does not fetch"):
            default.compute(dataclasses.replace(task_factory(), inputs_uri=uri), case.model)
    allowed = engine(tmp_path)
    with pytest.raises(BlobNotFoundError, match="not a regular file"):
        allowed.compute(
            dataclasses.replace(task_factory(), inputs_uri="file:///dev/zero"), case.model
        )


def test_model_bytes_must_hash_to_the_registered_content_hash(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    wrong = dataclasses.replace(case.model, content_hash=b"\x22" * 32)
    with pytest.raises(HashMismatchError):
        engine(tmp_path).compute(task_factory(), wrong)
    other_id = dataclasses.replace(case.model, model_id=b"\x33" * 32)
    with pytest.raises(ModelError, match="task names"):
        engine(tmp_path).compute(task_factory(), other_id)


def test_input_uris_need_a_known_scheme_and_a_reachable_source(
    tmp_path: Path, case: Fixture, task_factory: TaskFactory
) -> None:
    with pytest.raises(TaskError, match="scheme this node does not fetch"):
        engine(tmp_path).compute(
            dataclasses.replace(task_factory(), inputs_uri="ftp://x"), case.model
        )
    no_source = dataclasses.replace(task_factory(), inputs_uri="avs-blob://0x" + "ab" * 32)
    with pytest.raises(BlobNotFoundError):
        engine(tmp_path).compute(no_source, case.model)


def test_signature_is_over_the_message_hash_and_recorded_first(
    tmp_path: Path, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    store = ProtectionStore(tmp_path / "p.sqlite")
    signer = Signer(keypair, store, DOMAIN)
    task = task_factory()
    response = signer.sign(task, b"\x01\x02")
    expected = keypair.sign(message_hash(DOMAIN.task_hash(task), b"\x01\x02"))
    assert response.signature == expected  # BLS signatures are deterministic
    assert (response.task_index, response.operator_id) == (task.task_index, keypair.operator_id)
    assert store.count() == 1
    assert signer.sign(task, b"\x01\x02") == response  # a retry is harmless
    with pytest.raises(ProtectionError, match="refusing to sign task 7"):
        signer.sign(task, b"\x01\x03")


def test_refusal_holds_for_a_new_signer_on_the_same_store(
    tmp_path: Path, keypair: KeyPair, task_factory: TaskFactory
) -> None:
    path = tmp_path / "p.sqlite"
    first = ProtectionStore(path)
    Signer(keypair, first, DOMAIN).sign(task_factory(), b"\x05")
    first.close()
    restarted = Signer(keypair, ProtectionStore(path), DOMAIN)
    with pytest.raises(ProtectionError):
        restarted.sign(task_factory(), b"\x06")
    # Another task (another hash) is independent.
    restarted.sign(task_factory(8), b"\x06")
