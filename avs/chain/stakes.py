"""Keeping recorded stake honest: find operators whose recorded stake exceeds what a slash can
still take, so ``updateOperators`` can lower it before later certificates count it.

The registry records, per operator and quorum, the stake that stays slashable until
``slashableStakeLookahead`` blocks after the recording. Deallocations that take effect later
and withdrawals queued by delegators lower that amount without telling the registry
(EigenLayer's pull model), so someone must refresh: aggregators do beside each certificate, and
``avs operators update-stakes`` does on demand.
"""

from __future__ import annotations

from collections.abc import Sequence

from avs.chain.reader import ChainReader
from avs.chain.types import Receipt
from avs.chain.writer import ChainWriter

REFRESH_GAS_BASE = 100_000
REFRESH_GAS_PER_OPERATOR = 600_000
"""Gas per refreshed operator: enough to deregister it from several quorums. Fixed rather
than estimated, because an estimate runs on the current block while the refresh lands in the
next one, where a deallocation may take effect and turn an update into a deregistration."""


def lookahead_blocks(reader: ChainReader) -> int:
    """Blocks ahead for which the registry requires recorded stake to stay slashable."""
    return int(reader.client.call1(reader.registry, "slashableStakeLookahead"))


def slashable_stakes(
    reader: ChainReader, quorum: int, operators: Sequence[str], future_block: int
) -> list[int]:
    """Stake of each operator in ``quorum`` a slash can take at ``future_block`` (one call)."""
    if not operators:
        return []
    rows = reader.client.call1(
        reader.allocations,
        "getMinimumSlashableStake",
        (reader.deployment.contracts["ServiceManager"], quorum),
        list(operators),
        [reader.deployment.strategy],
        future_block,
    )
    return [int(row[0]) for row in rows]


def stale_operators(reader: ChainReader, quorum_numbers: Sequence[int]) -> list[str]:
    """Operators of ``quorum_numbers`` whose stake recorded now, in some quorum, exceeds the
    stake that stays slashable for the registry's lookahead from the next block (where a
    refresh would land), sorted by address.

    Recorded stake is read at the head, never from a task's snapshot: a task created before
    the last refresh still holds the old stake, and judging by it sent the same refresh
    again before every certificate of such a task (a transaction and a block each).
    """
    head = reader.client.block_number()
    future = head + 1 + lookahead_blocks(reader)
    per_quorum = reader.client.call1(
        reader.retriever, "getOperatorState", reader.registry.address, bytes(quorum_numbers), head
    )
    stale: set[str] = set()
    for quorum, members in zip(quorum_numbers, per_quorum, strict=True):
        addresses = [str(address) for address, _operator_id, _stake in members]
        slashable = slashable_stakes(reader, quorum, addresses, future)
        stale.update(
            address for address, (_a, _i, recorded), can_take
            in zip(addresses, members, slashable, strict=True)
            if can_take < int(recorded)
        )  # fmt: skip
    return sorted(stale)


def refresh(writer: ChainWriter, operators: Sequence[str]) -> Receipt:
    """``updateOperators(operators)`` with gas for the deregistrations it may trigger."""
    gas = REFRESH_GAS_BASE + REFRESH_GAS_PER_OPERATOR * len(operators)
    return writer.update_operators(operators, gas=gas)
