"""The certificate's batch check: every signature of the groups about to be certified.

Responses were verified on arrival, so a failure here means the store was altered (or a
row rebuilt from it is wrong): the bad signatures are dropped from the task, never banned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from avs.logging import get_logger
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.codec import TaskCodec
from avs_aggregator.entry import TaskEntry
from avs_aggregator.verification import GroupToVerify, GroupVerifier, SignerEntry

log = get_logger(component="aggregator")


async def drop_invalid_signatures(
    codec: TaskCodec, verifier: GroupVerifier, ready: Sequence[tuple[TaskEntry, DigestGroup]]
) -> int:
    """Check every ready group in one batch; drop bad signers from their task and group.

    Returns how many signatures were dropped.
    """
    groups = []
    for entry, group in ready:
        message = codec.message_hash(entry.task_hash, group.result_bytes)
        signers = [
            SignerEntry(op, entry.snapshot.operators[op].pubkey_g2, r.signature)
            for op, r in group.responses.items()
        ]
        groups.append(GroupToVerify(message, signers))
    bad = await asyncio.to_thread(verifier.invalid_signers, groups)
    dropped = 0
    for (entry, group), bad_ids in zip(ready, bad, strict=True):
        if not bad_ids:
            continue
        entry.aggregation.discard(bad_ids)
        for operator_id in bad_ids:
            group.drop(operator_id, entry.snapshot.operators[operator_id].stakes)
        dropped += len(bad_ids)
        log.warning(
            "invalid_signatures",
            task=entry.task.task_index,
            operators=[f"0x{b.hex()}" for b in bad_ids],
        )
    return dropped
