"""BlobStore: hash-verified, atomically cached, fetched by file:// URI or a BlobSource."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from avs.errors import InputError
from avs.models import BlobStore, content_hash, parse_content_hash
from avs.models.errors import BlobNotFoundError, BlobTooLargeError, HashMismatchError
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import ContentHash, hash_hex

DATA = b"an onnx model, pretend" * 10


class DictSource:
    """A BlobSource serving from a dict (stands in for the aggregator's GetBlob)."""

    def __init__(self, blobs: dict[ContentHash, bytes]) -> None:
        self.blobs = blobs
        self.calls = 0

    def fetch_blob(self, digest: ContentHash, max_size: int) -> bytes:
        self.calls += 1
        if digest not in self.blobs:
            raise BlobNotFoundError("not here")
        return self.blobs[digest]


def test_content_hash_is_keccak256() -> None:
    assert content_hash(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


@pytest.mark.parametrize("bad", ["0x12", "zz" * 32, "0x" + "00" * 33])
def test_parse_content_hash_rejects_malformed(bad: str) -> None:
    with pytest.raises(InputError, match="content hash"):
        parse_content_hash(bad)


def test_get_by_file_uri_verifies_and_caches(tmp_path: Path) -> None:
    src = tmp_path / "model.onnx"
    src.write_bytes(DATA)
    store = BlobStore(tmp_path / "cache")
    digest = content_hash(DATA)
    assert store.get(digest, src.as_uri()) == DATA
    src.unlink()  # now only the cache can answer
    assert store.get(digest) == DATA
    assert store.path_of(digest).read_bytes() == DATA


def test_hash_mismatch_is_refused_and_not_cached(tmp_path: Path) -> None:
    src = tmp_path / "model.onnx"
    src.write_bytes(DATA + b"tampered")
    store = BlobStore(tmp_path / "cache")
    with pytest.raises(HashMismatchError, match="expected " + hash_hex(content_hash(DATA))):
        store.get(content_hash(DATA), src.as_uri())
    assert not store.contains(content_hash(DATA))
    assert list((tmp_path / "cache").glob("*")) == []


def test_corrupt_cache_entry_is_dropped_and_refetched(tmp_path: Path) -> None:
    digest = content_hash(DATA)
    source = DictSource({digest: DATA})
    store = BlobStore(tmp_path, source=source)
    store.put(DATA)
    store.path_of(digest).write_bytes(b"bit rot")
    assert store.get(digest) == DATA
    assert source.calls == 1
    assert store.path_of(digest).read_bytes() == DATA


def test_a_caller_that_checks_the_bytes_itself_skips_the_rehash_of_a_cached_copy(
    tmp_path: Path,
) -> None:
    digest = content_hash(DATA)
    source = DictSource({digest: DATA})
    store = BlobStore(tmp_path, source=source)
    # Not cached yet: fetched bytes are hashed before anything is cached or returned.
    source.blobs[digest] = b"served wrong"
    with pytest.raises(HashMismatchError):
        store.get(digest, rehash_cached=False)
    assert not store.contains(digest)
    source.blobs[digest] = DATA
    assert store.get(digest, rehash_cached=False) == DATA
    # Cached: returned as read (the caller's own check must catch the rot) ...
    store.path_of(digest).write_bytes(b"bit rot")
    assert store.get(digest, rehash_cached=False) == b"bit rot"
    # ... and the default read then drops the bad copy and fetches the blob again.
    assert store.get(digest) == DATA
    assert source.calls == 3


def test_failed_write_leaves_no_partial_blob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        store.put(DATA)
    assert list(tmp_path.iterdir()) == []  # neither the blob name nor the temporary file


def test_aggregator_source_serves_hash_only_and_avs_blob_uris(tmp_path: Path) -> None:
    digest = content_hash(DATA)
    store = BlobStore(tmp_path, source=DictSource({digest: DATA}))
    assert store.get(digest, aggregator_uri(digest)) == DATA
    other = content_hash(b"other")
    with pytest.raises(HashMismatchError, match="different blob"):
        store.get(other, aggregator_uri(digest))


def test_source_serving_wrong_bytes_is_caught(tmp_path: Path) -> None:
    digest = content_hash(DATA)
    store = BlobStore(tmp_path, source=DictSource({digest: b"evil"}))
    with pytest.raises(HashMismatchError):
        store.get(digest)
    assert not store.contains(digest)


def test_missing_everything_says_what_to_configure(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobNotFoundError, match="no URI or aggregator"):
        store.get(content_hash(DATA))
    with pytest.raises(BlobNotFoundError, match="no such file"):
        store.get(content_hash(DATA), (tmp_path / "nope").as_uri())


def test_unsupported_scheme_lists_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(BlobNotFoundError, match=r"ftp.*avs-blob://, file://, http://, https://"):
        BlobStore(tmp_path).get(content_hash(DATA), "ftp://example.org/model.onnx")


def test_size_limit_applies_to_files_and_puts(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(DATA)
    store = BlobStore(tmp_path / "cache", max_blob_size=len(DATA) - 1)
    with pytest.raises(BlobTooLargeError):
        store.get(content_hash(DATA), src.as_uri())
    with pytest.raises(BlobTooLargeError):
        store.put(DATA)
