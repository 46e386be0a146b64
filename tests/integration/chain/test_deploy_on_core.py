"""``avs deploy --core``: the middleware and AVS contracts deploy unchanged on a restaking
core deployed separately (by another account, as EigenLayer's is), and the result works:
an operator onboards through the core, and a certificate settles a task."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.deploy import deploy_core
from avs.chain.deployment import Deployment, DeployParams
from avs.chain.devkit import DevSystem, dev_secrets, onboard_operator
from avs.chain.writer import ChainWriter
from avs.cli.main import cli
from avs.crypto.bls import KeyPair

pytestmark = pytest.mark.integration

E18 = 10**18


def core_file(anvil: str, tmp_path: Path, params: DeployParams) -> tuple[Path, ChainClient]:
    """Deploy a core from another account and describe it the way EigenLayer publishes one."""
    core_owner = ChainClient.connect(anvil, DEV_PRIVATE_KEYS[3])
    core = deploy_core(core_owner, params)
    path = tmp_path / "core.json"
    names = ("AllocationManager", "DelegationManager", "PermissionController", "StrategyManager")
    path.write_text(json.dumps({"strategy": core["StrategyBase"]} | {n: core[n] for n in names}))
    return path, core_owner


def test_deploy_on_an_existing_core_works_end_to_end(anvil: str, tmp_path: Path) -> None:
    path, core_owner = core_file(anvil, tmp_path, DeployParams())
    core = json.loads(path.read_text())
    out = tmp_path / "deployment.json"
    result = CliRunner().invoke(
        cli,
        ["deploy", "--rpc-url", anvil, "--core", str(path), "--out", str(out), "--quorums", "1"],
    )
    assert result.exit_code == 0, result.output
    deployment = Deployment.load(out)
    for name in ("AllocationManager", "DelegationManager", "PermissionController"):
        assert deployment.contracts[name] == core[name]  # used, not redeployed
    assert deployment.strategy == core["strategy"]

    # the token belongs to the core's owner, as on a real chain the staker buys it
    minter = ChainWriter(core_owner, deployment)
    key, secret = dev_secrets(b"on-core", 0)
    operator = onboard_operator(
        minter, deployment, key, KeyPair.from_secret(secret), 5 * E18, {0: 10**18}
    )
    system = DevSystem(ChainClient.connect(anvil, DEV_PRIVATE_KEYS[0]), deployment)
    system.operators.append(operator)
    assert system.reader.stake(operator.operator_id, 0) == 5 * E18
    task = system.create_task(system.register_model("onnx-classify", name=b"on-core"), [0])
    system.certify(task, b"result", [operator])
    assert system.reader.is_certified(task)


def test_deploy_refuses_a_core_whose_delays_are_too_short(anvil: str, tmp_path: Path) -> None:
    short = replace(DeployParams(), deallocation_delay_blocks=100)  # < 50 + 100 window
    path, _ = core_file(anvil, tmp_path, replace(short, challenge_window_blocks=10))
    result = CliRunner().invoke(cli, ["deploy", "--rpc-url", anvil, "--core", str(path)])
    assert result.exit_code != 0
    assert "error:" in result.output
    assert "deallocation_delay_blocks (100)" in result.output
    assert "Traceback" not in result.output


def test_deploy_refuses_an_incomplete_core_file(anvil: str, tmp_path: Path) -> None:
    path = tmp_path / "core.json"
    path.write_text(json.dumps({"AllocationManager": "0x" + "11" * 20}))
    result = CliRunner().invoke(cli, ["deploy", "--rpc-url", anvil, "--core", str(path)])
    assert result.exit_code != 0
    assert "error:" in result.output
    assert "lacks" in result.output
