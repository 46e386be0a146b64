"""Scan progress on stderr: a rich bar on a terminal, plain lines for long scans elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from avs.stakers.indexer import ProgressFn

LONG_SCAN_BLOCKS = 10_000
"""Scans at least this long report progress even when stderr is not a terminal."""
LINE_EVERY_BLOCKS = 10_000


@contextmanager
def scan_progress(quiet: bool) -> Iterator[ProgressFn | None]:
    """A progress callback for :func:`avs.stakers.indexer.sync` (None when quiet)."""
    if quiet:
        yield None
        return
    console = Console(file=sys.stderr)
    if console.is_terminal:
        with Progress(
            TextColumn("reading chain logs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("blocks"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("scan", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    last = [0]

    def lines(done: int, total: int) -> None:
        if total < LONG_SCAN_BLOCKS:
            return
        if done - last[0] >= LINE_EVERY_BLOCKS or done == total:
            last[0] = done
            print(f"read logs of {done}/{total} blocks", file=sys.stderr, flush=True)

    yield lines
