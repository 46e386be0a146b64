"""The human table of ``avs operator status`` (the JSON form is NodeStatus.to_dict)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from avs_operator.status import NodeStatus

UNIT = 10**18


def _amount(units: int, name: str) -> str:
    return f"{units / UNIT:,.4f} {name}"


def _ago(unix: float) -> str:
    seconds = max(0, int(time.time() - unix))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def render_status(status: NodeStatus, console: Console) -> None:
    """Print the status table, the checks and one next-step line."""
    s = status.standing
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("operator", s.address)
    table.add_row("operator id", "0x" + s.operator_id.hex())
    for q in sorted(set(status.wanted_quorums) | set(s.quorums)):
        joined = "joined" if q in s.quorums else "not joined"
        stake = _amount(s.stakes.get(q, 0), "tokens")
        allocated = _amount(status.allocated.get(q, 0), "tokens")
        table.add_row(f"quorum {q}", f"{joined}; stake {stake}; allocated {allocated}")
    table.add_row("minimum stake", _amount(status.minimum_stake, "tokens") + " per quorum")
    allocation_delay = (
        "not set (set at 'avs operator register')"
        if status.allocation_delay is None
        else f"{status.allocation_delay} blocks before a new allocation takes effect"
    )
    table.add_row("allocation delay", allocation_delay)
    table.add_row(
        "deallocation delay", f"{status.deallocation_delay} blocks (stake stays slashable)"
    )
    table.add_row("gas balance", _amount(status.balance_wei, "ETH"))
    last = status.last_signed
    if status.tasks_signed is None:
        signed = "no protection store on this machine (node never ran here)"
    elif last is None:
        signed = "0 tasks"
    else:
        when = _ago(last.signed_at)
        signed = f"{status.tasks_signed} tasks; last: task {last.task_index}, {when}"
    table.add_row("signed", signed)
    table.add_row(
        "fees unclaimed",
        f"{_amount(status.unclaimed_wei, 'ETH')} over {status.unclaimed_tasks} tasks",
    )
    console.print(table)
    console.print()
    for check in status.checks():
        mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
        console.print(f"{mark} {check.name:11} {check.detail}", highlight=False)
    console.print(f"\n[bold]next step:[/] {status.next_step()}", highlight=False)
