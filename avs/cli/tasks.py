"""``avs tasks``: submit inference tasks and look at them (status, certificate, labels)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from avs.cli.targets import (
    aggregator_option,
    aggregator_tls,
    chain_options,
    chain_target,
    default_aggregator,
    key_options,
)
from avs.cli.task_delivery import consumer_options, consumer_request, finalize
from avs.errors import AvsError, InputError

MAX_MODEL_BYTES = 256 * 1024 * 1024

if TYPE_CHECKING:
    from avs.chain.reader import ChainReader
    from avs.chain.views import ModelInfo
    from avs.protocol import Task


@click.group()
def tasks() -> None:
    """Create tasks for a registered model, and follow them to their certificate."""


@tasks.command()
@click.option("--model", "model_id", required=True, help="Model id (0x + 64 hex digits).")
@click.option(
    "--inputs",
    "inputs_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Inputs: .npy (N, W), JSON lines (one array per input), or an encoded AVSI blob.",
)
@click.option(
    "--threshold",
    "threshold_bps",
    default=6_667,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Share of each quorum's stake that must sign, in basis points.",
)
@click.option(
    "--window",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    help="Blocks the operators have to certify the task.",
)
@click.option(
    "--quorum",
    "quorums",
    multiple=True,
    type=int,
    default=(0,),
    show_default=True,
    help="Quorum (operator set) that must sign; repeat for several.",
)
@click.option("--wait", is_flag=True, help="Wait for the certificate and print the labels.")
@click.option(
    "--timeout",
    default=120.0,
    show_default=True,
    help="With --wait: give up after this many seconds.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the task (and result) as JSON.")
@consumer_options
@chain_options
@aggregator_option
@key_options
def submit(
    model_id: str,
    inputs_file: Path,
    threshold_bps: int,
    window: int,
    quorums: tuple[int, ...],
    wait: bool,
    timeout: float,
    as_json: bool,
    consumer: str | None,
    callback_gas: int,
    delivery_bounty: int,
    deliver_before_final: bool,
    context: str,
    rpc_url: str | None,
    deployment: Path,
    aggregator: str | None,
    private_key_file: Path | None,
    password_file: Path | None,
) -> None:
    """Put the inputs in the aggregator's blob store and create a task paying the model's fee.

    The inputs are encoded and validated by the model's task type first, so a batch the
    operators would reject costs nothing. With --wait, prints the certificate (block,
    signers, transaction) and the certified labels, one per input ('-' = abstained).
    With --consumer the certified result is delivered to that contract: at certification for
    non-exact task types, after the challenge window ('avs tasks finalize N') for exact ones.
    """
    from avs.cli.task_view import format_view, task_view
    from avs.models.fetchers import aggregator_uri
    from avs.models.hashing import ContentHash, hash_hex, parse_content_hash
    from avs.protocol import inputs_root
    from avs.rpc.blob_client import BlobClient
    from avs.tasks.input_files import load_input_blob
    from avs.tasks.registry import load_registry

    request = consumer_request(consumer, callback_gas, deliver_before_final, context)
    target = chain_target(rpc_url, deployment, private_key_file, password_file)
    agg = aggregator or default_aggregator()
    reader = target.reader()
    try:
        digest = parse_content_hash(model_id)
    except InputError as exc:
        raise InputError(f"--model {model_id}: {exc}") from None
    model = registered_model(reader, digest)
    task_type = load_registry().get(model.task_type)
    blob = load_input_blob(inputs_file, task_type)
    batch = task_type.decode_inputs(blob)
    leaves = batch.leaves
    with BlobClient(agg, tls=aggregator_tls(agg)) as blobs:
        # Inputs the model cannot take would only expire unanswered: refuse them for free.
        loaded = task_type.load_model(blobs.get(ContentHash(model.content_hash), MAX_MODEL_BYTES))
        if batch.width != loaded.input_width:
            raise InputError(
                f"inputs {inputs_file} have {batch.width} values each; model "
                f"{hash_hex(model.model_id)} takes {loaded.input_width}"
            )
        inputs_hash = blobs.put(blob).content_hash
    task, receipt = target.writer().create_task(
        model.model_id,
        inputs_root(leaves),
        len(leaves),
        aggregator_uri(inputs_hash),
        list(quorums),
        threshold_bps,
        window,
        model.fee_per_input * len(leaves),
        request,
        delivery_bounty if request else 0,
    )
    if not as_json:
        click.echo(
            f"task {task.task_index} created in block {task.created_block} "
            f"(tx {hash_hex(receipt.tx_hash)}), {len(leaves)} inputs, fee {task.fee} wei, "
            f"deadline block {task.deadline_block}"
        )
    if wait:
        wait_settled(reader, task, timeout, quiet=as_json)
    view = task_view(reader, task, agg if wait else None)
    view["create_tx_hash"] = hash_hex(receipt.tx_hash)
    if as_json:
        click.echo(json.dumps(view, indent=2))
    elif wait:
        for line in format_view(view):
            click.echo(line)
    if wait and view["status"] != "certified":
        raise AvsError(f"task {task.task_index} was not certified: {view['status']}")


tasks.add_command(finalize)


@tasks.command()
@click.argument("task_index", metavar="N", type=click.IntRange(0))
@click.option(
    "--labels/--no-labels",
    default=True,
    show_default=True,
    help="Re-run a certified task locally to show its labels (fetches model and inputs).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the task as JSON.")
@chain_options
@aggregator_option
def show(
    task_index: int,
    labels: bool,
    as_json: bool,
    rpc_url: str | None,
    deployment: Path,
    aggregator: str | None,
) -> None:
    """Show task N: status, fee, deadline, certificate (block, signers, tx) and labels."""
    from avs.cli.task_view import format_view, task_view

    reader = chain_target(rpc_url, deployment).reader()
    task = reader.created_task(task_index)
    if task is None:
        raise InputError(
            f"no task {task_index} on this deployment (next index: {reader.next_task_index()})"
        )
    view = task_view(reader, task, (aggregator or default_aggregator()) if labels else None)
    if as_json:
        click.echo(json.dumps(view, indent=2))
    else:
        for line in format_view(view):
            click.echo(line)


def registered_model(reader: ChainReader, model_id: bytes) -> ModelInfo:
    """The registered, active model ``model_id``, or a one-line error saying what to do."""
    from avs.chain.catalog import registered_models
    from avs.errors import ContractRevert
    from avs.models.hashing import hash_hex

    try:
        model = reader.model(model_id)
    except ContractRevert as exc:
        known = ", ".join(hash_hex(m.model_id) for m in registered_models(reader)) or "none"
        raise InputError(
            f"model {hash_hex(model_id)} is not registered ({exc.error_name}); known: {known}. "
            "Register it with 'avs models register'"
        ) from None
    if not model.active:
        raise InputError(f"model {hash_hex(model_id)} is deactivated: it takes no new tasks")
    return model


def wait_settled(reader: ChainReader, task: Task, timeout: float, quiet: bool) -> None:
    """Poll until ``task`` is certified or past its deadline (or ``timeout`` s), with progress."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        head = reader.client.block_number()
        if reader.certification(task.task_index, task) is not None or head > task.deadline_block:
            return
        line = f"waiting    block {head}, deadline {task.deadline_block}"
        if not quiet and line != last:
            click.echo(line, err=True)
            last = line
        time.sleep(0.5)
    raise AvsError(
        f"task {task.task_index} still open after {timeout:.0f} s; "
        f"see 'avs tasks show {task.task_index}'"
    )
