"""Assemble a watchtower over a blob store: the in-process one of aggregators and operators,
and the standalone one of ``avs watchtower run``."""

from __future__ import annotations

import urllib.parse

from prometheus_client import CollectorRegistry

from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.errors import ModelError, TaskError
from avs.models.fetchers import AGGREGATOR_SCHEME, HttpFetcher, hash_from_aggregator_uri
from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs.watchtower.metrics import WatchtowerMetrics
from avs.watchtower.reexecute import Reexecutor
from avs.watchtower.tower import Watchtower


def blob_inputs(blobs: BlobStore) -> HttpFetcherInputs:
    """Task inputs from ``avs-blob://`` (by hash, through ``blobs``) or http(s)."""
    return HttpFetcherInputs(blobs)


class HttpFetcherInputs:
    """Fetches a task's input blob; the Merkle root check follows in the re-executor."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._http = HttpFetcher()

    def __call__(self, uri: str) -> bytes:
        """The blob at ``uri``."""
        scheme = urllib.parse.urlparse(uri).scheme.lower()
        if scheme == AGGREGATOR_SCHEME:
            return self._blobs.get(hash_from_aggregator_uri(uri), uri)
        if scheme in ("http", "https"):
            return self._http(uri, self._blobs.max_blob_size)
        raise TaskError(
            f"task inputs URI {uri[:200]!r}: a watchtower fetches avs-blob:// and http(s)://"
        )


def watchtower_over(
    reader: ChainReader,
    writer: ChainWriter | None,
    blobs: BlobStore,
    *,
    sample: float = 1.0,
    registry: CollectorRegistry | None = None,
) -> Watchtower:
    """A watchtower fetching models, inputs and certified results through ``blobs``.

    Certified result bytes are looked up by their digest, which is their content hash: an
    aggregator stores the bytes of every certificate it submits, so any watcher with a
    blob source pointing at it can prove where a wrong certificate is wrong.
    """

    def results(digest: bytes) -> bytes | None:
        try:
            return blobs.get(ContentHash(digest))
        except ModelError:
            return None

    return Watchtower(
        reader,
        writer,
        Reexecutor(reader, blobs, blob_inputs(blobs)),
        results,
        WatchtowerMetrics.create(registry),
        sample=sample,
        publish=blobs.put,
    )
