"""Where a watchtower gets models, inputs and certified results: an aggregator's blob service,
cached on disk and checked by content hash (shared by ``avs watchtower run`` and operators)."""

from __future__ import annotations

from pathlib import Path

from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs.rpc.blob_client import BlobClient
from avs.rpc.tls import ClientTls


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
