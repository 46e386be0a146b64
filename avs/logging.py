"""structlog set-up: console lines or JSON on stderr; secrets redacted; repeats shown once.

Human commands log console lines unless the user asks for JSON; services (``run``) log JSON
when stderr is not a terminal, so log collectors get one object per line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from avs.urls import redact_url

_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "passphrase",
        "secret",
        "private",
        "privkey",
        "sk",
        "mnemonic",
        "seed",
        "token",
    }
)
_REFERENCE_SUFFIXES = ("_file", "_path", "_id")
# A 32-byte hex string is the shape of a private key; long enough hex blobs are kept
# (hashes and signatures are public), so only exact 64-hex-digit values are masked.
_HEX_SECRET = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
REDACTED = "***redacted***"
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# Free text that may quote an endpoint (exception messages): URLs in it keep scheme://host.
_FREE_TEXT_KEYS = frozenset({"error", "reason", "detail", "exc", "message"})


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Mask values whose key names a secret, and bare 32-byte hex values under such keys;
    URLs (``*_url`` values, and URLs quoted in error text) keep only ``scheme://host``."""
    for key, value in list(event_dict.items()):
        if key == "event":
            continue
        words = set(key.lower().split("_"))
        names_secret = bool(words & _SECRET_WORDS) and not key.endswith(_REFERENCE_SUFFIXES)
        is_hex_key = isinstance(value, str) and bool(_HEX_SECRET.match(value))
        looks_like_key = is_hex_key and "key" in words
        if names_secret or looks_like_key:
            event_dict[key] = REDACTED
        elif isinstance(value, str) and (key == "url" or key.endswith("_url")):
            event_dict[key] = redact_url(value)
        elif isinstance(value, str) and key in _FREE_TEXT_KEYS:
            event_dict[key] = _URL.sub(lambda m: redact_url(m.group(0)), value)
    return event_dict


class DropRepeats:
    """Drops a warning or error identical (event and context) to one already shown.

    A human reading a terminal learns nothing from the sixteenth copy of one warning; the
    memory is bounded so a long-running process never grows without limit.
    """

    def __init__(self, limit: int = 4096) -> None:
        self._seen: set[tuple[str, ...]] = set()
        self._limit = limit

    def __call__(
        self, _logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        if method not in ("warning", "warn", "error"):
            return event_dict
        key = (method, *sorted(f"{k}={v!r}" for k, v in event_dict.items() if k != "timestamp"))
        if key in self._seen:
            raise structlog.DropEvent
        if len(self._seen) < self._limit:
            self._seen.add(key)
        return event_dict


def configure_logging(level: str = "info", json: bool | None = None) -> None:
    """Configure structlog for the whole process; ``json=None`` picks by TTY.

    Console output (a person is reading) shows each distinct warning once; JSON output
    keeps every line, since collectors count them.
    """
    use_json = (not sys.stderr.isatty()) if json is None else json
    once: list[Any] = [] if use_json else [DropRepeats()]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            *once,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(**context: Any) -> Any:
    """A logger with ``context`` attached once (task, operator, component...).

    Lazy: a module-level logger created at import time still follows the configuration
    the CLI sets up later (level, JSON or console).
    """
    return structlog.get_logger(**context)
