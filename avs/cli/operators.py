"""``avs operators``: the stakers' view of operator performance, from chain events alone.

Every figure comes from the AVS contracts' events and the operator-set state at each task's
reference block, never from an operator's own metrics (definitions: docs/stakers.md).
Errors (no node, wrong deployment, unknown operator) print one ``error:`` line and exit
non-zero, via the root group.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from eth_utils.address import is_address

from avs.cli.update_stakes import update_stakes_cmd
from avs.console import make_console
from avs.errors import InputError
from avs.stakers.chart import chart_format, series
from avs.stakers.delegator import delegation_spans, delegator_json
from avs.stakers.ledger import Ledger
from avs.stakers.metrics import Window
from avs.stakers.progress import scan_progress
from avs.stakers.render import delegator_table, list_csv, list_table, show_group
from avs.stakers.report import SORT_COLUMNS, list_json, show_json
from avs.stakers.session import DEFAULT_DEPLOYMENT, Session, Target, default_rpc_url

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_WINDOWS = "100,1000,10000"


def _chain_options(fn: F) -> F:
    """--rpc-url, --deployment, --cache, --no-cache."""
    options = [
        click.option(
            "--rpc-url",
            envvar="AVS_RPC_URL",
            default=None,
            help="JSON-RPC URL [default: the devnet's .devnet/rpc_url, else "
            "http://127.0.0.1:8545; env AVS_RPC_URL].",
        ),
        click.option(
            "--deployment",
            envvar="AVS_DEPLOYMENT",
            type=click.Path(dir_okay=False, path_type=Path),
            default=DEFAULT_DEPLOYMENT,
            show_default=True,
            help="Deployment JSON written by 'avs deploy' or the devnet [env AVS_DEPLOYMENT].",
        ),
        click.option(
            "--cache",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Cache file [default: ~/.cache/edge-avs/stakers-<chain>-<taskmanager>.sqlite].",
        ),
        click.option(
            "--no-cache", is_flag=True, help="Read every block again, in memory (cold scan)."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _open(rpc_url: str | None, deployment: Path, cache: Path | None, no_cache: bool) -> Session:
    return Session.open(Target(rpc_url or default_rpc_url(), deployment, cache, not no_cache))


def _refresh(session: Session, quiet: bool) -> Ledger:
    with scan_progress(quiet) as progress:
        return session.refresh(progress)


def _emit_json(doc: dict[str, Any]) -> None:
    click.echo(json.dumps(doc, indent=2))


def _window(session: Session, ledger: Ledger, since: int | None, last: int | None) -> Window:
    start = session.context.start_block
    if since is not None and last is not None:
        raise InputError("--since and --last exclude each other; pass one")
    if since is not None and since > ledger.head:
        raise InputError(
            f"--since {since} is after the chain head (block {ledger.head}); "
            f"pass a block between {start} and {ledger.head}"
        )
    if last is not None:
        return Window(max(start, ledger.head - last + 1), ledger.head)
    return Window(max(start, since or start), ledger.head)


def _operator_id(ledger: Ledger, operator: str) -> bytes:
    op_id = ledger.resolve(operator)
    if op_id is None:
        raise InputError(
            f"operator {operator} is not known to this AVS (no BLS key registered in its "
            "OperatorRegistry); give an operator address or 0x operator id from "
            "'avs operators list'"
        )
    return op_id


@click.group()
def operators() -> None:
    """Operator performance from chain data alone (the stakers' view).

    Response rate, agreement, latency, fees, stake and slashes are computed from the AVS
    contracts' events; nothing is taken from the operators themselves.
    """


@operators.command("list")
@_chain_options
@click.option(
    "--since",
    type=click.IntRange(min=0),
    metavar="BLOCK",
    help="Only tasks created at or after BLOCK.",
)
@click.option(
    "--last",
    type=click.IntRange(min=1),
    metavar="N",
    help="Only tasks created in the last N blocks.",
)
@click.option(
    "--sort",
    type=click.Choice(sorted(SORT_COLUMNS)),
    default="effectiveness",
    show_default=True,
    help="Column to order by (null figures last).",
)
@click.option(
    "--delegator",
    metavar="ADDRESS",
    help="A staker's own view: only the operators ADDRESS delegates (or delegated) to, with "
    "its shares, what slashes took from it and its pro-rata share of the fees.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the documented JSON document.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV (for spreadsheets).")
def list_cmd(
    rpc_url: str | None,
    deployment: Path,
    cache: Path | None,
    no_cache: bool,
    since: int | None,
    last: int | None,
    sort: str,
    delegator: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """One row per operator: stake, tasks, response and agreement rates, latency, fees,
    fees per staked token, slashes, status, effectiveness and rank."""
    if as_json and as_csv:
        raise InputError("--json and --csv exclude each other; pass one")
    if delegator is not None and not is_address(delegator):
        raise InputError(f"--delegator {delegator} is not an address (0x + 40 hex digits)")
    with _open(rpc_url, deployment, cache, no_cache) as session:
        ledger = _refresh(session, as_json or as_csv)
        window = _window(session, ledger, since, last)
        seconds = _seconds(session, window)
        doc = list_json(session.context, ledger, window, sort, seconds, _metadata(ledger))
        if delegator is not None:
            _restrict_to_delegator(session, ledger, doc, delegator, window)
    if as_json:
        _emit_json(doc)
    elif as_csv:
        click.echo(list_csv(doc), nl=False)
    else:
        console = make_console()
        console.print(list_table(doc))
        if "delegator" in doc:
            console.print(delegator_table(doc))


def _metadata(ledger: Ledger, only: str | None = None) -> dict[str, Any]:
    """Operators' metadata from their published URIs (bounded fetches; failures shown)."""
    from avs.models.fetchers import HttpFetcher
    from avs.stakers.metadata import resolve_all

    uris = ledger.metadata_uris
    if only is not None:
        uris = {k: v for k, v in uris.items() if k == only.lower()}
    return dict(resolve_all(uris, HttpFetcher(timeout_s=3.0, deadline_s=5.0)))


def _seconds(session: Session, window: Window) -> float | None:
    """Wall-clock length of the window from its blocks' timestamps."""
    if window.to_block <= window.from_block:
        return None
    stamps = session.source.timestamps([window.from_block, window.to_block])
    return float(stamps[window.to_block] - stamps[window.from_block]) or None


def _restrict_to_delegator(
    session: Session, ledger: Ledger, doc: dict[str, Any], staker: str, window: Window
) -> None:
    spans = delegation_spans(ledger, staker)
    if not spans:
        raise InputError(
            f"{staker} never delegated to an operator of this AVS (no StakerDelegated event); "
            "check the address"
        )
    parts: dict[str, tuple[int, int]] = {}
    current = spans[-1] if spans[-1].to_block is None else None
    if current is not None:
        everyone = session.delegators(ledger, current.operator)
        total = sum(v for _, shares in everyone for _, v in shares)
        own = sum(v for who, shares in everyone if who.lower() == staker.lower() for _, v in shares)
        parts[current.operator.lower()] = (own, total)
    doc["delegator"] = delegator_json(ledger, staker, spans, parts, window)
    mine = {s.operator.lower() for s in spans}
    doc["operators"] = [r for r in doc["operators"] if r["operator"].lower() in mine]


@operators.command("show")
@_chain_options
@click.argument("operator")
@click.option(
    "--windows",
    default=DEFAULT_WINDOWS,
    show_default=True,
    help="Window sizes in blocks, comma separated (all time is always added).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the documented JSON document.")
def show_cmd(
    rpc_url: str | None,
    deployment: Path,
    cache: Path | None,
    no_cache: bool,
    operator: str,
    windows: str,
    as_json: bool,
) -> None:
    """OPERATOR (address or operator id) over time windows, its delegators and slashes."""
    try:
        sizes = [int(w) for w in windows.split(",") if w.strip()]
    except ValueError:
        raise InputError(f"--windows must be block counts like {DEFAULT_WINDOWS}") from None
    if any(n < 1 for n in sizes):
        raise InputError("--windows sizes must be positive block counts")
    with _open(rpc_url, deployment, cache, no_cache) as session:
        ledger = _refresh(session, as_json)
        op_id = _operator_id(ledger, operator)
        address = ledger.registry.addresses[op_id]
        delegators = session.delegators(ledger, address)
        found = _metadata(ledger, only=address)
        doc = show_json(session.context, ledger, op_id, sizes, delegators, found)
    if as_json:
        _emit_json(doc)
    else:
        make_console().print(show_group(doc))


@operators.command("chart")
@_chain_options
@click.argument("operator")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Image to write; the extension picks the format: .png or .svg.",
)
@click.option("--since", type=click.IntRange(min=0), metavar="BLOCK", help="Start at BLOCK.")
@click.option(
    "--buckets",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Points on the performance line (each a run of equally many assigned tasks).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def chart_cmd(
    rpc_url: str | None,
    deployment: Path,
    cache: Path | None,
    no_cache: bool,
    operator: str,
    out: Path,
    since: int | None,
    buckets: int,
    as_json: bool,
) -> None:
    """OPERATOR's response rate, effectiveness, stake and slashes over time, as an image.

    Stake is drawn from 0 with each change labelled in percent; slashes are labelled
    with their fault and amount; time comes from block timestamps.
    """
    from avs.stakers.chart_draw import draw

    fmt = chart_format(out.name)  # before any chain access
    with _open(rpc_url, deployment, cache, no_cache) as session:
        ledger = _refresh(session, as_json)
        op_id = _operator_id(ledger, operator)
        window = _window(session, ledger, since, None)
        data = series(ledger, op_id, window.from_block, buckets)
        timestamps = session.source.timestamps(data.blocks())
    address = ledger.registry.addresses[op_id]
    draw(data, f"operator {address}", timestamps, out, fmt)
    if as_json:
        _emit_json(
            {
                "kind": "operators.chart",
                "path": str(out),
                "format": fmt,
                "operator": address,
                "from_block": window.from_block,
                "to_block": ledger.head,
                "buckets": len(data.buckets),
                "slashes": len(data.slashes),
            }
        )
    else:
        click.echo(f"wrote {out} ({fmt.upper()})", err=True)


@operators.command("watch")
@_chain_options
@click.option(
    "--sort",
    type=click.Choice(sorted(SORT_COLUMNS)),
    default="effectiveness",
    show_default=True,
)
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help="Seconds between head checks.")  # fmt: skip
@click.option("--count", type=click.IntRange(min=1), help="Stop after N refreshes.")
@click.option("--json", "as_json", is_flag=True, help="One list document per line per block.")
def watch_cmd(
    rpc_url: str | None,
    deployment: Path,
    cache: Path | None,
    no_cache: bool,
    sort: str,
    interval: float,
    count: int | None,
    as_json: bool,
) -> None:
    """A live operators table, refreshed on each new block (Ctrl-C to stop)."""
    from avs.stakers.live import watch

    # Ctrl-C is how a watch ends: no traceback for it
    with (
        _open(rpc_url, deployment, cache, no_cache) as session,
        contextlib.suppress(KeyboardInterrupt),
    ):
        watch(session, sort=sort, interval=interval, count=count, as_json=as_json)


operators.add_command(update_stakes_cmd)  # a keeper action, kept in its own module
