"""``avs operators update-stakes``: lower recorded stake that is no longer slashable.

Anyone may run it (it pays the gas of ``updateOperators``). Aggregators do the same before
they certify; this command is for keepers, stakers and operators who want it done now.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from avs.cli.account import account_options, signing_key
from avs.errors import InputError


@click.command("update-stakes")
@click.option(
    "--rpc-url",
    envvar="AVS_RPC_URL",
    default=None,
    help="JSON-RPC URL [default: the devnet's .devnet/rpc_url, else http://127.0.0.1:8545; "
    "env AVS_RPC_URL].",
)
@click.option(
    "--deployment",
    envvar="AVS_DEPLOYMENT",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".devnet/deployment.json"),
    show_default=True,
    help="Deployment JSON written by 'avs deploy' or the devnet [env AVS_DEPLOYMENT].",
)
@account_options("Account paying the gas")
@click.option("--dry-run", is_flag=True, help="Only list the operators that need a refresh.")
@click.option("--json", "as_json", is_flag=True, help="Print {operators, tx} as JSON.")
def update_stakes_cmd(
    rpc_url: str | None,
    deployment: Path,
    private_key_file: Path | None,
    password_file: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Refresh operators whose recorded stake exceeds what a slash could still take.

    An operator's stake leaves through deallocations (slashable until the deallocation delay
    has passed) and its delegators' withdrawals; the registry only learns of it when someone
    calls updateOperators. This finds every operator whose recorded stake in a quorum is
    above the stake that stays slashable for the registry's lookahead, and refreshes them in
    one transaction (operators that fall below a quorum's minimum are deregistered from it).
    """
    from avs.chain.client import ChainClient
    from avs.chain.deployment import Deployment
    from avs.chain.reader import ChainReader
    from avs.chain.stakes import refresh, stale_operators
    from avs.chain.writer import ChainWriter
    from avs.stakers.session import default_rpc_url

    loaded = Deployment.load(deployment)
    client = ChainClient.connect(rpc_url or default_rpc_url())
    if client.chain_id != loaded.chain_id:
        raise InputError(
            f"the node serves chain {client.chain_id}, {deployment} is on chain "
            f"{loaded.chain_id}; point --rpc-url and --deployment at the same chain"
        )
    reader = ChainReader(client, loaded)
    stale = stale_operators(reader, loaded.quorum_numbers)
    tx = None
    if stale and not dry_run:
        key = signing_key(client.chain_id, private_key_file, password_file, "gas payer")
        if not as_json:
            click.echo(f"refreshing {len(stale)} operator(s) ...", err=True)
        receipt = refresh(ChainWriter(client.with_account(key), loaded), stale)
        tx = "0x" + receipt.tx_hash.hex()
    if as_json:
        click.echo(json.dumps({"operators": stale, "tx": tx, "dry_run": dry_run}, indent=2))
    elif not stale:
        click.echo("every recorded stake is still slashable; nothing to refresh")
    else:
        verb = "would refresh" if dry_run else "refreshed"
        click.echo(f"{verb} {len(stale)} operator(s):")
        for address in stale:
            click.echo(f"  {address}")
        if tx:
            click.echo(f"transaction {tx}")
