"""``avs operators watch``: re-read and redraw the operators table on each new block."""

from __future__ import annotations

import json
import threading

import click
from rich.live import Live
from rich.text import Text

from avs.console import make_console
from avs.errors import ChainError
from avs.stakers.metrics import Window
from avs.stakers.render import list_table
from avs.stakers.report import list_json
from avs.stakers.session import Session


def watch(
    session: Session,
    *,
    sort: str,
    interval: float,
    count: int | None,
    as_json: bool,
    stop: threading.Event | None = None,
) -> int:
    """Refresh on each new head until ``count`` refreshes (or forever); returns refreshes.

    A node that stops answering is reported and retried; it does not end the watch.
    """
    stop = stop or threading.Event()
    console = make_console()
    live: Live | None = None
    if not as_json and console.is_terminal:
        live = Live(Text("reading chain logs…"), console=console, auto_refresh=False)
        live.start()
    refreshes = 0
    seen = -1
    down = False  # say once when the node goes away and once when it is back
    try:
        while not stop.is_set() and (count is None or refreshes < count):
            try:
                head = session.source.head()
                if down:
                    down = False
                    seen = -1  # redraw the table over the message
                    _say(live, f"node at {session.source.client.url} answering again", "green")
                if head != seen:
                    ledger = session.refresh()
                    seen = ledger.head
                    window = Window(session.context.start_block, ledger.head)
                    doc = list_json(session.context, ledger, window, sort)
                    refreshes += 1
                    if as_json:
                        click.echo(json.dumps(doc, separators=(",", ":")))
                    elif live is not None:
                        live.update(list_table(doc), refresh=True)
                    else:
                        console.print(list_table(doc))
            except ChainError as exc:
                if not down:
                    down = True
                    _say(live, f"{exc}; retrying every {interval:g}s", "red")
            if count is not None and refreshes >= count:
                break
            stop.wait(interval)
    finally:
        if live is not None:
            live.stop()
    return refreshes


def _say(live: Live | None, message: str, style: str) -> None:
    """One status line: over the live table on a terminal, else on stderr."""
    if live is not None:
        live.update(Text(message, style=style), refresh=True)
    else:
        click.echo(f"watch: {message}", err=True)
