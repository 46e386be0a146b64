"""The operator's in-process watchtower (config ``watchtower``): the standalone
``avs watchtower run`` wiring, fed from the node's config and metrics registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from avs.chain.client import ChainClient, RevertObserver
from avs.chain.deployment import Deployment
from avs.chain.keys import load_ecdsa_key
from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.models.store import BlobStore
from avs.watchtower.build import watchtower_over
from avs.watchtower.peers import PeerBlobSource
from avs.watchtower.service import WatchtowerService
from avs_operator.blobs import aggregator_blob_source
from avs_operator.config import OperatorConfig


def load_challenger(
    cfg: OperatorConfig, on_revert: RevertObserver | None = None
) -> ChainWriter | None:
    """The account that sends the watchtower's challenges (None: check-only); its reverted
    transactions are told to ``on_revert`` (the node's metrics)."""
    if not cfg.watchtower or cfg.watchtower_key_file is None:
        return None
    key = load_ecdsa_key(cfg.watchtower_key_file, cfg.watchtower_password_file)
    client = ChainClient.connect(cfg.rpc_url, key)
    if on_revert is not None:
        client = client.with_revert_observer(on_revert)
    return ChainWriter(client, Deployment.load(cfg.deployment))


def operator_watchtower(
    cfg: OperatorConfig,
    reader: ChainReader,
    challenger: ChainWriter | None,
    registry: CollectorRegistry,
    blobs: BlobStore,
) -> WatchtowerService:
    """A watchtower over the node's own blob store ``blobs`` (:func:`node_blobs`), counting
    into ``registry``: models and inputs the node already fetched are read from disk, not
    downloaded a second time."""
    tower = watchtower_over(reader, challenger, blobs, registry=registry)
    return WatchtowerService(reader, tower, poll_interval=max(cfg.poll_interval, 1.0))


def node_blobs(cfg: OperatorConfig, source: PeerBlobSource | None = None) -> BlobStore:
    """The node's one blob store (models, inputs, certified results), shared by its worker
    and its watchtower, fetching from every aggregator the node sends to (the primary first,
    with the node's TLS settings; :func:`aggregator_blob_source` unless ``source`` is given):
    a competitor that certified a task holds its result bytes."""
    return BlobStore(cfg.model_cache, source=source or aggregator_blob_source(cfg))
