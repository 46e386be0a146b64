"""``avs devnet``: run the whole AVS locally (chain, contracts, operators, aggregator)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from avs.console import make_console
from avs.devnet.consumers import consumer_lines
from avs.devnet.layout import DEFAULT_WORKDIR, DevnetLayout
from avs.devnet.processes import running_from_state_file, stop_from_state_file
from avs.devnet.summary import summary_table_rows
from avs.errors import InputError

if TYPE_CHECKING:
    from avs.devnet.custom import CustomWorkload


@click.group()
def devnet() -> None:
    """A local devnet: anvil, the contracts, operators and an aggregator as real processes."""


@devnet.command()
@click.option("--operators", default=4, show_default=True, help="Operators to register and run.")
@click.option(
    "--faulty",
    default=1,
    show_default=True,
    help=(
        "How many of them return wrong labels on purpose; 0 for none. Any number works: on "
        "the exact task type (int-mlp) a faulty minority is slashed for wrong results, and "
        "the certificates of a faulty majority are overturned on chain by re-execution and "
        "its members slashed. Honest operators are never slashed."
    ),
)
@click.option("--tasks", default=20, show_default=True, help="Tasks to submit.")
@click.option(
    "--inputs-per-task",
    default=16,
    show_default=True,
    help="Digits images per task (one certificate settles them all).",
)
@click.option(
    "--block-time",
    type=click.FloatRange(min=0.05, max=60),
    default=1.0,
    show_default=True,
    help=(
        "Seconds per block while the tasks run, e.g. 0.25 for L2-like blocks (a fractional "
        "one also applies to the set-up, which then takes longer)."
    ),
)
@click.option(
    "--summary-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the summary JSON here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option(
    "--keep-running",
    is_flag=True,
    help="Leave chain, aggregator and operators up after the tasks, until Ctrl-C.",
)
@click.option(
    "--task-rate",
    type=click.FloatRange(min=0, min_open=True),
    help="With --keep-running: keep creating this many tasks per second (a live network).",
)
@click.option(
    "--task-type",
    "task_type",
    help="Run your own installed task type instead of the digits demo (needs --model, --inputs).",
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --task-type: the ONNX model to register and run.",
)
@click.option(
    "--inputs",
    "inputs_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --task-type: every task's input batch (.npy, JSON lines, or an AVSI blob).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_WORKDIR,
    show_default=True,
    help="Where keys, data and logs go.",
)
def up(
    operators: int,
    faulty: int,
    tasks: int,
    inputs_per_task: int,
    block_time: float,
    summary_json: Path | None,
    as_json: bool,
    keep_running: bool,
    task_rate: float | None,
    task_type: str | None,
    model_file: Path | None,
    inputs_file: Path | None,
    workdir: Path,
) -> None:
    """Start a devnet, run real inference tasks through it, and print a summary.

    Faulty operators answer every task with shifted labels. On the exact task type
    (int-mlp) the aggregator's watchtower re-executes every certified task: a wrong
    certificate (a faulty majority) is overturned on chain and its signers slashed, and
    every signature on a wrong result is proven wrong and slashed. Disagreeing with a
    certificate is never slashed. Without --keep-running everything is stopped at the end.

    With --task-type ID --model FILE --inputs FILE the devnet registers your task type and
    model and every task carries your inputs (no accuracy: there are no true labels).
    """
    from avs.devnet.runner import DevnetOptions, Reporter, run_devnet
    from avs.logging import configure_logging

    custom = _custom_workload(task_type, model_file, inputs_file)
    if task_rate is not None and not keep_running:
        raise InputError("--task-rate needs --keep-running (tasks are fed while it runs)")

    # The steps below are the devnet's progress; library info lines would drown them.
    configure_logging("warning")

    err = Console(stderr=True)
    opts = DevnetOptions(
        operators=operators,
        faulty=faulty,
        tasks=tasks,
        inputs_per_task=inputs_per_task,
        block_time=block_time,
        workdir=workdir,
        keep_running=keep_running,
        custom=custom,
        task_rate=task_rate,
    )
    last = [""]

    def step(line: str) -> None:
        err.print(line, highlight=False)

    def progress(submitted: int, certified: int, expired: int) -> None:
        line = f"tasks      submitted {submitted}/{tasks}, certified {certified}, expired {expired}"
        if line != last[0]:
            last[0] = line
            err.print(line, highlight=False)

    # SIGTERM must tear the devnet down like Ctrl-C does (the runner stops children in finally).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    summary = run_devnet(opts, Reporter(step, progress))
    summary["wall_seconds"] = round(time.monotonic() - started, 1)
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary, indent=2) + "\n")
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _print_summary(summary)
    if keep_running:
        _wait_for_interrupt(DevnetLayout(workdir))


def _print_stages(out: Console, latency: dict[str, Any]) -> None:
    """One line of per-stage p50/p95 (ms), the slowest stage named first."""
    stages = latency.get("stages_ms") or {}
    slowest = latency.get("slowest_stage")
    if not stages or slowest is None:
        return
    worst = stages[slowest]
    parts = [f"{name} {row['p50']}/{row['p95']}" for name, row in stages.items()]
    out.print(
        f"[bold]stages[/] slowest {slowest} (p95 {worst['p95']} ms); p50/p95 ms: "
        + ", ".join(parts),
        highlight=False,
    )


def _custom_workload(
    task_type: str | None, model_file: Path | None, inputs_file: Path | None
) -> CustomWorkload | None:
    """The developer's workload from --task-type/--model/--inputs (all three, or none)."""
    if task_type is None and model_file is None and inputs_file is None:
        return None
    if task_type is None or model_file is None or inputs_file is None:
        raise InputError("--task-type, --model and --inputs go together; pass all three")
    from avs.devnet.custom import CustomWorkload

    workload = CustomWorkload(task_type, model_file, inputs_file)
    workload.check()
    return workload


def _print_summary(summary: dict[str, Any]) -> None:
    out = make_console()
    t, lat = summary["tasks"], summary["latency"]
    out.print(
        f"\n[bold]tasks[/] {t['certified']}/{t['submitted']} certified, {t['expired']} expired; "
        f"{summary['inputs_certified']} inferences certified, accuracy "
        f"{_pct(summary['accuracy'])} vs true labels"
    )
    out.print(
        f"[bold]latency[/] p50 {lat['blocks_p50']} blocks / {lat['seconds_p50']} s, "
        f"p95 {lat['blocks_p95']} blocks / {lat['seconds_p95']} s"
    )
    _print_stages(out, lat)
    out.print(
        f"[bold]faults[/] {t['overturned']} wrong certificates overturned on chain; "
        f"honest operators slashed: {summary['honest_operators_slashed']}"
    )
    table = Table(
        "operator",
        "faulty",
        "signed",
        "missed",
        "proven wrong",
        "slashed",
        "stake (tokens)",
        "fees (ETH)",
    )
    for row in summary_table_rows(summary):
        table.add_row(*row)
    out.print(table)
    for line in consumer_lines(summary):
        out.print(line, highlight=False)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _wait_for_interrupt(layout: DevnetLayout) -> None:
    click.echo(f"devnet running; RPC URL in {layout.rpc_url_file}. Ctrl-C stops it.", err=True)
    try:
        # 'avs devnet down' from another shell ends the devnet, and this command with it.
        while running_from_state_file(layout.state_file):
            time.sleep(1)
        click.echo("devnet stopped", err=True)
    except KeyboardInterrupt:
        stop_from_state_file(layout.state_file)


@devnet.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_WORKDIR,
    show_default=True,
    help="The devnet's working directory.",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"stopped": [...]} as JSON.')
def down(workdir: Path, as_json: bool) -> None:
    """Stop whatever a devnet left running (from its state file)."""
    stopped = stop_from_state_file(DevnetLayout(workdir).state_file)
    if as_json:
        click.echo(json.dumps({"stopped": list(stopped)}))
        return
    click.echo(f"stopped: {', '.join(stopped)}" if stopped else "no devnet running")
