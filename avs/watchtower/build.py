"""Assemble a watchtower over a blob store: the in-process one of aggregators and operators,
and the standalone one of ``avs watchtower run``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.errors import ModelError
from avs.models.hashing import ContentHash
from avs.models.inputs import TaskInputFetcher
from avs.models.store import BlobStore
from avs.watchtower.metrics import WatchtowerMetrics
from avs.watchtower.reexecute import Reexecutor
from avs.watchtower.tower import Watchtower


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
        Reexecutor(reader, blobs, TaskInputFetcher(blobs)),
        results,
        WatchtowerMetrics.create(registry),
        sample=sample,
        publish=blobs.put,
    )
