"""HTTP fetching against a real local http.server on 127.0.0.1, port 0."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from avs.models import BlobStore, content_hash
from avs.models.errors import BlobNotFoundError, BlobTooLargeError, HashMismatchError

BLOBS = {"/model.onnx": b"model bytes " * 100, "/liar.onnx": b"not what you asked for"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = BLOBS.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_fetch_verifies_and_caches(base_url: str, tmp_path: Path) -> None:
    data = BLOBS["/model.onnx"]
    store = BlobStore(tmp_path)
    assert store.get(content_hash(data), f"{base_url}/model.onnx") == data
    assert store.contains(content_hash(data))


def test_http_404_is_blob_not_found(base_url: str, tmp_path: Path) -> None:
    with pytest.raises(BlobNotFoundError, match="HTTP 404"):
        BlobStore(tmp_path).get(content_hash(b"x"), f"{base_url}/missing.onnx")


def test_http_wrong_content_is_refused(base_url: str, tmp_path: Path) -> None:
    with pytest.raises(HashMismatchError):
        BlobStore(tmp_path).get(content_hash(b"expected"), f"{base_url}/liar.onnx")


def test_http_size_limit_from_content_length(base_url: str, tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_blob_size=100)
    with pytest.raises(BlobTooLargeError, match="declares 1200 bytes"):
        store.get(content_hash(BLOBS["/model.onnx"]), f"{base_url}/model.onnx")


def test_unreachable_host_is_blob_not_found(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback is closed on test machines: connection refused at once.
    store = BlobStore(tmp_path, http_timeout_s=2)
    with pytest.raises(BlobNotFoundError, match="cannot download"):
        store.get(content_hash(b"x"), "http://127.0.0.1:9/model.onnx")
