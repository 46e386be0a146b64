"""Where a watchtower gets models, inputs and certified results: an aggregator's blob service
(or several, asked in turn), cached on disk and checked by content hash (shared by ``avs
watchtower run``, operators and aggregators that fetch from their peers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry

from avs.backoff import Backoff
from avs.rpc.blob_client import BlobClient
from avs.rpc.tls import ClientTls
from avs.watchtower.peers import PEER_COOLDOWN, PeerBlobSource


def peer_blob_source(
    targets: Sequence[str],
    *,
    tls: Callable[[str], ClientTls | None] | ClientTls | None = None,
    plaintext: bool = False,
    timeout_s: float = 30.0,
    max_blob_bytes: int,
    room: Callable[[], int] | None = None,
    registry: CollectorRegistry | None = None,
    hint: str = "set peer_aggregators",
    cooldown: Backoff = PEER_COOLDOWN,
) -> PeerBlobSource:
    """Blobs from the aggregators at ``targets`` (asked in order, each download within
    ``timeout_s``, a failed peer skipped for ``cooldown``); ``tls`` is one setting for all
    or a function of the target; ``hint`` ends the error when none delivers."""
    clients = [
        BlobClient(t, timeout_s, tls=tls(t) if callable(tls) else tls, plaintext=plaintext)
        for t in targets
    ]
    # An honest NOT_FOUND is a directory lookup; half the deadline is far beyond it.
    return PeerBlobSource(
        clients,
        max_blob_bytes,
        room,
        cooldown,
        registry=registry,
        slow_missing_s=timeout_s / 2,
        hint=hint,
    )
