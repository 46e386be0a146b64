"""``avs aggregator``: run the aggregator, and probe its health."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from avs.cli.configinit import config_group
from avs_aggregator.config import AggregatorConfig, load_aggregator_config

GIL_SWITCH_INTERVAL_S = 0.0005
"""How long a thread may hold the GIL while another waits (Python's default: 5 ms). The
event loop shares the GIL with signature checks and chain calls in worker threads, and its
own C calls (Keccak, SQLite, gRPC) release it: at the default, each one could hand the GIL
to a busy worker for 5 ms. With 200 operators answering a task that made collecting the
responses take 1.2 s instead of 0.5 s (``benchmarks/load.py``, stages_mean_ms)."""


@click.group()
def aggregator() -> None:
    """Run an aggregator: collect signed responses over gRPC and certify them on chain."""


aggregator.add_command(config_group(AggregatorConfig, "aggregator"))


@aggregator.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="AVS_CONFIG",
    help="aggregator.yaml (settings can also come from AVS_* variables, e.g. AVS_RPC_URL).",
)
def run(config_path: Path | None) -> None:
    """Serve SubmitResponse/SubscribeTasks/GetBlob and certify tasks until SIGTERM.

    State (tasks, responses, submissions) lives in DATA_DIR/tasks.sqlite: stop and start
    the aggregator at any time; nothing is lost or certified twice.
    """
    from avs.cli.logsetup import use_service_logging
    from avs_aggregator.app import run_aggregator

    use_service_logging()
    cfg = load_aggregator_config(config_path)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    asyncio.run(run_aggregator(cfg))


@aggregator.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="AVS_CONFIG",
    help="aggregator.yaml of the aggregator to probe (its listen port and TLS settings).",
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA that signed the endpoint's certificate [default: trust tls_cert_file itself].",
)
@click.option(
    "--client-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Client certificate, when the aggregator requires one (tls_client_ca_file).",
)
@click.option(
    "--client-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Private key of --client-cert.",
)
@click.option(
    "--timeout", type=float, default=4.0, show_default=True, help="Seconds to wait for an answer."
)
@click.option("--json", "as_json", is_flag=True, help="Print target, tls, serving and problem.")
def health(
    config_path: Path | None,
    ca_file: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Ask the aggregator on this machine (the config's listen port, on loopback) whether
    it is serving (grpc.health.v1), over TLS exactly when it serves TLS. For container
    health checks and exec probes.

    \b
    Exit codes:
      0  SERVING
      1  not serving, unreachable, or the TLS handshake failed (one line says which)
      2  bad config or options
    """
    import json

    from avs_aggregator.probe import health_probe

    probe = health_probe(load_aggregator_config(config_path), ca_file, client_cert, client_key)
    problem = probe.problem(timeout)
    if as_json:
        report = {
            "target": probe.target,
            "tls": probe.tls is not None,
            "serving": problem is None,
            "problem": problem,
        }
        click.echo(json.dumps(report))
    elif problem is None:
        click.echo(f"aggregator at {probe.target}: SERVING")
    if problem is not None:
        if not as_json:
            click.echo(f"error: aggregator at {probe.target} is not serving: {problem}", err=True)
        raise SystemExit(1)
