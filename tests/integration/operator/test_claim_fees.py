"""``avs operator claim-fees`` on a real chain: the claimable list first, then batched claims
that pay exactly what the contract owes, never twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from avs.chain.client import ChainClient
from avs.chain.deployment import DeployParams
from avs.chain.devkit import DevSystem
from avs.cli.main import cli
from avs.crypto.keystore import save_keystore

pytestmark = pytest.mark.integration

E18 = 10**18
RESULT = b"\x01"


@pytest.fixture(scope="module")
def system(deployer_client: ChainClient) -> DevSystem:
    """Two operators (10 and 30 tokens) who signed three certified tasks."""
    dev = DevSystem.deploy(deployer_client, DeployParams(quorum_count=1))
    dev.add_operators(2, lambda i: [0], lambda i: (10 + 20 * i) * E18, seed=b"claims")
    model = dev.register_model("onnx-classify", fee_per_input=4 * 10**12)
    for _ in range(3):
        task = dev.create_task(model, [0])
        dev.certify(task, RESULT, dev.operators)
    dev.close_challenge_window(task)  # fees wait for the challenge window
    return dev


def write_config(tmp_path: Path, system: DevSystem) -> Path:
    op = system.operators[0]
    save_keystore(tmp_path / "bls.json", op.keypair, "", scrypt_n=2)
    doc = op.account.encrypt("", kdf="scrypt", iterations=2)
    (tmp_path / "ecdsa.json").write_text(json.dumps(doc))
    system.deployment.save(tmp_path / "deployment.json")
    config = {
        "rpc_url": system.client.url,
        "deployment": str(tmp_path / "deployment.json"),
        "bls_key_file": str(tmp_path / "bls.json"),
        "ecdsa_key_file": str(tmp_path / "ecdsa.json"),
        "aggregator_url": "127.0.0.1:1",
        "data_dir": str(tmp_path / "data"),
    }
    path = tmp_path / "operator.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["operator", "claim-fees", "--config", str(config), *args])


def test_claimable_first_then_batched_claims(
    tmp_path: Path, system: DevSystem, chain_snapshot: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = write_config(tmp_path, system)
    share = 4 * 10**12 * 10 // 40  # fee split by signed stake: 10 of 40 tokens
    client = system.client
    me = system.operators[0].address

    preview = run(config)
    assert preview.exit_code == 0, preview.output
    assert f"claimable: {3 * share / E18:.6f} ETH over 3 tasks" in preview.stdout
    assert "nothing sent; pass --all" in preview.stdout

    before = client.balance(me)
    one = run(config, "--tasks", "1", "--json")
    assert one.exit_code == 0, one.output
    doc = json.loads(one.stdout)
    assert [c["task_index"] for c in doc["claimable"]] == [0, 1, 2]
    assert [b["tasks"] for b in doc["claimed"]] == [[1]]
    assert doc["paid_wei"] == str(share)

    rest = run(config, "--all", "--batch-size", "1", "--json")
    assert rest.exit_code == 0, rest.output
    doc = json.loads(rest.stdout)
    assert [b["tasks"] for b in doc["claimed"]] == [[0], [2]]  # one transaction per batch
    assert doc["paid_wei"] == str(2 * share)
    gas = before + 3 * share - client.balance(me)
    assert 0 < gas < 10**16  # the operator received the 3 shares, minus 3 transactions' gas

    again = run(config, "--all", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {"claimable": [], "claimed": [], "paid_wei": "0"}
    unknown = run(config, "--tasks", "0")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: tasks [0] have no fee share to claim")
