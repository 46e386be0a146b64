"""Where the operator's blobs come from: every aggregator it sends responses to.

Blobs are content-addressed, so any aggregator that holds one can serve it: the primary is
asked first, then the others in config order. Each download is hash-checked, capped in size
and time, and an aggregator that sends wrong bytes, too many or nothing in time is skipped
for a growing cool-down (:class:`avs.watchtower.peers.PeerBlobSource`), so a primary that is
down or hostile delays a task by at most one deadline and never stops it being answered.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from avs.backoff import Backoff
from avs.models.store import DEFAULT_MAX_BLOB_SIZE
from avs.watchtower.peers import PeerBlobSource
from avs.watchtower.source import peer_blob_source
from avs_operator.config import OperatorConfig

BLOB_TIMEOUT_S = 60.0
"""Deadline of one download from one aggregator: a primary that stalls delays a task by
this much before the next aggregator is asked."""

AGGREGATOR_COOLDOWN = Backoff(initial=5.0, factor=2.0, maximum=60.0, jitter=0.1)
"""How long a failed aggregator is skipped: shorter than between peer aggregators, because
an operator with one aggregator has no other source, and a task that found it cooling down
is retried (BlobNotFoundError is transient) only until its response window closes."""


def aggregator_blob_source(
    cfg: OperatorConfig, registry: CollectorRegistry | None = None
) -> PeerBlobSource:
    """Blobs from ``cfg.aggregators`` (primary first, the node's TLS settings); requests are
    counted into ``registry`` as ``avs_peer_blob_requests_total{peer, outcome}``."""
    return peer_blob_source(
        cfg.aggregators,
        tls=cfg.aggregator_tls,
        plaintext=cfg.aggregator_plaintext,
        timeout_s=BLOB_TIMEOUT_S,
        max_blob_bytes=DEFAULT_MAX_BLOB_SIZE,
        registry=registry,
        hint="check that an aggregator in aggregator_urls holds it",
        cooldown=AGGREGATOR_COOLDOWN,
    )
