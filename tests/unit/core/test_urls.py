"""Endpoints in messages and logs keep scheme://host[:port] only (API keys live in the rest)."""

from __future__ import annotations

import pytest

from avs.chain.client import ChainClient
from avs.errors import ChainError
from avs.logging import redact_secrets
from avs.urls import redact_url, scrub

KEYED = "https://user:pass@eth.example.com:8443/v3/PATHKEY?apikey=QUERYKEY#frag"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (KEYED, "https://eth.example.com:8443"),
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("localhost:8545/secret", "localhost:8545"),
        ("http://[::1]:8545/k", "http://[::1]:8545"),
        ("http://host:notaport/k", "<unparseable URL>"),
    ],
)
def test_redact_url_keeps_scheme_host_and_port(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_scrub_hides_every_piece_of_the_url_a_library_may_quote() -> None:
    text = f"Max retries exceeded with url: /v3/PATHKEY?apikey=QUERYKEY ({KEYED})"
    cleaned = scrub(text, KEYED)
    for secret in ("PATHKEY", "QUERYKEY", "user", "pass"):
        assert secret not in cleaned


def test_chain_errors_never_carry_the_key() -> None:
    client = ChainClient.connect("http://USERKEY:PASSKEY@127.0.0.1:9/v3/PATHKEY?apikey=QUERYKEY")
    with pytest.raises(ChainError) as err:
        client.block_number()
    message = str(err.value)
    assert "127.0.0.1:9" in message
    for secret in ("PATHKEY", "QUERYKEY", "USERKEY", "PASSKEY"):
        assert secret not in message


def test_log_processor_redacts_url_fields_and_urls_in_error_text() -> None:
    out = redact_secrets(
        None,
        "warning",
        {"event": "x", "rpc_url": KEYED, "error": f"failed at {KEYED} twice", "uri": "https://h/m"},
    )
    assert out["rpc_url"] == "https://eth.example.com:8443"
    assert out["error"] == "failed at https://eth.example.com:8443 twice"
    assert out["uri"] == "https://h/m"  # public blob URIs stay useful
