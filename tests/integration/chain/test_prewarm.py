"""The operator's warm-up on real contracts: it loads the registered models of the task types
it serves from a real aggregator blob service, within its caps, and passes over or logs the
rest; afterwards a task on the warmed model runs with the aggregator gone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from avs.chain.devkit import DevSystem
from avs.chain.verifiers import deploy_int_mlp_verifier
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import content_hash, hash_hex
from avs.models.store import BlobStore
from avs.protocol import Task, inputs_root
from avs.rpc.server import create_server
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_weights import encoding_from_onnx
from avs.tasks.onnx_classify import OnnxClassify
from avs.tasks.registry import load_registry
from avs.tasks.session import ExecutionConfig
from avs.watchtower.source import peer_blob_source
from avs_operator.chainports import ChainModels
from avs_operator.inference import InferenceEngine
from avs_operator.prewarm import WarmUp

from .blob_peers import Idle
from .systems import SmallSystem

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def register(dev: DevSystem, tag: int, data: bytes, uri: str) -> bytes:
    """An onnx-classify model (the type the node under test serves)."""
    model_id = bytes([tag]) * 32
    dev.owner.register_model(model_id, content_hash(data), OnnxClassify.id, uri, 10**9)
    return model_id


def test_the_served_registered_models_are_loaded_and_the_rest_passed_over(
    tmp_path: Path, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    golden = golden_vectors(OnnxClassify.id)[0]
    served = BlobStore(tmp_path / "aggregator")  # what the aggregator's blob service holds
    good = register(dev, 0x21, golden.model, aggregator_uri(served.put(golden.model)))
    oversized = b"\x00" * (len(golden.model) + 4096)
    too_big = register(dev, 0x22, oversized, aggregator_uri(served.put(oversized)))
    missing = register(dev, 0x23, b"bytes nobody serves", aggregator_uri(content_hash(b"x")))
    inactive = register(dev, 0x24, golden.model, aggregator_uri(content_hash(golden.model)))
    dev.owner.client.transact(dev.owner.models, "setModelActive", inactive, False)
    register(dev, 0x25, golden.model, "file:///etc/hostname")  # local: left alone
    other = golden_vectors(IntMlp.id)[0].model  # a type this node does not serve
    verifier = deploy_int_mlp_verifier(dev.client, encoding_from_onnx(other))
    uri = aggregator_uri(served.put(other))
    dev.owner.register_model(b"\x26" * 32, content_hash(other), IntMlp.id, uri, 10**9, verifier)
    dev.mine()
    leaves = decode_batch(golden.inputs, OnnxClassify.input_dtype).leaves
    (tmp_path / "inputs.bin").write_bytes(golden.inputs)
    task = Task(
        task_index=0, model_id=good, inputs_root=inputs_root(leaves), input_count=len(leaves),
        inputs_uri=(tmp_path / "inputs.bin").as_uri(), quorum_numbers=b"\x00", threshold_bps=6_667,
        created_block=1, deadline_block=100, fee=0, client="0x" + "00" * 20,
    )  # fmt: skip

    async def scenario() -> tuple[list[str], list[str], int, bytes]:
        server, port = create_server("127.0.0.1:0", Idle(), served, 4 << 20)
        await server.start()
        registry = CollectorRegistry()
        source = peer_blob_source(
            [f"127.0.0.1:{port}"], plaintext=True, max_blob_bytes=1 << 20, registry=registry
        )
        node = BlobStore(tmp_path / "node", source=source)
        engine = InferenceEngine(load_registry(), node, ExecutionConfig(), allow_file_inputs=True)
        resolver = ChainModels(dev.reader)
        warm = WarmUp(
            dev.reader, resolver, engine, node, [OnnxClassify.id], max_model_bytes=len(golden.model)
        )
        try:
            report = await warm.run(deadline_s=60)
        finally:
            await server.stop(0)
            source.close()
        # The aggregator is gone: the warmed model is on disk and its session is built.
        result = engine.compute(task, await resolver.resolve(good))
        assert report.complete
        return report.loaded, report.failed, report.skipped, result.result_bytes

    loaded, failed, skipped, result = asyncio.run(scenario())
    assert loaded == [hash_hex(good)]
    assert sorted(failed) == sorted([hash_hex(too_big), hash_hex(missing)])
    # inactive, file://, onnx-classify, and small_system's two file:// models
    assert skipped == 5
    assert result == golden.result
    assert not BlobStore(tmp_path / "node").contains(content_hash(oversized))
