"""SQLite cache of the records read so far and of how far the scan got.

Layout: ``meta(key, value)`` holds the cache format, the source identity (chain id,
deployment block, contract addresses), ``scanned_to`` and the *anchor* (a block at least
:data:`avs.stakers.indexer.REORG_DEPTH` behind the head when it was written, with its hash);
``events(block, log_index, tx_hash, kind, payload)`` holds one row per record, payload as
JSON (:mod:`avs.stakers.records`). A cache for another identity or format is emptied.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from avs.errors import ConfigError
from avs.stakers.codec import decode_payload, encode_payload
from avs.stakers.records import EventRef, Record

CACHE_FORMAT = "2"  # 2: operator metadata records
"""Bump when the record payloads change; older caches are then rebuilt."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    tx_hash BLOB NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (block, log_index)
);
"""


def default_cache_path(chain_id: int, task_manager: str) -> Path:
    """~/.cache/edge-avs/stakers-<chainid>-<taskmanager>.sqlite ($XDG_CACHE_HOME honoured)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edge-avs" / f"stakers-{chain_id}-{task_manager.lower()}.sqlite"


@dataclass(frozen=True, slots=True)
class ScanState:
    """How far a previous scan got."""

    scanned_to: int
    """Last block whose records are all stored."""
    anchor_block: int | None
    """A block old enough to be final in practice, or None on a young chain."""
    anchor_hash: bytes | None
    """Its hash when it was stored."""


class EventCache:
    """The cache file (``None``: in memory, for cold scans)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        target = ":memory:"
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot create the cache folder {path.parent}: {exc}") from None
            target = str(path)
        try:
            self._db = sqlite3.connect(target, timeout=30.0)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise ConfigError(
                f"cannot open the cache {path}: {exc}; pass another --cache or delete it"
            ) from None

    def __enter__(self) -> EventCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, values: dict[str, str | None]) -> None:
        for key, value in values.items():
            if value is None:
                self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def bind(self, identity: str) -> None:
        """Use the cache for ``identity``; a cache of another source or format is emptied."""
        if self._meta("format") != CACHE_FORMAT or self._meta("identity") != identity:
            self.reset()
            with self._db:
                self._set_meta({"format": CACHE_FORMAT, "identity": identity})

    def reset(self) -> None:
        """Forget every record and the scan state."""
        with self._db:
            self._db.execute("DELETE FROM events")
            self._db.execute("DELETE FROM meta")

    def state(self) -> ScanState | None:
        """The scan state, None for an empty cache."""
        scanned = self._meta("scanned_to")
        if scanned is None:
            return None
        anchor = self._meta("anchor_block")
        anchor_hash = self._meta("anchor_hash")
        return ScanState(
            scanned_to=int(scanned),
            anchor_block=None if anchor is None else int(anchor),
            anchor_hash=None if anchor_hash is None else bytes.fromhex(anchor_hash),
        )

    def truncate_after(self, block: int) -> None:
        """Drop records above ``block`` (they will be read again)."""
        with self._db:
            self._db.execute("DELETE FROM events WHERE block > ?", (block,))

    def append(self, records: Iterable[Record], state: ScanState) -> None:
        """Store records and the new scan state in one transaction."""
        rows = []
        for record in records:
            kind, payload = encode_payload(record)
            at = record.at
            rows.append((at.block, at.log_index, at.tx_hash, kind, payload))
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)", rows)
            self._set_meta(
                {
                    "scanned_to": str(state.scanned_to),
                    "anchor_block": None if state.anchor_block is None else str(state.anchor_block),
                    "anchor_hash": None if state.anchor_hash is None else state.anchor_hash.hex(),
                }
            )

    def records(self) -> list[Record]:
        """Every stored record, in chain order."""
        cursor = self._db.execute(
            "SELECT block, log_index, tx_hash, kind, payload FROM events ORDER BY block, log_index"
        )
        return [
            decode_payload(kind, EventRef(int(block), int(index), bytes(tx)), payload)
            for block, index, tx, kind, payload in cursor
        ]
