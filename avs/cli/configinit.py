"""``avs <role> config init``: write a commented config file generated from the role's class."""

from __future__ import annotations

from pathlib import Path

import click

from avs.configref import config_template
from avs.errors import InputError


def config_group(cls: type, role: str) -> click.Group:
    """A ``config`` group with ``init`` for the role whose settings are ``cls``."""

    @click.group("config")
    def config() -> None:
        """Write and explain the role's YAML config file."""

    config.help = f"Write the {role}'s YAML config file (every setting, commented)."

    @config.command("init")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Write here (e.g. {role}.yaml) instead of printing to stdout.",
    )
    @click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
    def init(out: Path | None, force: bool) -> None:
        """Write every setting with its meaning, type, default and environment variable.

        Required settings get placeholder values to replace; the rest are the defaults.
        """
        text = config_template(cls, role)
        if out is None:
            click.echo(text, nl=False)
            return
        if out.exists() and not force:
            raise InputError(f"{out} already exists; pass --force to overwrite it")
        try:
            out.write_text(text)
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror}") from None
        click.echo(f"wrote {out}; edit the REQUIRED settings, then pass --config {out}", err=True)

    return config
