"""``avs operator``: run the node, register it, show its standing, test this machine.

Registered as the ``operator`` entry point of the ``avs.cli`` group. Errors a user can cause
are AvsErrors, which the root group prints as one ``error: ...`` line (exit code != 0).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import click

from avs.chain.deployment import Deployment
from avs.chain.reader import ChainReader
from avs.cli.configinit import config_group
from avs.console import make_console
from avs.errors import InputError
from avs.keyfiles import load_bls_key, load_ecdsa_key
from avs_operator.config import OperatorConfig, load_operator_config

_YES = click.option(
    "--yes", is_flag=True, help="Send the planned transactions without asking first."
)
_CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AVS_CONFIG",
    help="operator.yaml; every setting can also be given as AVS_<SETTING> (env: AVS_CONFIG).",
)


def _config(path: Path | None) -> OperatorConfig:
    return load_operator_config(path)


@click.group()
def operator() -> None:
    """Run and manage an operator node (inference, BLS signing, registration)."""


operator.add_command(config_group(OperatorConfig, "operator"))


@operator.command()
@_CONFIG
def run(config_path: Path | None) -> None:
    """Run the node until SIGTERM/SIGINT (in-flight tasks finish, then exit 0)."""
    from avs.cli.logsetup import use_service_logging
    from avs.metrics import OperatorMetrics
    from avs_operator.app import OperatorApp, run_until_signal
    from avs_operator.chainports import SlashingRecorder, connect_chain
    from avs_operator.faults import require_devnet
    from avs_operator.watch import load_challenger

    use_service_logging()
    cfg = _config(config_path)
    require_devnet(cfg.devnet_fault, cfg.rpc_url, Deployment.load(cfg.deployment))
    keypair = load_bls_key(cfg.bls_key_file, cfg.bls_password_file)
    metrics = OperatorMetrics.create()
    chain = connect_chain(
        cfg.rpc_url,
        cfg.deployment,
        keypair.operator_id,
        SlashingRecorder(metrics),
        on_malformed=lambda bad: metrics.events_malformed.labels(event=bad.event).inc(),
        block_time=cfg.block_time,
    )
    challenger = load_challenger(cfg, metrics.reverted.observe)
    app = OperatorApp(cfg, keypair, chain, metrics=metrics, challenger=challenger)
    asyncio.run(run_until_signal(app))


@operator.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--providers",
    multiple=True,
    help="Execution providers to test, comma-separated or repeated (default: all local ones, "
    "or execution_providers from --config).",
)
@click.option("--task-type", "task_types", multiple=True, help="Only these task types.")
@click.option(
    "--require",
    "required",
    multiple=True,
    metavar="TASK_TYPE",
    help="Fail unless this task type is installed (repeatable; third-party types of an image).",
)
@_CONFIG
def selftest(
    as_json: bool,
    providers: tuple[str, ...],
    task_types: tuple[str, ...],
    required: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Run every installed task type's conformance suite on this machine's hardware.

    Checks the providers each task type's inference session actually runs on
    (session.get_providers()), not only onnxruntime's list of available ones. Exits 1 when
    any check fails, a requested provider is missing or unused, or a --require'd task type
    is not installed.
    """
    from avs_operator.selftest import render, run_selftest

    chosen = [p.strip() for item in providers for p in item.split(",") if p.strip()]
    if not chosen and config_path is not None:
        chosen = list(_config(config_path).execution_providers)
    result = run_selftest(chosen or None, task_types or None, required=required)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        render(result, make_console())
    if not result.passed:
        raise SystemExit(1)


@operator.command()
@_CONFIG
@click.option("--stake", type=int, help="Token base units to deposit (default: the minimum).")
@click.option("--devnet-mint", is_flag=True, help="Devnet only: mint missing staking tokens.")
@click.option(
    "--allocation-delay",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Blocks between an allocation and the moment it counts, set when this command makes "
    "you an operator (operators registered with eigenlayer-cli keep theirs).",
)
@_YES
@click.option("--json", "as_json", is_flag=True, help="Print the resulting standing as JSON.")
def register(
    config_path: Path | None,
    stake: int | None,
    devnet_mint: bool,
    allocation_delay: int,
    yes: bool,
    as_json: bool,
) -> None:
    """Become an operator, deposit, allocate, wait out the allocation delay, and join the
    quorums with your BLS key (EigenLayer's order; each step done already is skipped).

    First prints the plan (each transaction, its target, estimated gas and cost, your
    balance) and asks; --yes sends without asking (needed without a terminal).
    """
    from avs_operator.preview import confirm, plan_of, render_plan
    from avs_operator.registration import connect, default_stake
    from avs_operator.registration import register as do_register

    cfg = _config(config_path)
    keypair = load_bls_key(cfg.bls_key_file, cfg.bls_password_file)
    account = load_ecdsa_key(cfg.ecdsa_key_file, cfg.ecdsa_password_file)
    deployment = Deployment.load(cfg.deployment)
    writer = connect(cfg.rpc_url, deployment, account)
    amount = stake
    if amount is None:
        amount = default_stake(deployment.params.minimum_stake, cfg.quorums)
    say = _progress(as_json)
    planned = plan_of(
        writer,
        lambda w: do_register(
            w, keypair, cfg.quorums, amount, _quiet, devnet_mint, cfg.metadata_uri,
            allocation_delay, wait=False,
        ),
    )  # fmt: skip
    render_plan(writer, planned, say)
    confirm(planned, yes)
    standing = do_register(
        writer, keypair, cfg.quorums, amount, say, devnet_mint, cfg.metadata_uri, allocation_delay
    )
    _show(standing.to_dict(), as_json)


@operator.command()
@_CONFIG
@click.option(
    "--quorum", "quorums", type=int, multiple=True, help="Quorums to leave (default: all)."
)
@_YES
@click.option("--json", "as_json", is_flag=True, help="Print the resulting standing as JSON.")
def deregister(
    config_path: Path | None, quorums: tuple[int, ...], yes: bool, as_json: bool
) -> None:
    """Leave quorums (the stake stays slashable for the deallocation delay).

    First prints the plan (transaction, target, estimated gas and cost) and asks; --yes
    sends without asking.
    """
    from avs_operator.preview import confirm, plan_of, render_plan
    from avs_operator.registration import connect, read_standing
    from avs_operator.registration import deregister as do_deregister

    cfg = _config(config_path)
    keypair = load_bls_key(cfg.bls_key_file, cfg.bls_password_file)
    account = load_ecdsa_key(cfg.ecdsa_key_file, cfg.ecdsa_password_file)
    writer = connect(cfg.rpc_url, Deployment.load(cfg.deployment), account)
    if not quorums:
        reader = ChainReader(writer.client, writer.deployment)
        quorums = read_standing(reader, writer.address, keypair).quorums
    leaving = tuple(quorums)
    planned = plan_of(writer, lambda w: do_deregister(w, keypair, leaving, _quiet))
    render_plan(writer, planned, _progress(as_json))
    confirm(planned, yes)
    standing = do_deregister(writer, keypair, quorums, _progress(as_json))
    _show(standing.to_dict(), as_json)


@operator.command()
@_CONFIG
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Registration per quorum, stake and allocation, key match, last signed task,
    aggregator reachability and unclaimed fees, each checked, with the next step.

    \b
    Exit codes:
      0  registered in every configured quorum and every check passes
      1  not registered, or a check failed (the output names the fix)
      2  the status could not be read (bad config, chain unreachable, ...)
    """
    from avs.errors import AvsError
    from avs.rpc.health import serving_problem
    from avs_operator.status import connect_reader, gather
    from avs_operator.status_view import render_status

    try:
        cfg = _config(config_path)
        keypair = load_bls_key(cfg.bls_key_file, cfg.bls_password_file)
        account = load_ecdsa_key(cfg.ecdsa_key_file, cfg.ecdsa_password_file)
        reader = connect_reader(cfg)
        node = gather(
            cfg,
            reader,
            account.address,
            keypair,
            serving_problem(
                cfg.aggregators[0], tls=cfg.aggregator_tls, plaintext=cfg.aggregator_plaintext
            ),
            _unclaimed_fees(cfg),
        )
    except AvsError as exc:
        exc.exit_code = 2
        raise
    if as_json:
        click.echo(json.dumps(node.to_dict(), indent=2))
    else:
        render_status(node, make_console())
    if not node.healthy:
        raise SystemExit(1)


def _unclaimed_fees(cfg: OperatorConfig) -> Callable[[bytes], tuple[int, int]]:
    """Unclaimed fee shares from the stakers' ledger of this deployment (cached scan)."""

    def unclaimed(operator_id: bytes) -> tuple[int, int]:
        from avs_operator.fees import claimable

        items = claimable(cfg, operator_id)
        return len(items), sum(item.amount for item in items)

    return unclaimed


@operator.command("claim-fees")
@_CONFIG
@click.option(
    "--tasks",
    "task_list",
    metavar="I,J,...",
    help="Claim these tasks only (comma-separated task indexes).",
)
@click.option("--all", "claim_all", is_flag=True, help="Claim every claimable task.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=500),
    default=50,
    show_default=True,
    help="Tasks per claimFees transaction.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was claimable and claimed.")
def claim_fees(
    config_path: Path | None,
    task_list: str | None,
    claim_all: bool,
    batch_size: int,
    as_json: bool,
) -> None:
    """Show the fee shares this operator can claim; with --all or --tasks, claim them.

    Without --all or --tasks nothing is sent: the command lists what is claimable (task,
    amount) and the total. Claims go out in batches of --batch-size tasks, one transaction
    each, paid to the operator address.
    """
    from avs_operator.fees import claim, claimable, select
    from avs_operator.registration import connect

    if claim_all and task_list is not None:
        raise InputError("--all and --tasks exclude each other; pass one")
    wanted = _task_indexes(task_list) if task_list is not None else None
    cfg = _config(config_path)
    keypair = load_bls_key(cfg.bls_key_file, cfg.bls_password_file)
    available = claimable(cfg, keypair.operator_id)
    chosen = select(available, wanted) if (claim_all or wanted is not None) else []
    say = _progress(as_json)
    total = sum(c.amount for c in available)
    say(f"claimable: {total / 10**18:.6f} ETH over {len(available)} tasks")
    for item in available:
        say(f"  task {item.task_index:>6}  {item.amount / 10**18:.9f} ETH")
    batches = []
    if chosen:
        account = load_ecdsa_key(cfg.ecdsa_key_file, cfg.ecdsa_password_file)
        writer = connect(cfg.rpc_url, Deployment.load(cfg.deployment), account)
        batches = claim(writer, chosen, batch_size, say)
    elif available and not as_json:
        say("nothing sent; pass --all (or --tasks I,J) to claim")
    if as_json:
        doc = {
            "claimable": [{"task_index": c.task_index, "wei": str(c.amount)} for c in available],
            "claimed": [
                {"tasks": list(b.tasks), "paid_wei": str(b.paid_wei), "tx": "0x" + b.tx_hash.hex()}
                for b in batches
            ],
            "paid_wei": str(sum(b.paid_wei for b in batches)),
        }
        click.echo(json.dumps(doc, indent=2))


@operator.command("metadata")
@click.option("--name", required=True, help="Display name stakers see (64 characters at most).")
@click.option("--website", default="", help="https:// URL of your website.")
@click.option("--logo", default="", help="https:// URL of your logo (PNG).")
@click.option("--description", default="", help="What you run and where (500 characters).")
@click.option(
    "--data-uri",
    is_flag=True,
    help="Print a data: URI holding the document (kept on chain; no hosting needed) instead "
    "of the JSON document to host at an https:// URL.",
)
def metadata(name: str, website: str, logo: str, description: str, data_uri: bool) -> None:
    """Write your operator metadata (EigenLayer's metadata URI document) for stakers.

    Host the JSON at an https:// URL, or use --data-uri; put the URL in metadata_uri of
    operator.yaml before `avs operator register`. Stakers' `avs operators list` and `show`
    display it. The document is checked as a staker's view will check it.
    """
    from avs.stakers.metadata import MetadataError, parse_metadata
    from avs.stakers.metadata import data_uri as to_data_uri

    fields = {"name": name, "website": website, "logo": logo, "description": description}
    try:
        parsed = parse_metadata(json.dumps(fields).encode())
    except MetadataError as exc:
        raise InputError(f"metadata: {exc}") from None
    if parsed.to_dict() != fields:
        raise InputError("metadata: a field is too long or holds control characters")
    click.echo(to_data_uri(parsed) if data_uri else json.dumps(parsed.to_dict(), indent=2))


def _task_indexes(text: str) -> list[int]:
    try:
        indexes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--tasks {text!r}: give task indexes like 3,4,9") from None
    if not indexes or min(indexes) < 0:
        raise InputError(f"--tasks {text!r}: give task indexes like 3,4,9")
    return indexes


def _quiet(_line: str) -> None:
    """Progress of a planning run: the plan itself is what is shown."""


def _progress(quiet: bool) -> Callable[[str], None]:
    def say(line: str) -> None:
        click.echo(line, err=quiet)

    return say


def _show(doc: dict[str, object], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    for key, value in doc.items():
        click.echo(f"{key:24} {value}")
