"""An operator's watchtower with a challenger key (config ``watchtower_key_file``) overturns a
wrong certificate of an exact task on real contracts, re-executing the real int-mlp model."""

from __future__ import annotations

import asyncio
import signal
import sys
import urllib.request
from pathlib import Path

import pytest
from eth_account import Account
from prometheus_client import CollectorRegistry

from avs.chain.anvil import free_port
from avs.chain.devkit import DevSystem
from avs.chain.verifiers import deploy_int_mlp_verifier
from avs.chain.views import TaskStatus
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import content_hash
from avs.models.store import BlobStore
from avs.protocol import Task, inputs_root
from avs.rpc.server import create_server
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_weights import encoding_from_onnx
from avs.watchtower.build import watchtower_over
from avs.watchtower.service import WatchtowerService
from avs.watchtower.tower import Check
from avs_operator.blobs import aggregator_blob_source
from avs_operator.config import OperatorConfig
from avs_operator.watch import load_challenger, node_blobs, operator_watchtower

from .blob_peers import Idle
from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration

CHALLENGER_KEY = b"\x5d" * 32


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def operator_config(tmp_path: Path, **overrides: object) -> OperatorConfig:
    """An operator's settings with no aggregator listening (127.0.0.1:1) and unused keys."""
    settings: dict[str, object] = {
        "rpc_url": "http://127.0.0.1:1",
        "deployment": tmp_path / "deployment.json",
        "bls_key_file": tmp_path / "unused-bls.json",
        "ecdsa_key_file": tmp_path / "unused-ecdsa.json",
        "data_dir": tmp_path / "data",
        "aggregator_url": "127.0.0.1:1",
    }
    return OperatorConfig(**(settings | overrides))  # type: ignore[arg-type]


def certified_int_mlp_task(dev: DevSystem, blobs: BlobStore, result: bytes) -> Task:
    """An int-mlp task over the golden inputs, certified with ``result``; ``blobs`` gets the
    model, the inputs and the result bytes (what an aggregator would serve)."""
    golden = golden_vectors(IntMlp.id)[0]
    model_id = b"\x0e" * 32
    dev.owner.register_model(
        model_id,
        content_hash(golden.model),
        IntMlp.id,
        aggregator_uri(blobs.put(golden.model)),
        10**9,
        deploy_int_mlp_verifier(dev.client, encoding_from_onnx(golden.model)),
    )
    leaves = decode_batch(golden.inputs, IntMlp.input_dtype).leaves
    task, _ = dev.owner.create_task(
        model_id, inputs_root(leaves), len(leaves), aggregator_uri(blobs.put(golden.inputs)),
        [0], 6_667, 10, 10**9 * len(leaves),
    )  # fmt: skip
    dev.mine()
    blobs.put(result)
    dev.certify(task, result, [dev.operators[1], dev.operators[2]])
    return task


def test_a_keyed_watchtower_overturns_a_wrong_certificate(
    tmp_path: Path, anvil: str, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    dev.owner.fund_challenge_rewards(10**16)
    blobs = BlobStore(tmp_path / "blobs")  # stands in for the aggregator's blob service
    golden = golden_vectors(IntMlp.id)[0]
    wrong = golden.result[:-1] + bytes([golden.result[-1] ^ 1])
    task = certified_int_mlp_task(dev, blobs, wrong)

    key_file = tmp_path / "challenger.key"
    key_file.write_text(CHALLENGER_KEY.hex())
    dev.client.send_value(Account.from_key(CHALLENGER_KEY).address, E18)
    dev.deployment.save(tmp_path / "deployment.json")
    cfg = operator_config(tmp_path, rpc_url=anvil, watchtower_key_file=key_file)
    challenger = load_challenger(cfg)
    assert challenger is not None
    assert challenger.address == Account.from_key(CHALLENGER_KEY).address
    registry = CollectorRegistry()
    tower = watchtower_over(dev.reader, challenger, blobs, registry=registry)
    service = WatchtowerService(dev.reader, tower, poll_interval=0.1)

    async def run_until_overturned() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(service.run(stop))
        async with asyncio.timeout(90):
            while not service.seen[Check.OVERTURNED]:
                assert not running.done()
                await asyncio.sleep(0.1)
        stop.set()
        await running

    asyncio.run(run_until_overturned())
    assert dev.reader.task_status(task) is TaskStatus.OVERTURNED
    assert registry.get_sample_value("avs_watchtower_evidence_total", {"kind": "challenge"}) == 1
    assert registry.get_sample_value("avs_watchtower_checks_total", {"outcome": "overturned"}) == 1


def test_a_fresh_watchtower_skips_certificates_that_can_no_longer_be_challenged(
    tmp_path: Path, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    params = dev.deployment.params
    lookback = params.max_response_window_blocks + params.challenge_window_blocks
    tower = watchtower_over(dev.reader, None, BlobStore(tmp_path), registry=CollectorRegistry())
    service = WatchtowerService(dev.reader, tower)
    assert service.first_block() >= dev.deployment.block
    dev.mine(lookback + 5)
    head = dev.client.block_number()
    assert service.first_block() == head - lookback > dev.deployment.block


def test_the_standalone_watchtower_follows_serves_metrics_and_stops_on_sigterm(
    tmp_path: Path, anvil: str, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    blobs = BlobStore(tmp_path / "blobs")
    task = certified_int_mlp_task(dev, blobs, golden_vectors(IntMlp.id)[0].result)
    dev.deployment.save(tmp_path / "deployment.json")
    metrics_port = free_port()

    def scrape() -> str:
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                return str(reply.read().decode())
        except OSError:
            return ""

    async def scenario() -> tuple[str, int, str]:
        # The real aggregator gRPC server serves the model and inputs (plaintext: loopback).
        server, port = create_server("127.0.0.1:0", Idle(), blobs, 4 << 20)
        await server.start()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "avs", "watchtower", "run", "--rpc-url", anvil,
            "--deployment", str(tmp_path / "deployment.json"),
            "--aggregator", f"127.0.0.1:{port}", "--cache-dir", str(tmp_path / "cache"),
            "--metrics-port", str(metrics_port), "--poll-interval", "0.2",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            checked = 'avs_watchtower_checks_total{outcome="correct"} 1.0'
            async with asyncio.timeout(120):
                while checked not in (text := await asyncio.to_thread(scrape)):
                    assert proc.returncode is None, "the watchtower exited early"
                    await asyncio.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(60):
                _, err = await proc.communicate()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await server.stop(0)
        assert proc.returncode is not None
        return text, proc.returncode, err.decode()

    metrics, code, err = asyncio.run(scenario())
    assert code == 0, err
    assert "avs_watchtower_failures_total 0.0" in metrics
    assert 'outcome="fetched"' in metrics  # the model and inputs, from the aggregator
    assert err.strip().endswith("correct 1")
    assert dev.reader.task_status(task) is TaskStatus.CERTIFIED


def test_the_operators_watchtower_reads_the_blobs_the_node_already_holds(
    tmp_path: Path, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    cfg = operator_config(tmp_path)  # no aggregator listens: any download fails the check
    registry = CollectorRegistry()
    store = node_blobs(cfg, aggregator_blob_source(cfg, registry))
    # The worker cached the model, the inputs and its result while answering the task.
    certified_int_mlp_task(dev, store, golden_vectors(IntMlp.id)[0].result)
    service = operator_watchtower(cfg, dev.reader, None, registry, store)

    async def run_until_checked() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(service.run(stop))
        async with asyncio.timeout(60):
            while not service.seen[Check.CORRECT]:
                assert not running.done()
                await asyncio.sleep(0.1)
        stop.set()
        await running

    asyncio.run(run_until_checked())
    assert registry.get_sample_value("avs_watchtower_failures_total") == 0
    fetched = [
        s for m in registry.collect() if m.name == "avs_peer_blob_requests" for s in m.samples
    ]
    assert fetched == []
