"""Why a node did not answer, in a few words (requests' own messages run to lines), and the
one "cannot reach the chain at ..." error every chain command shows."""

from __future__ import annotations

import pytest

from avs.chain.client import ChainClient
from avs.chain.reach import short_reason
from avs.errors import ChainError, ChainUnreachable


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("HTTPConnectionPool(...): Max retries (Caused by NewConnectionError(... "
         "[Errno 111] Connection refused'))", "connection refused"),
        ("Invalid URL 'notaurl': No scheme supplied. Perhaps you meant https://notaurl?",
         "not an http(s) URL"),
        ("Failed to resolve 'x.invalid' ([Errno -2] Name or service not known)",
         "host name not found"),
        ("Could not decode '<html>' because of Expecting value", "the answer is not JSON-RPC"),
        ("404 Client Error: Not Found", "404 Client Error: Not Found"),
    ],
)  # fmt: skip
def test_reasons(message: str, reason: str) -> None:
    assert short_reason(ChainError(message)) == reason


def test_long_unknown_reasons_are_cut_to_one_short_line() -> None:
    text = short_reason(ChainError("x\n" * 200))
    assert "\n" not in text
    assert len(text) <= 120


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("127.0.0.1:47505", "use http://127.0.0.1:47505"),
        ("localhost:8545", "use http://localhost:8545"),
        ("ws://127.0.0.1:8545", "use ws://127.0.0.1:8545"),
    ],
)
def test_url_without_http_scheme_is_refused_before_any_request(url: str, fix: str) -> None:
    with pytest.raises(ChainUnreachable) as err:
        ChainClient.connect(url)
    assert str(err.value) == f"cannot reach the chain at {url} (not an http(s) URL); {fix}"


def test_closed_port_names_url_reason_and_next_step() -> None:
    import socket

    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(ChainUnreachable) as err:
            ChainClient.connect(url, timeout=5).block_number()
    message = str(err.value)
    assert message.startswith(f"cannot reach the chain at {url} (connection refused); check")
    assert "\n" not in message
