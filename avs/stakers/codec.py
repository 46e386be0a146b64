"""JSON payloads of records for the SQLite cache (position kept apart, in table columns)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, get_type_hints

from avs.errors import AvsError
from avs.stakers.records import RECORD_TYPES, EventRef, Record

_BY_KIND: dict[str, type[Record]] = {t.KIND: t for t in RECORD_TYPES}


class CacheFormatError(AvsError):
    """A cached record cannot be read back (cache written by another version)."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _field_types_of(cls: type[Record]) -> tuple[tuple[str, Any], ...]:
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls) if f.name != "at")


_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {t.KIND: _field_types_of(t) for t in RECORD_TYPES}


def _decode(typ: Any, value: Any) -> Any:
    if typ is bytes:
        return bytes.fromhex(str(value).removeprefix("0x"))
    if typ == tuple[int, ...]:
        return tuple(int(v) for v in value)
    if typ == tuple[bytes, ...]:
        return tuple(_decode(bytes, v) for v in value)
    if typ is bool:
        return bool(value)
    if typ is int:
        return int(value)
    return str(value)


def encode_payload(record: Record) -> tuple[str, str]:
    """(kind, JSON payload) of a record, without its position (stored in columns)."""
    body = {name: _encode(getattr(record, name)) for name, _ in _FIELDS[record.KIND]}
    return record.KIND, json.dumps(body, separators=(",", ":"), sort_keys=True)


def decode_payload(kind: str, at: EventRef, payload: str) -> Record:
    """Inverse of :func:`encode_payload`."""
    cls = _BY_KIND.get(kind)
    if cls is None:
        raise CacheFormatError(f"unknown cached record kind {kind!r}; delete the cache file")
    try:
        body = json.loads(payload)
        values = {name: _decode(typ, body[name]) for name, typ in _FIELDS[kind]}
    except (KeyError, TypeError, ValueError) as exc:
        raise CacheFormatError(f"cached {kind} record is malformed ({exc}); delete it") from exc
    return cls(at=at, **values)
