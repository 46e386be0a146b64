"""Narrow model/blob errors, so callers (and the gRPC status map) can tell them apart."""

from __future__ import annotations

from avs.errors import ModelError


class BlobNotFoundError(ModelError):
    """No source holds the blob: not cached, no URI given, or the URI's target is missing."""


class HashMismatchError(ModelError):
    """Fetched or cached bytes do not hash to the requested content hash."""


class BlobTooLargeError(ModelError):
    """A blob exceeds the store's size limit (protects memory and disk from a hostile source)."""


class StoreFullError(ModelError):
    """The store refuses more bytes now: its quota is used up or too many uploads run at once."""


class DownloadDeadlineError(ModelError):
    """A download ran past its overall deadline (a slow or trickling source)."""
