"""Slashing-protection store: the node never signs two different results for one task.

Every signature is recorded here (durably, before it leaves the process); a later
request to sign a different result digest for the same task hash is refused, across
restarts. Signing the same result again is allowed, so a retry after a crash is safe.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from avs.errors import ProtectionError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signed_results (
    task_hash     BLOB PRIMARY KEY,
    task_index    INTEGER NOT NULL,
    result_digest BLOB NOT NULL,
    signed_at     REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """One result this node has signed."""

    task_hash: bytes
    """keccak256(abi.encode(chainId, taskManager, task)): binds chain, contract and task."""
    task_index: int
    """The task's index in the task manager (for operators reading the store)."""
    result_digest: bytes
    """keccak256 of the canonical result bytes that were signed."""
    signed_at: float
    """Unix time of the first signature."""


class ProtectionStore:
    """SQLite-backed record of signed results, keyed by task hash."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        # FULL sync: the record must survive power loss before the signature is released.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def authorize(self, task_hash: bytes, task_index: int, result_digest: bytes) -> SignedRecord:
        """Record the intent to sign ``result_digest`` for ``task_hash``, or refuse.

        Raises :class:`ProtectionError` when a different digest was signed for this task.
        """
        if len(task_hash) != 32 or len(result_digest) != 32:
            raise ProtectionError("task hash and result digest must be 32 bytes each")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            existing = self._get(task_hash)
            if existing is None:
                existing = SignedRecord(task_hash, task_index, result_digest, time.time())
                self._db.execute(
                    "INSERT INTO signed_results VALUES (?, ?, ?, ?)",
                    (task_hash, task_index, result_digest, existing.signed_at),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        if existing.result_digest != result_digest:
            raise ProtectionError(
                f"refusing to sign task {task_index}: result 0x{result_digest.hex()} differs from "
                f"0x{existing.result_digest.hex()} signed before (equivocation would be slashed)"
            )
        return existing

    def get(self, task_hash: bytes) -> SignedRecord | None:
        """The record for ``task_hash``, if this node signed it."""
        return self._get(task_hash)

    def count(self) -> int:
        """Number of tasks signed so far."""
        row = self._db.execute("SELECT COUNT(*) FROM signed_results").fetchone()
        return int(row[0])

    def latest(self) -> SignedRecord | None:
        """The most recently signed result (None before the first signature)."""
        row = self._db.execute(
            "SELECT task_hash, task_index, result_digest, signed_at FROM signed_results "
            "ORDER BY signed_at DESC, task_index DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return SignedRecord(bytes(row[0]), int(row[1]), bytes(row[2]), float(row[3]))

    @classmethod
    def read_only(cls, path: Path) -> ProtectionStore | None:
        """The store at ``path`` if it exists (a read-only command never creates one)."""
        return cls(path) if path.exists() else None

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _get(self, task_hash: bytes) -> SignedRecord | None:
        row = self._db.execute(
            "SELECT task_hash, task_index, result_digest, signed_at FROM signed_results "
            "WHERE task_hash = ?",
            (task_hash,),
        ).fetchone()
        if row is None:
            return None
        return SignedRecord(bytes(row[0]), int(row[1]), bytes(row[2]), float(row[3]))
