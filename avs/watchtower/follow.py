"""Follow certifications on chain and check each one (the loop of ``avs watchtower run``)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from avs.chain.reader import ChainReader
from avs.chain.subscriber import ChainSubscriber
from avs.chain.views import CertifiedTask
from avs.errors import AvsError
from avs.logging import get_logger
from avs.watchtower.tower import Check, Watchtower

log = get_logger(component="watchtower")


@dataclass(slots=True)
class FollowCursor:
    """The first block a restarted follower must read again."""

    next_block: int | None = None
    """None: from where the follower was first asked to start."""


def follow_certificates(
    reader: ChainReader,
    tower: Watchtower,
    from_block: int | None = None,
    *,
    poll_interval: float = 1.0,
    stop: threading.Event | None = None,
    seen: Counter[Check] | None = None,
    cursor: FollowCursor | None = None,
) -> Counter[Check]:
    """Check every TaskCertified from ``from_block`` on, until ``stop`` is set; outcomes are
    counted into ``seen``, and ``cursor`` records where a restart should resume."""
    seen = Counter() if seen is None else seen
    subscriber = ChainSubscriber(reader.client, reader.deployment)
    for event in subscriber.follow(
        from_block, poll_interval=poll_interval, stop=stop, types=[CertifiedTask]
    ):
        assert isinstance(event, CertifiedTask)
        if cursor is not None:
            # Resume at this block, not after it: its later certificates may be unchecked.
            cursor.next_block = event.block_number
        try:
            task = reader.created_task(event.task_index)
        except AvsError as exc:
            log.warning("task_unreadable", task=event.task_index, error=str(exc))
            seen[Check.FAILED] += 1
            continue
        if task is None:
            log.warning("task_not_found", task=event.task_index)
            continue
        seen[tower.check_certificate(task, event)] += 1
    return seen
