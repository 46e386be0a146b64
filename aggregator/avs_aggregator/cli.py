"""``avs aggregator``: run the aggregator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from avs.cli.configinit import config_group
from avs_aggregator.config import AggregatorConfig, load_aggregator_config


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
    asyncio.run(run_aggregator(cfg))
