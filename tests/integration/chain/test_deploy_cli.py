"""``avs deploy`` against anvil, key files, and the client's failure modes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from avs.chain.anvil import DEV_PRIVATE_KEYS, AnvilProcess, free_port
from avs.chain.client import ChainClient
from avs.chain.compiled import artifact_names
from avs.chain.deploy import deploy_system
from avs.chain.deployment import Deployment
from avs.chain.devkit import DEVNET_GAS
from avs.cli.main import cli
from avs.errors import ChainError, ContractRevert

pytestmark = pytest.mark.integration


def test_deploy_writes_a_usable_deployment(anvil: str, tmp_path: Path) -> None:
    out = tmp_path / "deployment.json"
    result = CliRunner().invoke(
        cli, ["deploy", "--rpc-url", anvil, "--out", str(out), "--quorums", "3"]
    )
    assert result.exit_code == 0, result.output
    assert DEV_PRIVATE_KEYS[0][2:] not in result.output
    deployment = Deployment.load(out)
    assert deployment.chain_id == 31337
    assert deployment.quorum_numbers == (0, 1, 2)
    # every shipped contract but the per-model verifiers, which model registration deploys,
    # and the consumer contracts, which their users deploy (examples, test doubles)
    per_use = {"IntMlpVerifier", "PayIfConfident", "VerdictRegistry", "ScriptedConsumer"}
    per_use.add("InferenceResultsHarness")
    assert set(deployment.contracts) == set(artifact_names()) - per_use
    client = ChainClient.connect(anvil)
    for address in deployment.contracts.values():
        assert client.rpc("eth_getCode", [address, "latest"]) not in ("0x", "")
    registry = deployment.contract("OperatorRegistry")
    assert client.call1(registry, "quorumCount") == 3
    assert json.loads(out.read_text())["params"]["task_types"] == {
        "int-mlp": True,
        "onnx-classify": False,
    }
    again = CliRunner().invoke(
        cli, ["deploy", "--rpc-url", anvil, "--out", str(tmp_path / "d2.json"), "--json"]
    )
    assert again.exit_code == 0, again.output
    doc = json.loads(again.stdout)
    assert doc["path"] == str(tmp_path / "d2.json")
    assert doc["contracts"] == json.loads((tmp_path / "d2.json").read_text())["contracts"]


def test_deploy_with_key_file_and_params(anvil: str, tmp_path: Path) -> None:
    key_file = tmp_path / "deployer.key"
    key_file.write_text(DEV_PRIVATE_KEYS[1] + "\n")
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"challenge_window_blocks": 7, "task_types": {"x": True}}))
    out = tmp_path / "d.json"
    args = ["deploy", "--rpc-url", anvil, "--out", str(out), "--private-key-file", str(key_file)]
    result = CliRunner().invoke(cli, [*args, "--params", str(params)])
    assert result.exit_code == 0, result.output
    deployment = Deployment.load(out)
    assert deployment.deployer == Account.from_key(DEV_PRIVATE_KEYS[1]).address
    assert deployment.params.challenge_window_blocks == 7
    assert deployment.params.task_types == (("x", True),)


def test_deploy_refuses_bad_input(anvil: str, tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"no_such_field": 1}))
    result = CliRunner().invoke(cli, ["deploy", "--rpc-url", anvil, "--params", str(params)])
    assert result.exit_code == 2
    assert "unknown fields ['no_such_field']" in result.output

    unsafe = tmp_path / "unsafe.json"
    unsafe.write_text(json.dumps({"challenge_window_blocks": 10_000}))
    result = CliRunner().invoke(cli, ["deploy", "--rpc-url", anvil, "--params", str(unsafe)])
    assert result.exit_code == 2
    assert "withdrawal_delay_blocks" in result.output


def test_deploy_needs_a_key_off_devnet(tmp_path: Path) -> None:
    with AnvilProcess(chain_id=777) as node:
        result = CliRunner().invoke(
            cli, ["deploy", "--rpc-url", node.url, "--out", str(tmp_path / "d.json")]
        )
    assert result.exit_code == 2
    assert "chain 777 is not a devnet" in result.output


def test_mined_revert_is_decoded(anvil: str) -> None:
    """With a fixed gas limit the transaction is mined and fails; the error is still named."""
    deployment = deploy_system(ChainClient.connect(anvil, DEV_PRIVATE_KEYS[2]))
    client = ChainClient.connect(anvil, DEV_PRIVATE_KEYS[2]).with_fixed_gas(DEVNET_GAS)
    models = deployment.contract("ModelRegistry")
    with pytest.raises(ContractRevert) as err:
        client.transact(models, "setModelFee", b"\x01" * 32, 5)
    assert err.value.error_name == "ModelNotFound"
    assert "ModelRegistry.setModelFee reverted: ModelNotFound(modelId=0x0101" in str(err.value)
    stranger = client.with_account(DEV_PRIVATE_KEYS[3])
    with pytest.raises(ContractRevert) as err:
        stranger.transact(models, "registerTaskType", "t", True)
    assert err.value.error_name == "OwnableUnauthorizedAccount"
    with pytest.raises(ChainError, match="ran out of gas"):
        client.with_fixed_gas(30_000).transact(models, "registerTaskType", "t", True)


def test_unreachable_node_is_a_chain_error() -> None:
    client = ChainClient.connect(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(
        ChainError, match=r"cannot reach the chain at http://127\.0\.0\.1:\d+ \(connection"
    ):
        _ = client.chain_id


def test_anvil_process_stops() -> None:
    node = AnvilProcess()
    url = node.start()
    assert ChainClient.connect(url).chain_id == 31337
    node.stop()
    with pytest.raises(ChainError):
        ChainClient.connect(url, timeout=2).block_number()
    with pytest.raises(ChainError, match="not running"):
        _ = node.url
