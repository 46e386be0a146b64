"""``avs models``: register a model for a task type (hash, upload, register) and list models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from avs.cli.targets import (
    aggregator_blobs,
    aggregator_option,
    chain_options,
    chain_target,
    key_options,
)
from avs.errors import InputError

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@click.group()
def models() -> None:
    """Models in the on-chain ModelRegistry, named by the Keccak-256 of their ONNX file."""


@models.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--task-type", "type_id", required=True, help="Installed, registered task type id.")
@click.option(
    "--fee-per-input",
    required=True,
    type=click.IntRange(0, 2**96 - 1),
    help="Fee in wei a client pays per input of a task on this model.",
)
@click.option(
    "--verifier",
    default=ZERO_ADDRESS,
    help="On-chain verifier contract that re-executes the model (exact task types).",
)
@click.option("--json", "as_json", is_flag=True, help="Print model id, URI and tx as JSON.")
@chain_options
@aggregator_option
@key_options
def register(
    file: Path,
    type_id: str,
    fee_per_input: int,
    verifier: str,
    as_json: bool,
    rpc_url: str | None,
    deployment: Path,
    aggregator: str | None,
    private_key_file: Path | None,
    password_file: Path | None,
) -> None:
    """Check FILE against its task type, upload it to the aggregator and register it (owner).

    The model id is the Keccak-256 of FILE; operators download it by that hash from the
    aggregator (avs-blob://) and refuse any other bytes. Registering the same file again
    changes nothing and prints the same id.
    """
    from avs.chain.catalog import task_type_status
    from avs.chain.verifiers import deploy_verifier_for
    from avs.cli.blobs import read_file
    from avs.errors import ContractRevert
    from avs.models.fetchers import aggregator_uri
    from avs.models.hashing import content_hash, hash_hex
    from avs.tasks.registry import load_registry

    if not _is_address(verifier):
        raise InputError(f"--verifier {verifier!r} is not a 0x-prefixed 20-byte address")
    data = read_file(file, "model")
    task_type = load_registry().get(type_id)
    task_type.load_model(data)  # a model its own task type rejects must not cost gas
    target = chain_target(rpc_url, deployment, private_key_file, password_file)
    reader = target.reader()
    if not task_type_status(reader, type_id).registered:
        raise InputError(
            f"task type {type_id!r} is not registered on chain; the AVS owner registers it "
            f"with 'avs task-types register {type_id}'"
        )
    model_id = content_hash(data)
    with aggregator_blobs(aggregator) as blobs:
        blobs.put(data)
    uri = aggregator_uri(model_id)
    tx = None
    try:
        existing = reader.model(model_id)
    except ContractRevert:
        existing = None
    if existing is None:
        writer = target.writer()
        if task_type.exact and int(verifier, 16) == 0:
            verifier = deploy_verifier_for(writer.client, type_id, data)
        receipt = writer.register_model(model_id, model_id, type_id, uri, fee_per_input, verifier)
        tx = hash_hex(receipt.tx_hash)
    elif existing.task_type != type_id:
        raise InputError(
            f"model {hash_hex(model_id)} is already registered for task type "
            f"{existing.task_type!r}; a model id names one file for one task type"
        )
    if as_json:
        body = {
            "model_id": hash_hex(model_id),
            "uri": uri,
            "tx_hash": tx,
            "created": tx is not None,
        }
        click.echo(json.dumps(body))
    else:
        state = f"registered (tx {tx})" if tx else "already registered"
        fee = fee_per_input if existing is None else existing.fee_per_input
        click.echo(f"model {hash_hex(model_id)} {state}")
        click.echo(f"  task type {type_id}, {fee} wei per input, {uri}")


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the models as JSON.")
@chain_options
def list_models(as_json: bool, rpc_url: str | None, deployment: Path) -> None:
    """Every model registered in the ModelRegistry, with its task type, fee and state."""
    from rich.console import Console
    from rich.table import Table

    from avs.chain.catalog import registered_models
    from avs.models.hashing import hash_hex

    found = registered_models(chain_target(rpc_url, deployment).reader())
    rows: list[dict[str, Any]] = [
        {
            "model_id": hash_hex(m.model_id),
            "task_type": m.task_type,
            "exact": m.exact,
            "fee_per_input_wei": m.fee_per_input,
            "active": m.active,
            "verifier": m.verifier,
            "uri": m.uri,
        }
        for m in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("model id", "task type", "exact", "fee/input (wei)", "active", "uri")
    for row in rows:
        table.add_row(
            row["model_id"],
            row["task_type"],
            "yes" if row["exact"] else "no",
            str(row["fee_per_input_wei"]),
            "yes" if row["active"] else "no",
            row["uri"],
        )
    Console(width=200).print(table)


def _is_address(value: str) -> bool:
    text = value.removeprefix("0x")
    return (
        value.startswith("0x")
        and len(text) == 40
        and all(c in "0123456789abcdefABCDEF" for c in text)
    )
