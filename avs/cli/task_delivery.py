"""Consumer contracts in ``avs tasks``: the ``submit`` options that name one, the delivery
lines of ``show``, and ``avs tasks finalize`` (deliver after the challenge window)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from avs.cli.targets import chain_options, chain_target, key_options
from avs.errors import AvsError, InputError

if TYPE_CHECKING:
    from avs.chain.delivery import ConsumerRequest
    from avs.chain.reader import ChainReader
    from avs.protocol import Task

F = TypeVar("F", bound=Callable[..., Any])
MAX_CALLBACK_GAS = 2_500_000
"""TaskManager.MAX_CALLBACK_GAS (checked here too, so a bad value costs no transaction)."""


def consumer_options(fn: F) -> F:
    """``--consumer`` and the options that only make sense with it."""
    options = [
        click.option(
            "--consumer",
            metavar="ADDR",
            help="Contract (IInferenceConsumer) the certified result is delivered to; the "
            "result bytes then travel with the certificate.",
        ),
        click.option(
            "--callback-gas",
            default=200_000,
            show_default=True,
            type=click.IntRange(1, MAX_CALLBACK_GAS),
            help="With --consumer: gas the consumer's callback gets.",
        ),
        click.option(
            "--delivery-bounty",
            default=0,
            show_default=True,
            type=click.IntRange(0),
            help="With --consumer: wei escrowed for whoever delivers (pays the callback's "
            "gas); refunded if the task expires or is overturned.",
        ),
        click.option(
            "--deliver-before-final",
            is_flag=True,
            help="With --consumer, exact task types: deliver at certification with "
            "isFinal=false instead of after the challenge window.",
        ),
        click.option(
            "--context",
            default="0",
            show_default=True,
            help="With --consumer: 32 bytes passed back to it, as a number or 0x-hex "
            "(e.g. a PayIfConfident agreement id).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def consumer_request(
    consumer: str | None, callback_gas: int, before_final: bool, context: str
) -> ConsumerRequest | None:
    """The request the options describe (None without --consumer), or a one-line error."""
    from avs.chain.delivery import ConsumerRequest

    if consumer is None:
        return None
    text = consumer.removeprefix("0x")
    if not consumer.startswith("0x") or len(text) != 40 or not _is_hex(text):
        raise InputError(f"--consumer {consumer}: not an address (0x + 40 hex digits)")
    return ConsumerRequest(consumer, callback_gas, before_final, parse_context(context))


def parse_context(text: str) -> bytes:
    """A decimal number or 0x-hex (at most 32 bytes) as 32 big-endian bytes."""
    try:
        value = int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        raise InputError(f"--context {text}: not a number or 0x-hex") from None
    if not 0 <= value < 1 << 256:
        raise InputError(f"--context {text}: must fit in 32 bytes")
    return value.to_bytes(32, "big")


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def delivery_view(reader: ChainReader, task: Task) -> dict[str, Any] | None:
    """The task's delivery to a consumer, JSON-ready (None when it has no consumer)."""
    record = reader.delivery(task.task_index)
    if not record.has_consumer:
        return None
    return {
        "consumer": record.consumer,
        "mode": record.mode.name.lower(),
        "state": record.state.label,
        "callback_gas_limit": record.callback_gas_limit,
        "final_block": record.final_block,
        "bounty_wei": record.bounty,
    }


def delivery_lines(view: dict[str, Any]) -> list[str]:
    """Human-readable lines for the ``delivery`` entry of a task view."""
    d = view.get("delivery")
    if d is None:
        return []
    return [
        f"  consumer {d['consumer']}  {d['mode']}  delivery {d['state']}  "
        f"(final after block {d['final_block']}, gas {d['callback_gas_limit']}, "
        f"bounty {d['bounty_wei']} wei)"
    ]


@click.command()
@click.argument("task_index", metavar="N", type=click.IntRange(0))
@click.option("--retry", is_flag=True, help="Retry a failed delivery (the task's client only).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@chain_options
@key_options
def finalize(
    task_index: int,
    retry: bool,
    as_json: bool,
    rpc_url: str | None,
    deployment: Path,
    private_key_file: Path | None,
    password_file: Path | None,
) -> None:
    """Deliver task N's certified result to its consumer once its challenge window closed.

    Anyone may call it (and is credited the task's delivery bounty); the result bytes come
    from the task's ResultPublished event and are checked against the certified hash.
    """
    from avs.chain.delivery import DeliveryState
    from avs.models.hashing import hash_hex

    target = chain_target(rpc_url, deployment, private_key_file, password_file)
    reader = target.reader()
    task = reader.created_task(task_index)
    if task is None:
        raise InputError(f"no task {task_index} on this deployment")
    record = reader.delivery(task_index)
    if not record.has_consumer:
        raise InputError(f"task {task_index} has no consumer contract")
    result = reader.published_result(task_index, task)
    if result is None:
        raise AvsError(
            f"task {task_index} has no certified result yet (delivery {record.state.label})"
        )
    head = reader.client.block_number()
    if not retry and head <= record.final_block:
        raise AvsError(
            f"task {task_index}: the challenge window runs until block {record.final_block} "
            f"(now {head}); finalize after it"
        )
    writer = target.writer()
    receipt = (
        writer.retry_delivery(task_index, result) if retry else writer.finalize(task_index, result)
    )
    state = reader.delivery(task_index).state
    outcome = {
        "task_index": task_index,
        "consumer": record.consumer,
        "state": state.label,
        "delivered": state is DeliveryState.DELIVERED,
        "tx_hash": hash_hex(receipt.tx_hash),
    }
    if as_json:
        click.echo(json.dumps(outcome, indent=2))
    else:
        click.echo(
            f"task {task_index}: delivery to {record.consumer} {state.label} "
            f"(tx {outcome['tx_hash']})"
        )
