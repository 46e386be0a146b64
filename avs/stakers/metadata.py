"""Operator metadata (name, website, logo, description) behind EigenLayer's metadata URI.

An operator publishes a URI in ``DelegationManager.OperatorMetadataURIUpdated``; the URI
names a small JSON document, as EigenLayer's operator metadata does. Everything about it is
attacker-written: the URI is fetched only over http(s) (or read from a ``data:`` URI, which
keeps the document on chain) with a byte cap and a deadline, the document must be a JSON
object, each field is a bounded string with control characters removed, and a document
that fails any of this shows no metadata (with the reason) instead of stopping the view.
"""

from __future__ import annotations

import base64
import json
import unicodedata
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_DOCUMENT_BYTES = 16 * 1024
FIELD_LIMITS = {"name": 64, "website": 200, "logo": 200, "description": 500}
"""Fields shown, with their length caps (characters)."""

Fetch = Callable[[str, int], bytes]
"""(http(s) URI, byte cap) -> body; raises on failure (see avs.models.fetchers.HttpFetcher)."""


@dataclass(frozen=True, slots=True)
class OperatorMetadata:
    """What an operator says about itself (never trusted: shown as text, never followed)."""

    name: str
    """Display name."""
    website: str
    """http(s) URL of its website, or empty."""
    logo: str
    """http(s) URL of its logo, or empty."""
    description: str
    """Free text."""

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {
            "name": self.name,
            "website": self.website,
            "logo": self.logo,
            "description": self.description,
        }


class MetadataError(ValueError):
    """The metadata URI or document is unusable; the message says why."""


def _clean(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MetadataError(f"{field} must be a string")
    # no control or format characters: they could rewrite a terminal line or hide text
    text = "".join(c for c in value if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split())
    limit = FIELD_LIMITS[field]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _url(value: str, field: str) -> str:
    if value and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
        raise MetadataError(f"{field} must be an http(s) URL")
    return value


def parse_metadata(document: bytes) -> OperatorMetadata:
    """The metadata in a JSON ``document``; MetadataError when it is not usable."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise MetadataError(f"document is over {MAX_DOCUMENT_BYTES} bytes")
    try:
        data = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MetadataError("document is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise MetadataError("document is not a JSON object")
    name = _clean(data.get("name"), "name")
    if not name:
        raise MetadataError("document has no name")
    return OperatorMetadata(
        name=name,
        website=_url(_clean(data.get("website"), "website"), "website"),
        logo=_url(_clean(data.get("logo"), "logo"), "logo"),
        description=_clean(data.get("description"), "description"),
    )


def data_uri(metadata: OperatorMetadata) -> str:
    """A ``data:`` URI holding the metadata document (the chain then holds it all)."""
    body = json.dumps(metadata.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return "data:application/json;base64," + base64.b64encode(body.encode()).decode()


def _from_data_uri(uri: str) -> bytes:
    header, sep, payload = uri.partition(",")
    if not sep or len(payload) > 2 * MAX_DOCUMENT_BYTES:
        raise MetadataError("malformed or oversized data: URI")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:
            raise MetadataError("data: URI is not valid base64") from None
    return urllib.parse.unquote_to_bytes(payload)


def resolve(uri: str, fetch: Fetch) -> OperatorMetadata:
    """Read and check the metadata at ``uri``; MetadataError says what is wrong."""
    scheme = urllib.parse.urlsplit(uri).scheme.lower()
    if scheme == "data":
        return parse_metadata(_from_data_uri(uri))
    if scheme not in ("http", "https"):
        raise MetadataError(f"metadata URI scheme {scheme or '(none)'!r} is not fetched")
    try:
        body = fetch(uri, MAX_DOCUMENT_BYTES)
    except Exception as exc:  # any failure of a hostile server: shown, never raised
        raise MetadataError(f"cannot fetch it ({type(exc).__name__})") from None
    return parse_metadata(body)


def resolve_all(uris: Mapping[str, str], fetch: Fetch) -> dict[str, OperatorMetadata | str]:
    """Operator -> its metadata, or the reason it has none shown (one bad URI never stops
    the others)."""
    out: dict[str, OperatorMetadata | str] = {}
    for operator, uri in uris.items():
        try:
            out[operator] = resolve(uri, fetch)
        except MetadataError as exc:
            out[operator] = str(exc)
    return out
