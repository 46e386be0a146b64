"""Blobs from peer aggregators: the first peer that hands over the right bytes wins.

An aggregator (or a watchtower) that must re-execute a task it never received the model or
inputs of asks the other aggregators for them by content hash. Every peer is hostile until
its bytes hash right: each download is capped in size (and by the room the local store has
left) and in time, a peer that sends wrong bytes, too many bytes or nothing in time is
skipped for a growing cool-down, and the next peer is asked. So one bad peer costs the
caller one deadline, not one deadline per blob, and never a stored byte. The cool-down
orders peers, it never leaves the caller without one: when every peer is cooling down, the
one whose cool-down ends first is asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter

from avs.backoff import Backoff, RetryState
from avs.errors import AvsError
from avs.logging import get_logger
from avs.models.errors import BlobNotFoundError, StoreFullError
from avs.models.hashing import ContentHash, content_hash, hash_hex

log = get_logger(component="peer_blobs")

PEER_COOLDOWN = Backoff(initial=15.0, factor=2.0, maximum=300.0, jitter=0.1)
"""How long a misbehaving peer is skipped: 15 s after its first failure, doubling to 5 min."""


class BlobPeer(Protocol):
    """One peer's GetBlob (:class:`avs.rpc.blob_client.BlobClient` is one)."""

    target: str
    """``host:port`` of the peer, for logs."""

    def get(self, digest: ContentHash, max_size: int) -> bytes:
        """The blob's bytes (within the call's deadline, at most ``max_size`` bytes)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class PeerBlobSource:
    """A :class:`avs.models.fetchers.BlobSource` over several peers, asked in order.

    Thread-safe: the blob store calls it from worker threads.
    """

    def __init__(
        self,
        peers: Sequence[BlobPeer],
        max_blob_bytes: int,
        room: Callable[[], int] | None = None,
        cooldown: Backoff = PEER_COOLDOWN,
        registry: CollectorRegistry | None = None,
        slow_missing_s: float = float("inf"),
        hint: str = "set peer_aggregators",
    ) -> None:
        """Ask ``peers`` for blobs of at most ``max_blob_bytes``; ``room`` says how many
        bytes the local store may still take (its quota), checked before each download.
        ``avs_peer_blob_requests_total{peer, outcome}`` counts into ``registry``; a NOT_FOUND
        that takes longer than ``slow_missing_s`` counts as misbehaviour; ``hint`` ends the
        error when no peer delivers (what the user can change)."""
        self._peers = tuple(peers)
        self._max_blob_bytes = max_blob_bytes
        self._room = room
        self._cooldown = cooldown
        self._slow_missing_s = slow_missing_s
        self._hint = hint
        self._health = {peer.target: RetryState() for peer in self._peers}
        self._lock = threading.Lock()
        self.requests = Counter(
            "avs_peer_blob_requests",
            "Blob requests to peer aggregators, by outcome: fetched, missing (NOT_FOUND), "
            "refused (wrong bytes, too many, too slow, unreachable), skipped (cooling down)",
            ["peer", "outcome"],
            registry=registry or CollectorRegistry(),
        )
        """``avs_peer_blob_requests_total{peer, outcome}``."""

    @property
    def targets(self) -> tuple[str, ...]:
        """The peers, in the order they are asked."""
        return tuple(peer.target for peer in self._peers)

    def fetch_blob(self, content_hash: ContentHash, max_size: int) -> bytes:
        """The blob from the first peer whose bytes hash to ``content_hash``.

        Raises BlobNotFoundError when no peer (out of cool-down) delivers it, and
        StoreFullError when the local store has no room left.
        """
        limit = min(max_size, self._max_blob_bytes)
        if self._room is not None:
            room = self._room()
            if room <= 0:
                raise StoreFullError(
                    f"blob {hash_hex(content_hash)} not fetched from peers: the blob store's "
                    "quota is used up; raise blob_quota_bytes or free space"
                )
            limit = min(limit, room)
        tried: list[str] = []
        cooling: list[BlobPeer] = []
        for peer in self._peers:
            if not self._available(peer.target):
                self.requests.labels(peer.target, "skipped").inc()
                cooling.append(peer)
                continue
            data = self._ask(peer, content_hash, limit)
            if data is not None:
                return data
            tried.append(peer.target)
        if cooling and not tried:
            # Every peer is cooling down (an operator's only aggregator restarting, say):
            # the cool-down orders peers, it must not leave the caller without a source,
            # so the one whose cool-down ends first is asked once.
            last_resort = min(cooling, key=lambda peer: self._retry_at(peer.target))
            data = self._ask(last_resort, content_hash, limit)
            if data is not None:
                return data
            tried.append(last_resort.target)
            cooling.remove(last_resort)
        tried += [f"{peer.target} (cooling down)" for peer in cooling]
        raise BlobNotFoundError(
            f"blob {hash_hex(content_hash)} is not held here and no peer aggregator delivered "
            f"it (asked: {', '.join(tried) or 'none configured'}); {self._hint}"
        )

    def close(self) -> None:
        """Close every peer's connection."""
        for peer in self._peers:
            peer.close()

    def _ask(self, peer: BlobPeer, digest: ContentHash, limit: int) -> bytes | None:
        started = time.monotonic()
        try:
            data = peer.get(digest, limit)
        except BlobNotFoundError:
            waited = time.monotonic() - started
            if waited > self._slow_missing_s:
                # Honest peers answer NOT_FOUND from a directory lookup at once; one that
                # waits first holds the caller nearly a deadline per blob without a penalty.
                self._failed(peer.target, f"answered NOT_FOUND only after {waited:.1f} s")
                return None
            # An honest answer: this peer never held it. No penalty.
            log.debug("peer_blob_missing", peer=peer.target, blob=hash_hex(digest))
            self._succeeded(peer.target, "missing")
            return None
        except AvsError as exc:
            self._failed(peer.target, str(exc))
            return None
        # Checked here too, whatever the peer client promises: unverified bytes never leave.
        if len(data) > limit or content_hash(data) != digest:
            self._failed(peer.target, f"sent {len(data)} bytes that are not the blob")
            return None
        self._succeeded(peer.target, "fetched")
        log.info("peer_blob_fetched", peer=peer.target, blob=hash_hex(digest), size=len(data))
        return data

    def _available(self, target: str) -> bool:
        with self._lock:
            return self._health[target].due(time.monotonic())

    def _retry_at(self, target: str) -> float:
        with self._lock:
            return self._health[target].retry_at

    def _succeeded(self, target: str, outcome: str) -> None:
        self.requests.labels(target, outcome).inc()
        with self._lock:
            self._health[target] = RetryState()

    def _failed(self, target: str, reason: str) -> None:
        self.requests.labels(target, "refused").inc()
        with self._lock:
            state = self._health[target]
            state.failed(self._cooldown)
            pause = state.retry_at - time.monotonic()
        log.warning("peer_blob_refused", peer=target, reason=reason[:300], skip_s=round(pause, 1))
