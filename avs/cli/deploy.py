"""``avs deploy``: deploy the whole system to an RPC endpoint and write the deployment JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from avs.cli.account import account_options, signing_key
from avs.errors import InputError


@click.command("deploy")
@click.option("--rpc-url", required=True, help="JSON-RPC endpoint, e.g. http://127.0.0.1:8545.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("deployment.json"),
    show_default=True,
    help="Where to write the deployment JSON.",
)
@account_options("Deployer key")
@click.option("--quorums", default=2, show_default=True, help="Quorums (operator sets) to create.")
@click.option(
    "--minimum-stake",
    default=10**18,
    show_default=True,
    help="Minimum allocated stake (token wei) to join a quorum.",
)
@click.option(
    "--core",
    "core_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use an existing EigenLayer core: a JSON file with the AllocationManager, "
    "DelegationManager, PermissionController and StrategyManager addresses and the "
    "'strategy' the quorums measure stake in. Only the middleware and AVS contracts are "
    "deployed; without it the stand-in core is deployed too (devnets).",
)
@click.option(
    "--params",
    "params_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file overriding any DeployParams field (delays, windows, slash fractions...).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the deployment document as JSON.")
def deploy(
    rpc_url: str,
    out: Path,
    private_key_file: Path | None,
    password_file: Path | None,
    quorums: int,
    minimum_stake: int,
    params_file: Path | None,
    as_json: bool,
    core_file: Path | None,
) -> None:
    """Deploy registry, task and slashing managers (and, without --core, the stand-in
    restaking core); write OUT.

    The deployer owns every contract it deploys (and mints the devnet staking token). With
    --core the core's own withdrawal and deallocation delays must exceed the response plus
    challenge window. Keys are never printed.
    """
    from dataclasses import fields, replace

    from avs.chain.client import ChainClient
    from avs.chain.deploy import deploy_system
    from avs.chain.deployment import DeployParams

    params = DeployParams(quorum_count=quorums, minimum_stake=minimum_stake)
    if params_file is not None:
        try:
            overrides = json.loads(params_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read --params {params_file}: {exc}") from None
        known = {f.name for f in fields(DeployParams)}
        unknown = set(overrides) - known
        if unknown:
            raise InputError(f"--params: unknown fields {sorted(unknown)}; known: {sorted(known)}")
        if "task_types" in overrides:
            overrides["task_types"] = tuple(
                sorted((k, bool(v)) for k, v in overrides["task_types"].items())
            )
        params = replace(params, **overrides)

    reader = ChainClient.connect(rpc_url)
    key = signing_key(reader.chain_id, private_key_file, password_file, "deployer")
    core = None
    if core_file is not None:
        from avs.chain.core import load_core_file, resolve_core

        core = resolve_core(reader, load_core_file(core_file))
    deployment = deploy_system(reader.with_account(key), params, core)
    deployment.save(out)
    if as_json:
        click.echo(json.dumps({"path": str(out), **deployment.to_json()}, indent=2))
        return
    click.echo(f"deployed to chain {deployment.chain_id} at block {deployment.block}:")
    for name, address in sorted(deployment.contracts.items()):
        click.echo(f"  {name:24} {address}")
    click.echo(f"wrote {out}")
