"""Show what a command will send before it sends it: each transaction, its target, the
estimated gas and cost, and the account's balance; then ask (or take ``--yes``).

The plan comes from running the command's own code against a
:class:`avs.chain.dryrun.PlanningClient`, so it cannot drift from what is sent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click

from avs.chain.dryrun import PlannedTx, PlanningClient
from avs.chain.writer import ChainWriter
from avs.errors import InputError

T = TypeVar("T")
ETH = 10**18


def plan_of(writer: ChainWriter, run: Callable[[ChainWriter], object]) -> list[PlannedTx]:
    """The transactions ``run`` would send through ``writer`` (nothing is sent)."""
    planner = PlanningClient(writer.client)
    run(ChainWriter(planner, writer.deployment))
    return planner.planned


def render_plan(writer: ChainWriter, planned: list[PlannedTx], say: Callable[[str], None]) -> None:
    """Print the plan with gas, cost at today's gas price (and the fee cap) and the balance."""
    if not planned:
        say("nothing to send: the chain already shows every step done")
        return
    price = PlanningClient(writer.client).gas_price()
    say(f"plan: {len(planned)} transaction(s) from {writer.address}")
    total = 0
    for i, tx in enumerate(planned, 1):
        if tx.gas is None:
            cost = f"gas unknown ({tx.note})"
        else:
            wei = tx.gas * price
            total += wei
            cost = f"gas {tx.gas:,} ≈ {wei / ETH:.6f} ETH (at most {2 * wei / ETH:.6f})"
        target = tx.to or "(new contract)"
        value = f", sends {tx.value / ETH:g} ETH" if tx.value else ""
        say(f"  {i}. {tx.what} -> {target}{value}; {cost}")
    balance = writer.client.balance(writer.address)
    say(
        f"estimated cost {total / ETH:.6f} ETH at {price / 10**9:.3g} gwei (fee cap twice "
        f"that); balance {balance / ETH:.6f} ETH"
    )
    if balance < 2 * total:
        say(f"warning: fund {writer.address} with more ETH first, or a transaction will fail")


def confirm(planned: list[PlannedTx], yes: bool) -> None:
    """Go on with ``--yes`` or after the user agrees; refuse without a terminal to ask on."""
    if yes or not planned:
        return
    if not sys.stdin.isatty():
        raise InputError("no terminal to confirm the plan on; pass --yes to send it")
    click.confirm(f"send these {len(planned)} transaction(s)?", abort=True, err=True)
