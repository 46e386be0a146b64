"""``avs operators watch``: re-read and redraw the operators table on each new block."""

from __future__ import annotations

import json
import threading

import click
from rich.live import Live
from rich.text import Text

from avs.errors import ChainError
from avs.stakers.metrics import Window
from avs.stakers.render import list_table, make_console
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
    try:
        while not stop.is_set() and (count is None or refreshes < count):
            try:
                head = session.source.head()
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
                message = f"node not answering ({exc}); retrying every {interval:g}s"
                if live is not None:
                    live.update(Text(message, style="red"), refresh=True)
                else:
                    click.echo(f"warning: {message}", err=True)
            if count is not None and refreshes >= count:
                break
            stop.wait(interval)
    finally:
        if live is not None:
            live.stop()
    return refreshes
