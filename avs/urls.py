"""URLs in messages and logs as ``scheme://host[:port]`` only.

RPC URLs of hosted nodes carry API keys in their path, query or user info (the Helm chart
stores them as Secrets), and request libraries echo them in their exceptions. Everything
user-visible that names an endpoint goes through :func:`redact_url`, and text built from
a library's exception goes through :func:`scrub`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

HIDDEN = "…"
"""What replaces a hidden path or query in scrubbed text."""


def redact_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: user info, path, query and fragment dropped."""
    try:
        parts = urlsplit(url if "://" in url else f"//{url}")
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    scheme = f"{parts.scheme}://" if parts.scheme else ""
    return f"{scheme}{host}{'' if port is None else f':{port}'}"


def scrub(text: str, url: str) -> str:
    """``text`` with every secret-bearing piece of ``url`` (the whole URL, user info, path
    and query, as libraries quote them) replaced by :data:`HIDDEN`."""
    try:
        parts = urlsplit(url if "://" in url else f"//{url}")
    except ValueError:
        return text.replace(url, HIDDEN)
    pieces = [url]
    if parts.path not in ("", "/"):
        pieces.append(parts.path)
    if parts.query:
        pieces.append(parts.query)
    if parts.username:
        pieces.append(parts.username)
    if parts.password:
        pieces.append(parts.password)
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, HIDDEN)
    return text
