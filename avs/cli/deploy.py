"""``avs deploy``: deploy the whole system to an RPC endpoint and write the deployment JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from avs.errors import InputError

DEVNET_CHAIN_ID = 31337


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
@click.option(
    "--private-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Deployer key: a geth keystore (with --password-file) or a hex key. Defaults to "
    "anvil's first dev account, on chain id 31337 only.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Password of an encrypted --private-key-file.",
)
@click.option("--quorums", default=2, show_default=True, help="Quorums (operator sets) to create.")
@click.option(
    "--minimum-stake",
    default=10**18,
    show_default=True,
    help="Minimum allocated stake (token wei) to join a quorum.",
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
) -> None:
    """Deploy restaking core, registry, task and slashing managers; write OUT.

    The deployer owns every contract and mints the devnet staking token. Keys are never
    printed.
    """
    from dataclasses import fields, replace

    from avs.chain.anvil import DEV_PRIVATE_KEYS
    from avs.chain.client import ChainClient
    from avs.chain.deploy import deploy_system
    from avs.chain.deployment import DeployParams
    from avs.chain.keys import load_ecdsa_key

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
    if private_key_file is not None:
        key: str | bytes = load_ecdsa_key(private_key_file, password_file)
    elif reader.chain_id == DEVNET_CHAIN_ID:
        key = DEV_PRIVATE_KEYS[0]
    else:
        raise InputError(
            f"chain {reader.chain_id} is not a devnet: pass --private-key-file for the deployer"
        )
    deployment = deploy_system(reader.with_account(key), params)
    deployment.save(out)
    if as_json:
        click.echo(json.dumps({"path": str(out), **deployment.to_json()}, indent=2))
        return
    click.echo(f"deployed to chain {deployment.chain_id} at block {deployment.block}:")
    for name, address in sorted(deployment.contracts.items()):
        click.echo(f"  {name:24} {address}")
    click.echo(f"wrote {out}")
