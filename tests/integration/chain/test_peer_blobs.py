"""An aggregator fetches blobs it lacks from its peers (config ``peer_aggregators``) over
TLS: a hostile peer listed first never gets a byte stored, never holds the fetch past its
deadline, and is skipped for the next blob; the honest peer after it delivers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from avs.models import BlobStore, content_hash
from avs.models.errors import BlobNotFoundError, StoreFullError
from avs_aggregator.app import peer_source
from avs_operator.config import OperatorConfig
from avs_operator.watch import node_blobs

from .blob_peers import Behaviour, HostilePeer, PeerTls, honest_peer, hostile_peer, peer_config

pytestmark = pytest.mark.integration

MODEL = bytes(range(256)) * 4096  # 1 MiB: several chunks
INPUTS = b"inputs of a task" * 1000
LIMIT = 2 * 1024 * 1024


def store_files(store: BlobStore) -> set[str]:
    return {p.name for p in store.cache_dir.iterdir()} if store.cache_dir.is_dir() else set()


@pytest.mark.parametrize("behaviour", list(Behaviour))
def test_a_hostile_peer_is_passed_over_for_the_next_one(
    tmp_path: Path, behaviour: Behaviour
) -> None:
    tls = PeerTls.create(tmp_path / "ca")
    holder = BlobStore(tmp_path / "holder")
    wanted = [holder.put(MODEL), holder.put(INPUTS)]
    hostile = HostilePeer(behaviour)
    registry = CollectorRegistry()

    async def scenario() -> tuple[BlobStore, str, str]:
        async with hostile_peer(tls, hostile) as bad, honest_peer(tls, holder) as good:
            cfg = peer_config(
                tmp_path, [bad, good], tls.ca_file, peer_fetch_timeout=3.0,
                peer_max_blob_bytes=LIMIT,
            )  # fmt: skip
            store = BlobStore(cfg.blob_dir)
            store.source = peer_source(cfg, store, registry)
            # A naive fetch would hang on a stalled peer: the test must end either way.
            async with asyncio.timeout(60):
                for digest, data in zip(wanted, (MODEL, INPUTS), strict=True):
                    assert await asyncio.to_thread(store.get, digest) == data
            return store, bad, good

    store, bad, good = asyncio.run(scenario())
    assert store_files(store) == {holder.path_of(d).name for d in wanted}
    # Cut off within the size cap (plus what was in flight), not after the whole stream.
    assert hostile.bytes_sent <= LIMIT + 8 * 1024 * 1024
    # Asked for the first blob only: after misbehaving it is skipped while cooling down.
    assert hostile.requests == 1
    counted = {
        (peer, outcome): registry.get_sample_value(
            "avs_peer_blob_requests_total", {"peer": peer, "outcome": outcome}
        )
        for peer, outcome in [(bad, "refused"), (bad, "skipped"), (good, "fetched")]
    }
    assert counted == {(bad, "refused"): 1, (bad, "skipped"): 1, (good, "fetched"): 2}


def test_peers_that_lack_a_blob_are_asked_again_and_nothing_is_fetched_over_quota(
    tmp_path: Path,
) -> None:
    tls = PeerTls.create(tmp_path / "ca")
    holder, empty = BlobStore(tmp_path / "holder"), BlobStore(tmp_path / "empty")
    digest = holder.put(INPUTS)

    async def scenario() -> None:
        async with honest_peer(tls, empty) as first, honest_peer(tls, holder) as second:
            cfg = peer_config(tmp_path, [first, second], tls.ca_file)
            store = BlobStore(cfg.blob_dir)
            store.source = peer_source(cfg, store)
            unknown = content_hash(b"nobody holds this")
            with pytest.raises(BlobNotFoundError, match="no peer aggregator delivered it"):
                await asyncio.to_thread(store.get, unknown)
            # NOT_FOUND is an honest answer: both peers are still asked for the next blob.
            assert await asyncio.to_thread(store.get, digest) == INPUTS

            full = peer_config(tmp_path / "full", [second], tls.ca_file, blob_quota_bytes=1)
            crowded = BlobStore(full.blob_dir)
            crowded.put(b"already here")
            crowded.source = peer_source(full, crowded)
            with pytest.raises(StoreFullError, match="quota"):
                await asyncio.to_thread(crowded.get, digest)
            assert not crowded.contains(digest)

    asyncio.run(scenario())


def test_an_operators_watchtower_asks_every_aggregator_it_sends_to(tmp_path: Path) -> None:
    tls = PeerTls.create(tmp_path / "ca")
    primary, competitor = BlobStore(tmp_path / "primary"), BlobStore(tmp_path / "competitor")
    certified_result = competitor.put(b"result bytes the competitor certified")

    async def scenario() -> bytes:
        async with honest_peer(tls, primary) as first, honest_peer(tls, competitor) as second:
            cfg = OperatorConfig(
                rpc_url="http://127.0.0.1:1",
                deployment=tmp_path / "deployment.json",
                bls_key_file=tmp_path / "unused-bls.json",
                ecdsa_key_file=tmp_path / "unused-ecdsa.json",
                data_dir=tmp_path / "operator",
                aggregator_urls=(first, second),
                aggregator_tls_ca_file=tls.ca_file,
            )
            return await asyncio.to_thread(node_blobs(cfg).get, certified_result)

    assert asyncio.run(scenario()) == b"result bytes the competitor certified"
