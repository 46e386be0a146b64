"""The operator node against a gRPC peer double: stream in, blobs by hash, signed responses out.

Real pieces throughout: key file on disk, onnxruntime, SQLite protection store, grpc.aio
client, node API and Prometheus endpoints. The chain is replaced by a pinned model table
(no TaskCreated feed), so the stream alone must suffice.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from opnode_peer import Peer  # type: ignore[import-not-found]  # test dir on sys.path

from avs.crypto.bls import KeyPair, verify
from avs.crypto.keystore import save_keystore
from avs.errors import ConfigError
from avs.keyfiles import load_bls_key
from avs.models.fetchers import aggregator_uri
from avs.protocol import Task, inputs_root, message_hash
from avs.rpc.messages import SubmitStatus
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs_operator.app import OperatorApp
from avs_operator.config import OperatorConfig
from avs_operator.ports import ChainPorts, ModelInfo, PinnedModels
from avs_operator.signer import ChainDomain

pytestmark = pytest.mark.integration

DOMAIN = ChainDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
MODEL_ID = b"\x42" * 32


def setup(tmp_path: Path, peer: Peer) -> tuple[OperatorConfig, KeyPair, ChainPorts, Task, bytes]:
    """Key file, blobs held by the peer, config, and a task over the golden inputs."""
    save_keystore(tmp_path / "bls.json", KeyPair.from_secret(0xB15), "pw", scrypt_n=2)
    (tmp_path / "pw").write_text("pw\n")
    golden = golden_vectors(IntMlp.id)[0]
    model_hash = peer.blobs.put(golden.model)
    inputs_hash = peer.blobs.put(golden.inputs)
    leaves = decode_batch(golden.inputs, IntMlp.input_dtype).leaves
    task = Task(
        task_index=3,
        model_id=MODEL_ID,
        inputs_root=inputs_root(leaves),
        input_count=len(leaves),
        inputs_uri=aggregator_uri(inputs_hash),
        quorum_numbers=b"\x00",
        threshold_bps=6_667,
        created_block=100,
        deadline_block=200,
        fee=10**12,
        client="0x70997970C51812dc3A010C7d01b50e20d4dc79C8",
    )
    config = OperatorConfig(
        rpc_url="http://127.0.0.1:9",
        deployment=tmp_path / "unused-deployment.json",
        bls_key_file=tmp_path / "bls.json",
        bls_password_file=tmp_path / "pw",
        ecdsa_key_file=tmp_path / "unused-ecdsa.json",
        aggregator_url=peer.address,
        data_dir=tmp_path / "data",
        node_api_host="127.0.0.1",
        node_api_port=0,
        metrics_port=0,
        submit_timeout=5.0,
    )
    models = PinnedModels(
        {MODEL_ID: ModelInfo(MODEL_ID, model_hash, IntMlp.id, aggregator_uri(model_hash))}
    )
    keypair = load_bls_key(config.bls_key_file, config.bls_password_file)
    return config, keypair, ChainPorts(DOMAIN, models), task, golden.result


def http_get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def metric(app: OperatorApp, name: str, **labels: str) -> float:
    return app.metrics.registry.get_sample_value(name, labels) or 0.0


def test_stream_task_is_answered_with_a_valid_signature(tmp_path: Path, peer: Peer) -> None:
    config, keypair, chain, task, expected = setup(tmp_path, peer)
    peer.state.fail_next_subscribe = 1  # the first stream attempt fails: the node reconnects
    peer.state.answers = [SubmitStatus.UNKNOWN_TASK]  # the first submission is retried
    peer.add_task(task)
    app = OperatorApp(config, keypair, chain)
    seen: dict[str, tuple[int, str]] = {}

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        await asyncio.to_thread(peer.wait_submissions, 2)
        port = app.endpoints.node_api_port
        for path in ("/eigen/node", "/eigen/node/health", "/eigen/node/services"):
            seen[path] = await asyncio.to_thread(http_get, port, path)
        seen["/metrics"] = await asyncio.to_thread(http_get, app.endpoints.metrics_port, "/metrics")
        stop.set()
        await running

    asyncio.run(scenario())
    first, second = peer.state.submissions
    assert first == second  # the retry after UNKNOWN_TASK resent the same response
    assert peer.state.subscribes >= 2
    assert first.result_bytes == expected
    assert first.operator_id == keypair.operator_id
    digest = message_hash(DOMAIN.task_hash(task), expected)
    assert verify(keypair.pubkey_g2, digest, first.signature)
    assert seen["/eigen/node"][0] == 200
    assert json.loads(seen["/eigen/node"][1])["node_name"] == "edge-avs-operator"
    assert seen["/eigen/node/health"][0] == 200
    services = json.loads(seen["/eigen/node/services"][1])["services"]
    assert [(s["id"], s["status"]) for s in services] == [("aggregator", "Up"), ("warm-up", "Up")]
    assert 'avs_tasks_signed_total{outcome="signed"} 1.0' in seen["/metrics"][1]
    assert "eigen_performance_score 100.0" in seen["/metrics"][1]


def test_a_restart_never_signs_a_different_result(tmp_path: Path, peer: Peer) -> None:
    config, keypair, chain, task, expected = setup(tmp_path, peer)
    peer.add_task(task)

    async def until_submissions(app: OperatorApp, count: int) -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(app.run(stop))
        await asyncio.to_thread(peer.wait_submissions, count)
        stop.set()
        await running

    asyncio.run(until_submissions(OperatorApp(config, keypair, chain), 1))

    # Restart with a fault that changes the result: the stored record refuses it.
    faulty = OperatorApp(replace(config, devnet_fault="wrong_label"), keypair, chain)

    async def refused() -> None:
        while metric(faulty, "avs_tasks_failed_total", reason="protection_refused") < 1:
            await asyncio.sleep(0.05)

    async def until_refused() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(faulty.run(stop))
        try:
            await asyncio.wait_for(refused(), 60)
        finally:
            stop.set()
            await running

    asyncio.run(until_refused())
    assert len(peer.state.submissions) == 1  # nothing left the faulty process

    # An honest restart may resend the same signature; the peer sees a duplicate.
    asyncio.run(until_submissions(OperatorApp(config, keypair, chain), 2))
    first, again = peer.state.submissions
    assert again == first
    assert first.result_bytes == expected


def test_a_busy_port_or_unusable_data_dir_is_one_config_error(tmp_path: Path, peer: Peer) -> None:
    config, keypair, chain, _task, _result = setup(tmp_path, peer)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = replace(config, node_api_port=busy.getsockname()[1])
        with pytest.raises(ConfigError, match="choose a free port"):
            asyncio.run(OperatorApp(taken, keypair, chain).run(asyncio.Event()))
    (tmp_path / "file").write_text("not a directory")
    unusable = replace(config, data_dir=tmp_path / "file")
    with pytest.raises(ConfigError, match="slashing-protection store"):
        asyncio.run(OperatorApp(unusable, keypair, chain).run(asyncio.Event()))
