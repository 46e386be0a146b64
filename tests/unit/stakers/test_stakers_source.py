"""Why a node did not answer, in a few words (requests' own messages run to lines)."""

from __future__ import annotations

import pytest

from avs.errors import ChainError
from avs.stakers.source import _reason


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("HTTPConnectionPool(...): Max retries (Caused by NewConnectionError(... "
         "[Errno 111] Connection refused'))", "connection refused"),
        ("Invalid URL 'notaurl': No scheme supplied. Perhaps you meant https://notaurl?",
         "not a URL; use http://host:port"),
        ("Failed to resolve 'x.invalid' ([Errno -2] Name or service not known)",
         "host name not found"),
        ("Could not decode '<html>' because of Expecting value", "the answer is not JSON-RPC"),
        ("404 Client Error: Not Found", "404 Client Error: Not Found"),
    ],
)  # fmt: skip
def test_reasons(message: str, reason: str) -> None:
    assert _reason(ChainError(message)) == reason


def test_long_unknown_reasons_are_cut_to_one_short_line() -> None:
    text = _reason(ChainError("x\n" * 200))
    assert "\n" not in text
    assert len(text) <= 120
