"""Operator metadata is attacker-written: bounded, cleaned, never followed, never fatal."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from avs.models.fetchers import HttpFetcher
from avs.stakers.metadata import (
    MAX_DOCUMENT_BYTES,
    MetadataError,
    OperatorMetadata,
    data_uri,
    parse_metadata,
    resolve,
    resolve_all,
)

GOOD = {"name": "Acme", "website": "https://acme.example", "logo": "", "description": "GPUs"}


def doc(**fields: object) -> bytes:
    return json.dumps({**GOOD, **fields}).encode()


def test_a_data_uri_round_trips() -> None:
    meta = OperatorMetadata("Acme", "https://acme.example", "https://acme.example/l.png", "x")
    assert resolve(data_uri(meta), HttpFetcher()) == meta


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (doc(name=""), "has no name"),
        (doc(name=7), "name must be a string"),
        (doc(website="javascript:alert(1)"), "website must be an http(s) URL"),
        (b" " * (MAX_DOCUMENT_BYTES + 1), "over"),
    ],
)
def test_unusable_documents_say_why(body: bytes, why: str) -> None:
    with pytest.raises(MetadataError, match=re.escape(why)):
        parse_metadata(body)


def test_control_characters_are_removed_and_fields_capped() -> None:
    meta = parse_metadata(doc(name="Ev\x1b[31mil\u202e" + "x" * 100))
    assert "\x1b" not in meta.name
    assert "\u202e" not in meta.name
    assert len(meta.name) == 64


def test_unsupported_schemes_are_not_fetched() -> None:
    def never(uri: str, cap: int) -> bytes:
        raise AssertionError("fetched")

    for uri in ("file:///etc/passwd", "ipfs://Qm", "avs-blob://0x00", "no-scheme"):
        with pytest.raises(MetadataError, match="is not fetched"):
            resolve(uri, never)


class _Server(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[HTTPServer, type[_Server]]]:
    handler = type("Handler", (_Server,), {})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd, handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_http_metadata_is_fetched_with_a_cap_and_failures_are_reasons(
    server: tuple[HTTPServer, type[_Server]],
) -> None:
    httpd, handler = server
    url = f"http://127.0.0.1:{httpd.server_address[1]}/op.json"
    handler.body = doc()
    fetch = HttpFetcher(timeout_s=3, deadline_s=5)
    assert resolve(url, fetch).name == "Acme"
    handler.body = b"{" + b" " * (2 * MAX_DOCUMENT_BYTES) + b"}"
    found = resolve_all({"0xa": url, "0xb": data_uri(parse_metadata(doc(name="B")))}, fetch)
    assert found["0xa"] == "cannot fetch it (BlobTooLargeError)"
    assert isinstance(found["0xb"], OperatorMetadata)


def test_operator_metadata_command_writes_what_stakers_will_accept() -> None:
    from click.testing import CliRunner

    from avs.cli.main import cli

    args = ["operator", "metadata", "--name", "Acme", "--website", "https://acme.example"]
    result = CliRunner().invoke(cli, [*args, "--data-uri"])
    assert result.exit_code == 0, result.output
    assert resolve(result.stdout.strip(), HttpFetcher()).website == "https://acme.example"
    hosted = CliRunner().invoke(cli, args)
    assert parse_metadata(hosted.stdout.encode()).name == "Acme"
    bad = CliRunner().invoke(cli, ["operator", "metadata", "--name", "x" * 65])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: metadata: a field is too long")
