"""Where a task's input blob may come from: one policy for operators and watchtowers.

A task's ``inputsURI`` is written by whoever created the task, so it is hostile: only the
aggregator's content-addressed ``avs-blob://`` and ``http(s)://`` are fetched by default
(each read capped at the store's blob limit, each download within a deadline), and
``file://`` only where the node allows it for local development. The caller checks the
bytes against the task's inputsRoot.
"""

from __future__ import annotations

import urllib.parse

from avs.errors import TaskError
from avs.models.fetchers import AGGREGATOR_SCHEME, HttpFetcher, fetch_file, hash_from_aggregator_uri
from avs.models.store import BlobStore


class TaskInputFetcher:
    """Fetches a task's input blob under the URI policy above."""

    @staticmethod
    def from_store(uri: str) -> bool:
        """Whether ``uri`` is served through the blob store (and so may come from its cache)."""
        return urllib.parse.urlparse(uri).scheme.lower() == AGGREGATOR_SCHEME

    def __init__(
        self, blobs: BlobStore, http: HttpFetcher | None = None, allow_file_inputs: bool = False
    ) -> None:
        """``avs-blob://`` through ``blobs`` (hash-checked, cached), http(s) through ``http``."""
        self._blobs = blobs
        self._http = http or HttpFetcher()
        self._allow_file_inputs = allow_file_inputs

    def __call__(self, uri: str, *, rehash_cached: bool = True) -> bytes:
        """The input blob at ``uri`` (TaskError for a scheme this node does not fetch).

        ``rehash_cached=False``: an ``avs-blob://`` copy already in the store is returned
        without hashing it again (see :meth:`BlobStore.get`); the caller checks the bytes.
        """
        scheme = urllib.parse.urlparse(uri).scheme.lower()
        limit = self._blobs.max_blob_size
        if scheme == AGGREGATOR_SCHEME:
            # The URI names the blob's hash, so it is verified and cached like a model.
            return self._blobs.get(hash_from_aggregator_uri(uri), uri, rehash_cached=rehash_cached)
        if scheme == "file" and self._allow_file_inputs:
            return fetch_file(uri, limit)
        if scheme in ("http", "https"):
            return self._http(uri, limit)
        allowed = "http(s)://, " + (
            f"file://, {AGGREGATOR_SCHEME}://"
            if self._allow_file_inputs
            else f"{AGGREGATOR_SCHEME}://"
        )
        hint = " (file:// needs allow_file_inputs: true, for local development)" * (
            scheme == "file"
        )
        raise TaskError(
            f"task inputs URI {uri[:200]!r} has a scheme this node does not fetch; "
            f"allowed: {allowed}{hint}"
        )
