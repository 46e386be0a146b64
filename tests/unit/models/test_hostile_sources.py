"""Hostile blob sources: devices, FIFOs, trickling servers and odd redirects are cut off."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from avs.models.errors import BlobNotFoundError, BlobTooLargeError, DownloadDeadlineError
from avs.models.fetchers import HttpFetcher, fetch_file


def test_a_device_that_reports_size_zero_is_refused() -> None:
    with pytest.raises(BlobNotFoundError, match="not a regular file"):
        fetch_file("file:///dev/zero", 1024)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BlobNotFoundError, match="not a regular file"):
        fetch_file(fifo.as_uri(), 1024)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BlobNotFoundError):
        fetch_file(tmp_path.as_uri(), 1024)


def test_file_reads_are_capped(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(BlobTooLargeError):
        fetch_file(big.as_uri(), 1024)
    assert fetch_file(big.as_uri(), 2048) == b"x" * 2048


class Hostile(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            # one byte at a time, each well inside the per-read timeout
            for _ in range(100_000):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.02)
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/secret")
            self.end_headers()
        elif self.path == "/endless":
            self.send_response(200)  # no Content-Length: the body never ends
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"y" * 65536)
            except OSError:
                return

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_trickling_server_is_cut_off_by_the_overall_deadline(hostile_url: str) -> None:
    fetch = HttpFetcher(timeout_s=30, deadline_s=0.5)
    with pytest.raises(DownloadDeadlineError, match=r"longer than 0\.5 s"):
        fetch(f"{hostile_url}/trickle", 10**6)


def test_a_redirect_to_another_scheme_is_refused(hostile_url: str) -> None:
    with pytest.raises(BlobNotFoundError, match="non-http"):
        HttpFetcher(timeout_s=5)(f"{hostile_url}/to-ftp", 10**6)


def test_an_endless_body_stops_at_the_cap(hostile_url: str) -> None:
    with pytest.raises(BlobTooLargeError, match="more than the 1000000-byte limit"):
        HttpFetcher(timeout_s=5)(f"{hostile_url}/endless", 10**6)
