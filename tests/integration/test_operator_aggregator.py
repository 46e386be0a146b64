"""Operator nodes and the aggregator in one process: real anvil, real gRPC on port 0.

The devnet e2e tests run the same pieces as separate processes; here a failure points
straight at the code, and the test owns every object it checks. Every RPC URL carries an
API key the way hosted nodes do (query string, path, user info) and the whole run's logs
are scanned for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.devkit import DevSystem
from avs.crypto.bls import KeyPair
from avs.devnet.nodes import write_bls_key, write_ecdsa_key, write_password
from avs.devnet.workload import prepare_task, register_models, submit_task
from avs.logging import configure_logging
from avs.metrics import OperatorMetrics
from avs.models.store import BlobStore
from avs_aggregator.app import run_aggregator
from avs_aggregator.config import AggregatorConfig
from avs_operator.app import OperatorApp
from avs_operator.chainports import connect_chain
from avs_operator.config import OperatorConfig

AGGREGATOR_KEY = bytes.fromhex(DEV_PRIVATE_KEYS[1][2:])


SECRETS = ("QUERYSECRET", "PATHSECRET", "USERSECRET", "PASSSECRET")
DEAD_RPC = "http://USERSECRET:PASSSECRET@127.0.0.1:9/v3/PATHSECRET?apikey=QUERYSECRET"


@pytest.fixture
def json_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Captured stderr; logging goes back to the defaults afterwards (a logger left bound
    to the closed capture would break later tests)."""
    try:
        yield capfd
    finally:
        structlog.reset_defaults()


def test_operators_and_aggregator_certify_a_task(
    anvil: str, tmp_path: Path, json_logs: pytest.CaptureFixture[str]
) -> None:
    configure_logging("debug", json=True)  # bound to this phase's captured stderr
    rpc = f"{anvil}/?apikey=QUERYSECRET"  # anvil serves "/" whatever the query
    client = ChainClient.connect(
        anvil, "0x" + "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    )
    system = DevSystem.deploy(client)
    deployment = tmp_path / "deployment.json"
    system.deployment.save(deployment)
    operators = system.add_operators(3, lambda _i: [0], lambda _i: 100 * 10**18, seed=b"itest")
    agg_dir = tmp_path / "aggregator"
    agg_dir.mkdir()
    blobs = BlobStore(agg_dir / "data" / "blobs")
    port_file = agg_dir / "port"
    (model,) = register_models(system.owner, blobs, ("int-mlp",))
    agg_cfg = AggregatorConfig(
        rpc_url=rpc, deployment=deployment, data_dir=agg_dir / "data",
        ecdsa_key_file=write_ecdsa_key(agg_dir, AGGREGATOR_KEY),
        ecdsa_password_file=write_password(agg_dir), listen="127.0.0.1:0",
        port_file=port_file, metrics_port=-1, poll_interval=0.1, linger_seconds=0.1,
    )  # fmt: skip

    async def scenario() -> tuple[bool, list[bytes]]:
        stop = asyncio.Event()
        aggregator = asyncio.create_task(run_aggregator(agg_cfg, stop))
        port = await _wait_port(port_file)
        apps = []
        for i, op in enumerate(operators):
            directory = tmp_path / f"op{i}"
            directory.mkdir()
            cfg = OperatorConfig(
                rpc_url=rpc, deployment=deployment, data_dir=directory / "data",
                bls_key_file=write_bls_key(directory, op.keypair),
                bls_password_file=write_password(directory),
                ecdsa_key_file=write_ecdsa_key(directory, bytes(op.account.key)),
                ecdsa_password_file=write_password(directory),
                aggregator_url=f"127.0.0.1:{port}", node_api_host="127.0.0.1",
                node_api_port=0, metrics_port=-1, poll_interval=0.1,
            )  # fmt: skip
            chain = connect_chain(rpc, deployment, op.keypair.operator_id)
            apps.append(OperatorApp(cfg, op.keypair, chain, metrics=OperatorMetrics.create()))
        apps.append(_unregistered_node_on_a_dead_rpc(tmp_path, deployment, port))
        nodes = [asyncio.create_task(app.run(stop)) for app in apps]
        client.rpc("evm_setIntervalMining", [1])
        prepared = prepare_task(0, model, 8, blobs)
        task = await asyncio.to_thread(submit_task, system.owner, prepared, [0], 6_667, 20)
        deadline = time.monotonic() + 60
        certified = False
        while time.monotonic() < deadline and not certified:
            await asyncio.sleep(0.3)
            certified = await asyncio.to_thread(system.reader.is_certified, task)
        stop.set()
        await asyncio.gather(aggregator, *nodes)
        event = system.reader.certification(task.task_index)
        non_signers = [] if event is None else list(event.non_signer_ids)
        return certified, non_signers

    try:
        certified, non_signers = asyncio.run(scenario())
    finally:
        client.rpc("evm_setAutomine", [True])
    assert certified
    assert non_signers == []
    logs = json_logs.readouterr().err
    assert "127.0.0.1:9" in logs  # the dead endpoint's failures were logged...
    leaked = [secret for secret in SECRETS if secret in logs]
    assert leaked == []  # ...without its key


def _unregistered_node_on_a_dead_rpc(tmp_path: Path, deployment: Path, port: int) -> OperatorApp:
    """A node whose chain calls all fail, so chain errors (with the URL) reach the logs."""
    directory = tmp_path / "dead"
    directory.mkdir()
    keypair = KeyPair.from_secret(0xDEAD)
    cfg = OperatorConfig(
        rpc_url=DEAD_RPC, deployment=deployment, data_dir=directory / "data",
        bls_key_file=write_bls_key(directory, keypair),
        bls_password_file=write_password(directory),
        ecdsa_key_file=write_ecdsa_key(directory, bytes.fromhex(DEV_PRIVATE_KEYS[2][2:])),
        ecdsa_password_file=write_password(directory),
        aggregator_url=f"127.0.0.1:{port}", node_api_host="127.0.0.1",
        node_api_port=0, metrics_port=-1, poll_interval=0.1,
    )  # fmt: skip
    chain = connect_chain(DEAD_RPC, deployment, keypair.operator_id)
    return OperatorApp(cfg, keypair, chain, metrics=OperatorMetrics.create())


async def _wait_port(path: Path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        await asyncio.sleep(0.05)
    raise AssertionError("aggregator did not start")
