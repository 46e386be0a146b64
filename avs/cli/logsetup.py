"""Which log format a command gets: people read console lines, collectors read JSON.

The root ``avs`` group records the user's choice (``--log-format``); human commands log
console lines on stderr unless ``json`` was asked for, and long-running services call
:func:`use_service_logging` so that, left on ``auto``, they log JSON off a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from avs.logging import configure_logging

LOG_FORMATS = ("auto", "console", "json")
_META_KEY = "avs.log_settings"


@dataclass(frozen=True, slots=True)
class LogSettings:
    """The root group's logging options."""

    level: str
    """Minimum level shown."""
    fmt: str
    """``auto`` (console for people, JSON for services off a terminal), ``console`` or ``json``."""


def configure_for_humans(ctx: click.Context, settings: LogSettings) -> None:
    """Remember ``settings`` for sub-commands and log console lines unless JSON was asked for."""
    ctx.meta[_META_KEY] = settings
    configure_logging(settings.level, settings.fmt == "json")


def use_service_logging() -> None:
    """For ``run`` commands: on ``auto``, JSON when stderr is not a terminal (log collectors)."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.meta.get(_META_KEY) if ctx is not None else None
    if settings is None:
        settings = LogSettings("info", "auto")
    if settings.fmt == "auto":
        configure_logging(settings.level, None)
