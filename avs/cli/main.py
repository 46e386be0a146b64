"""Root ``avs`` command: loads sub-commands lazily from the ``avs.cli`` entry-point group.

Built-in groups (keys, deploy, devnet, operators) register exactly like the operator's and
aggregator's, so a third-party package can add its own. Any :class:`AvsError` is printed
as one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click

from avs import __version__
from avs.cli.logsetup import LOG_FORMATS, LogSettings, configure_for_humans
from avs.errors import AvsError

ENTRY_POINT_GROUP = "avs.cli"


class PluginGroup(click.Group):
    """A click group whose commands are the ``avs.cli`` entry points, imported on use."""

    def _entry_points(self) -> dict[str, Any]:
        return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._entry_points()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        ep = self._entry_points().get(cmd_name)
        if ep is None:
            return None
        try:
            command = ep.load()
        except ImportError as exc:
            return _broken_plugin(cmd_name, ep.value, exc)
        if not isinstance(command, click.Command):
            raise click.ClickException(f"entry point {ep.value} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AvsError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _broken_plugin(name: str, target: str, exc: Exception) -> click.Command:
    """A placeholder command that explains why a plug-in group could not be imported."""

    def fail() -> None:
        raise click.ClickException(f"command group {name!r} ({target}) failed to load: {exc}")

    return click.Command(name, callback=fail, help=f"(unavailable: {exc})")


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="avs")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Minimum level of log lines (logs go to stderr).",
)
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="auto",
    show_default=True,
    help="Log lines on stderr: 'auto' gives console lines for commands people run and JSON "
    "for services (run) when stderr is not a terminal.",
)
@click.option("--log-json/--log-console", default=None, hidden=True)  # old spelling
@click.pass_context
def cli(ctx: click.Context, log_level: str, log_format: str, log_json: bool | None) -> None:
    """edge-avs: verifiable edge-AI inference secured by restaked operators.

    Operators run ONNX models and BLS-sign canonical results; aggregators certify them
    on-chain; stakers track operators from chain data alone.
    """
    if log_json is not None:
        log_format = "json" if log_json else "console"
    configure_for_humans(ctx, LogSettings(log_level, log_format))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="avs")
