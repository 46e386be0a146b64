"""Content-addressed model and blob store.

Every model and input blob is named by the Keccak-256 of its bytes (the same hash the
on-chain ModelRegistry stores, so Solidity can check it). :class:`BlobStore` fetches a
blob by URI (``file://``, ``http(s)://``, ``avs-blob://`` from the aggregator), verifies
its hash before anything uses it, and caches it on disk.
"""

from avs.models.hashing import ContentHash, content_hash, parse_content_hash, sha256
from avs.models.store import BlobStore

__all__ = ["BlobStore", "ContentHash", "content_hash", "parse_content_hash", "sha256"]
