"""``avs task-types``: installed task types, and registering one on chain (AVS owner)."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from avs.cli.targets import chain_options, chain_target, key_options
from avs.errors import InputError


@click.group("task-types")
def task_types() -> None:
    """Task types: installed plug-ins (entry points 'avs.task_types') and on-chain registration."""


def installed() -> list[dict[str, Any]]:
    """id, exact, package and version of every installed task type."""
    from avs.tasks.registry import ENTRY_POINT_GROUP, load_registry

    registry = load_registry()
    rows = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        task = registry.get(ep.name)
        rows.append(
            {
                "id": task.id,
                "exact": task.exact,
                "package": ep.dist.name if ep.dist else "?",
                "version": ep.dist.version if ep.dist else "?",
                "class": ep.value,
            }
        )
    return rows


@task_types.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the task types as JSON.")
@click.option(
    "--rpc-url",
    help="Also say which are registered on this chain (with --deployment).",
)
@click.option(
    "--deployment",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".devnet/deployment.json"),
    show_default=True,
    help="Deployment JSON (with --rpc-url).",
)
def list_types(as_json: bool, rpc_url: str | None, deployment: Path) -> None:
    """Installed task types (id, exact?, package, version); with --rpc-url, on-chain state."""
    from rich.console import Console
    from rich.table import Table

    rows = installed()
    if rpc_url is not None:
        from avs.chain.catalog import task_type_status

        reader = chain_target(rpc_url, deployment).reader()
        for row in rows:
            status = task_type_status(reader, row["id"])
            row["registered"] = status.registered
            row["registered_exact"] = status.exact if status.registered else None
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    columns = ["id", "exact", "package", "version"]
    if rpc_url is not None:
        columns.append("on chain")
    table = Table(*columns)
    for row in rows:
        cells = [row["id"], "yes" if row["exact"] else "no", row["package"], row["version"]]
        if rpc_url is not None:
            cells.append(_chain_cell(row))
        table.add_row(*cells)
    Console(width=160).print(table)


def _chain_cell(row: dict[str, Any]) -> str:
    if not row["registered"]:
        return "not registered"
    if row["registered_exact"] != row["exact"]:
        return f"registered with exact={row['registered_exact']} (mismatch!)"
    return "registered"


@task_types.command()
@click.argument("type_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@chain_options
@key_options
def register(
    type_id: str,
    as_json: bool,
    rpc_url: str | None,
    deployment: Path,
    private_key_file: Path | None,
    password_file: Path | None,
) -> None:
    """Register installed task type ID in the ModelRegistry (AVS owner only).

    Its exactness comes from the installed class: exact types make dissent provable, so
    the flag on chain must match what the plug-in claims. Registering again is a no-op.
    """
    from avs.chain.catalog import task_type_status
    from avs.models.hashing import hash_hex
    from avs.tasks.registry import load_registry

    task = load_registry().get(type_id)
    target = chain_target(rpc_url, deployment, private_key_file, password_file)
    status = task_type_status(target.reader(), type_id)
    tx = None
    if status.registered and status.exact != task.exact:
        raise InputError(
            f"{type_id} is registered with exact={status.exact} but the installed class says "
            f"exact={task.exact}; models already registered rely on the chain's flag"
        )
    if not status.registered:
        tx = hash_hex(target.writer().register_task_type(type_id, task.exact).tx_hash)
    if as_json:
        click.echo(json.dumps({"id": type_id, "exact": task.exact, "tx_hash": tx}))
    else:
        state = f"registered (tx {tx})" if tx else "already registered"
        click.echo(f"task type {type_id} (exact={task.exact}) {state}")
