"""One readable sentence for every way a JSON-RPC node can fail to answer.

requests and urllib3 describe a refused connection in ~300 characters of nested reprs and
a URL without a scheme as "No connection adapters"; a user needs the endpoint (never its
path or query: API keys live there), the short reason and what to check. Every chain
command goes through :func:`unreachable` so the message is the same everywhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from avs.errors import ChainUnreachable
from avs.urls import redact_url, scrub

_REASONS = (
    ("Connection refused", "connection refused"),
    ("No connection adapters", "not an http(s) URL"),
    ("No scheme supplied", "not an http(s) URL"),
    ("Invalid URL", "not an http(s) URL"),
    ("NameResolutionError", "host name not found"),
    ("Name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("timed out", "timed out"),
    ("Read timed out", "timed out"),
    ("RemoteDisconnected", "the node closed the connection"),
    ("Could not decode", "the answer is not JSON-RPC"),
    ("Expecting value", "the answer is not JSON-RPC"),
)
_NEXT_STEP = "check that the node is running and that rpc_url / --rpc-url / AVS_RPC_URL is right"


def short_reason(exc: BaseException, limit: int = 120) -> str:
    """A few words saying why a node did not answer (requests' own messages run to lines)."""
    text = " ".join(str(exc).split())
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _suggested(url: str) -> str:
    return url if "://" in url else f"http://{url}"


def unreachable(url: str, exc: BaseException) -> ChainUnreachable:
    """The error for a node at ``url`` that did not answer with JSON-RPC."""
    reason = scrub(short_reason(exc), url)
    if reason == "not an http(s) URL":
        return bad_url(url)
    return ChainUnreachable(f"cannot reach the chain at {redact_url(url)} ({reason}); {_NEXT_STEP}")


def bad_url(url: str) -> ChainUnreachable:
    """The error for an RPC URL that is not http(s)://host[:port][/path]."""
    shown = redact_url(url)
    return ChainUnreachable(
        f"cannot reach the chain at {shown} (not an http(s) URL); use {_suggested(shown)}"
    )


def check_rpc_url(url: str) -> None:
    """Refuse, before any request, an RPC URL that is not http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_url(url)


def rpc_error_message(exc: Any) -> str:
    """The ``message`` of a JSON-RPC error response, else the exception's text."""
    response = exc if isinstance(exc, dict) else getattr(exc, "rpc_response", None)
    if isinstance(response, dict):
        error = response.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    text = str(exc)
    return text if len(text) <= 200 else text[:199] + "…"
