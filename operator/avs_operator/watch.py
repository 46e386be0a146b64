"""The operator's in-process watchtower (config ``watchtower``): the standalone
``avs watchtower run`` wiring, fed from the node's config and metrics registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.keys import load_ecdsa_key
from avs.chain.reader import ChainReader
from avs.chain.writer import ChainWriter
from avs.watchtower.build import watchtower_over
from avs.watchtower.service import WatchtowerService
from avs.watchtower.source import aggregator_blob_store
from avs_operator.config import OperatorConfig


def load_challenger(cfg: OperatorConfig) -> ChainWriter | None:
    """The account that sends the watchtower's challenges (None: check-only)."""
    if not cfg.watchtower or cfg.watchtower_key_file is None:
        return None
    key = load_ecdsa_key(cfg.watchtower_key_file, cfg.watchtower_password_file)
    client = ChainClient.connect(cfg.rpc_url, key)
    return ChainWriter(client, Deployment.load(cfg.deployment))


def operator_watchtower(
    cfg: OperatorConfig,
    reader: ChainReader,
    challenger: ChainWriter | None,
    registry: CollectorRegistry,
) -> WatchtowerService:
    """A watchtower fetching blobs from the primary aggregator (with the node's TLS settings)
    and counting into ``registry``."""
    blobs = aggregator_blob_store(
        cfg.aggregators[0], cfg.watchtower_cache, cfg.aggregator_tls, cfg.aggregator_plaintext
    )
    tower = watchtower_over(reader, challenger, blobs, registry=registry)
    return WatchtowerService(reader, tower, poll_interval=max(cfg.poll_interval, 1.0))
