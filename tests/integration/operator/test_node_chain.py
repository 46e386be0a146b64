"""The operator as real processes on a real chain: register with the CLI on anvil, then
``avs operator run`` learns a task from its TaskCreated event alone (the peer double's
stream stays empty), answers it, its watchtower reports a wrong certificate of the task,
it reports health, exits 0 on SIGTERM; then deregister."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from eth_account import Account
from opnode_peer import Peer  # type: ignore[import-not-found]  # test dir on sys.path

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem
from avs.chain.verifiers import deploy_int_mlp_verifier
from avs.cli.main import cli
from avs.crypto.bls import KeyPair
from avs.crypto.keystore import save_keystore
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import content_hash
from avs.protocol import inputs_root, message_hash, result_digest
from avs.stakers.metadata import OperatorMetadata, data_uri
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_weights import encoding_from_onnx

pytestmark = pytest.mark.integration

BLS = KeyPair.from_secret(0xC4A1)
ECDSA_KEY = b"\x7e" * 32
METADATA_URI = data_uri(OperatorMetadata("Node Chain Test Op", "https://op.example", "", "test"))
DEV_DEPLOYER = Account.from_key(DEV_PRIVATE_KEYS[0]).address
DEPLOYMENT_STUB = {
    "chain_id": 31337,
    "block": 0,
    "deployer": "0x" + "11" * 20,
    "contracts": {},
    "quorum_numbers": [0],
}


def avs(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVS_")}
    return subprocess.run(
        [sys.executable, "-m", "avs", "--log-json", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )


def write_config(tmp_path: Path, rpc_url: str, deployment: Path, peer: Peer) -> Path:
    save_keystore(tmp_path / "bls.json", BLS, "bls-pw", scrypt_n=2)
    (tmp_path / "bls-pw").write_text("bls-pw\n")
    doc = Account.encrypt(ECDSA_KEY, "eth-pw", kdf="scrypt", iterations=2)
    (tmp_path / "ecdsa.json").write_text(json.dumps(doc))
    (tmp_path / "eth-pw").write_text("eth-pw")
    config = {
        "rpc_url": rpc_url,
        "deployment": str(deployment),
        "bls_key_file": str(tmp_path / "bls.json"),
        "bls_password_file": str(tmp_path / "bls-pw"),
        "ecdsa_key_file": str(tmp_path / "ecdsa.json"),
        "ecdsa_password_file": str(tmp_path / "eth-pw"),
        "aggregator_url": peer.address,
        "data_dir": str(tmp_path / "data"),
        "node_api_host": "127.0.0.1",
        "node_api_port": 0,
        "metrics_port": -1,
        "poll_interval": 0.2,
        "quorums": [0],
        "metadata_uri": METADATA_URI,
    }
    path = tmp_path / "operator.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def node_api_port(log_path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_path.read_text()
        for line in log_path.read_text().splitlines():
            if '"operator_started"' in line:
                return int(json.loads(line)["node_api_port"])
        time.sleep(0.1)
    raise AssertionError("operator did not start:\n" + log_path.read_text())


def wait_log(log_path: Path, event: str, timeout: float = 90) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if event in line:
                return dict(json.loads(line))
        time.sleep(0.2)
    raise AssertionError(f"no {event} in the log:\n" + log_path.read_text())


def test_register_then_answer_a_chain_task_and_stop_on_sigterm(
    tmp_path: Path, anvil: str, deployer_client: ChainClient, peer: Peer
) -> None:
    system = DevSystem.deploy(deployer_client, DeployParams(quorum_count=1))
    system.deployment.save(tmp_path / "deployment.json")
    operator = Account.from_key(ECDSA_KEY)
    deployer_client.send_value(operator.address, 10**19)  # gas money only; tokens are minted
    config = write_config(tmp_path, anvil, tmp_path / "deployment.json", peer)

    before = avs("operator", "status", "--config", str(config))
    assert before.returncode == 1, before.stderr  # not registered: a check failed
    assert "FAIL registered" in before.stdout
    assert "next step: join quorums [0]: avs operator register --config FILE" in before.stdout

    unasked = avs("operator", "register", "--config", str(config), "--devnet-mint")
    assert unasked.returncode == 2  # no terminal to confirm on, and no --yes: nothing sent
    assert "plan: " in unasked.stdout
    assert "DelegationManager.registerAsOperator" in unasked.stdout
    assert "gas " in unasked.stdout
    assert (
        unasked.stderr.strip() == "error: no terminal to confirm the plan on; pass --yes to send it"
    )
    registered = avs(
        "operator", "register", "--config", str(config), "--devnet-mint", "--yes", "--json"
    )
    assert registered.returncode == 0, registered.stderr
    assert "plan: " in registered.stderr  # with --json the plan goes to stderr
    standing = json.loads(registered.stdout)
    assert standing["registered"] is True
    assert standing["operator_id"] == "0x" + BLS.operator_id.hex()
    assert int(standing["stakes"]["0"]) >= system.deployment.params.minimum_stake
    where = ["--rpc-url", anvil, "--deployment", str(tmp_path / "deployment.json")]
    listed = avs("operators", "list", *where, "--no-cache", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["operators"]
    assert row["name"] == "Node Chain Test Op"  # published at registration, shown to stakers
    again = avs("operator", "register", "--config", str(config), "--json")  # nothing to send
    assert again.returncode == 0, again.stderr  # idempotent: nothing left to do
    assert "already registered" in again.stderr

    golden = golden_vectors(IntMlp.id)[0]
    # Served by the peer aggregator, so the node and its watchtower fetch them alike.
    model_uri = aggregator_uri(peer.blobs.put(golden.model))
    inputs_uri = aggregator_uri(peer.blobs.put(golden.inputs))
    model_id = b"\x0d" * 32
    system.owner.register_model(
        model_id,
        content_hash(golden.model),
        IntMlp.id,
        model_uri,
        10**9,
        deploy_int_mlp_verifier(system.client, encoding_from_onnx(golden.model)),
    )
    leaves = decode_batch(golden.inputs, IntMlp.input_dtype).leaves

    log_path = tmp_path / "operator.log"
    with log_path.open("w") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVS_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "avs", "--log-json", "operator", "run", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    try:
        port = node_api_port(log_path, proc)
        # The registered model is fetched, verified and loaded before any task names it.
        warmed = wait_log(log_path, '"prewarm_done"')
        task, _ = system.owner.create_task(
            model_id,
            inputs_root(leaves),
            len(leaves),
            inputs_uri,
            [0],
            6_667,
            20,
            10**9 * len(leaves),
        )
        (response,) = peer.wait_submissions(1)
        # A wrong certificate of this exact task (the only signer is this operator: its key
        # signs a wrong result here): the node's watchtower, on by default and without a
        # key, re-executes the task and reports the certificate wrong.
        wrong = golden.result[:-1] + bytes([golden.result[-1] ^ 1])
        peer.blobs.put(wrong)
        signature = BLS.sign(message_hash(system.reader.task_hash(task), wrong))
        certificate = system.reader.build_certificate(
            task, result_digest(wrong), {BLS.operator_id: signature}
        )
        system.mine()  # a certificate's reference block must be in the past
        system.owner.respond_to_task(task, certificate)
        wrong_event = wait_log(log_path, '"certificate_wrong"')
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/eigen/node/services") as resp:
            services = {s["id"]: s["status"] for s in json.load(resp)["services"]}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/eigen/node/health") as resp:
            health = resp.status
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    output = log_path.read_text()
    assert code == 0, output
    assert '"node_stopped"' in output
    assert '"source": "chain"' in output  # learned from the TaskCreated event
    assert response.result_bytes == golden.result
    expected = BLS.sign(message_hash(system.reader.task_hash(task), golden.result))
    assert response.signature == expected
    assert services == {"chain": "Up", "chain-head": "Up", "aggregator": "Up", "warm-up": "Up"}
    assert (warmed["loaded"], warmed["failed"], warmed["complete"]) == (1, 0, True)
    assert wrong_event["task"] == task.task_index
    assert '"outcome": "wrong"' in output
    assert health == 200

    status = avs("operator", "status", "--config", str(config), "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    doc = json.loads(status.stdout)
    assert doc["healthy"] is True
    assert doc["tasks_signed"] == 1
    assert doc["last_signed"]["task_index"] == task.task_index
    assert doc["aggregator"] == {"url": peer.address, "problem": None}
    assert doc["quorums"][0]["joined"] is True
    assert int(doc["quorums"][0]["allocated"]) >= system.deployment.params.minimum_stake
    assert doc["fees_unclaimed"] == {"tasks": 0, "wei": "0"}  # the double certifies nothing
    assert doc["allocation_delay_blocks"] == system.reader.allocation_delay(doc["address"])
    assert doc["allocation_delay_blocks"] is not None
    table = avs("operator", "status", "--config", str(config))
    assert table.returncode == 0, table.stdout + table.stderr
    assert "quorum 0" in table.stdout
    assert "allocation delay" in table.stdout
    assert f"last: task {task.task_index}" in table.stdout
    assert "next step: nothing to do" in table.stdout

    left = avs("operator", "deregister", "--config", str(config), "--yes", "--json")
    assert "AllocationManager.deregisterFromOperatorSets" in left.stderr
    assert left.returncode == 0, left.stderr
    assert json.loads(left.stdout)["quorums"] == []
    assert json.loads(left.stdout)["registered"] is False
    after = avs("operator", "status", "--config", str(config), "--json")
    assert after.returncode == 1
    assert json.loads(after.stdout)["registered"] is False


def test_user_errors_are_one_line(tmp_path: Path, anvil: str, peer: Peer) -> None:
    config = write_config(tmp_path, anvil, tmp_path / "missing-deployment.json", peer)
    result = avs("operator", "status", "--config", str(config))
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "run 'avs deploy' first" in result.stderr
    (tmp_path / "bls-pw").write_text("wrong")
    result = avs("operator", "run", "--config", str(config))
    assert result.returncode != 0
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_status_exits_2_with_one_line_when_the_chain_is_unreachable(
    tmp_path: Path, peer: Peer
) -> None:
    import socket

    with socket.socket() as sock:  # bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        deployment = tmp_path / "deployment.json"
        deployment.write_text(json.dumps(DEPLOYMENT_STUB))
        config = write_config(tmp_path, url, deployment, peer)
        result = avs("operator", "status", "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]], result.stderr
    assert lines[0].startswith(f"error: cannot reach the chain at {url} (connection refused)")


@pytest.mark.parametrize(
    ("deployment", "why"),
    [
        (DEPLOYMENT_STUB, "chain 31337, deployed by 0x1111"),
        (
            DEPLOYMENT_STUB | {"deployer": DEV_DEPLOYER, "chain_id": 1},
            "the deployment is on chain 1",
        ),
    ],
)
def test_devnet_fault_is_refused_off_a_devnet(
    tmp_path: Path, anvil: str, peer: Peer, deployment: dict[str, object], why: str
) -> None:
    (tmp_path / "deployment.json").write_text(json.dumps(deployment))
    config = write_config(tmp_path, anvil, tmp_path / "deployment.json", peer)
    result = CliRunner().invoke(
        cli, ["operator", "run", "--config", str(config)], env={"AVS_DEVNET_FAULT": "wrong_label"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert why in result.stderr
