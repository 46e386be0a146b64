"""The stdout console every human table is printed on.

On a terminal rich uses the terminal's width. Off a terminal (a pipe, a file, CI logs) rich
would assume 80 columns and wrap wide tables into unreadable cells; there a table gets
the width it needs instead, so every command's output reads the same way.
"""

from __future__ import annotations

from rich.console import Console

PIPE_WIDTH = 400
"""Width of output to a file or pipe: wider than any table, which keeps its natural width."""


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr); wide when not a terminal, so tables never wrap."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=PIPE_WIDTH)
