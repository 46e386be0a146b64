"""Where a watchtower gets models, inputs and certified results: an aggregator's blob service
(or several, asked in turn), cached on disk and checked by content hash (shared by ``avs
watchtower run``, operators and aggregators that fetch from their peers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs.rpc.blob_client import BlobClient
from avs.rpc.tls import ClientTls
from avs.watchtower.peers import PeerBlobSource


class AggregatorBlobSource:
    """An aggregator's GetBlob as the blob store's source (bytes verified by the store)."""

    def __init__(self, client: BlobClient) -> None:
        """Fetch through ``client``."""
        self._client = client

    def fetch_blob(self, content_hash: bytes, max_size: int) -> bytes:
        """The blob ``content_hash`` from the aggregator."""
        return self._client.get(ContentHash(content_hash), max_size)


def aggregator_blob_store(
    aggregator: str, cache_dir: Path, tls: ClientTls | None = None, plaintext: bool = False
) -> BlobStore:
    """A blob store in ``cache_dir`` that fetches missing blobs from ``aggregator``."""
    client = BlobClient(aggregator, tls=tls, plaintext=plaintext)
    return BlobStore(cache_dir, source=AggregatorBlobSource(client))


def peer_blob_source(
    targets: Sequence[str],
    *,
    tls: Callable[[str], ClientTls | None] | ClientTls | None = None,
    plaintext: bool = False,
    timeout_s: float = 30.0,
    max_blob_bytes: int,
    room: Callable[[], int] | None = None,
) -> PeerBlobSource:
    """Blobs from the aggregators at ``targets`` (asked in order, each download within
    ``timeout_s``); ``tls`` is one setting for all or a function of the target."""
    clients = [
        BlobClient(t, timeout_s, tls=tls(t) if callable(tls) else tls, plaintext=plaintext)
        for t in targets
    ]
    return PeerBlobSource(clients, max_blob_bytes, room)
