"""Persistent task store (SQLite): the aggregator can be killed at any point and resume.

Tasks and every accepted response are written before the gRPC reply is sent, so a
restart rebuilds each open task's aggregation from disk. A certificate is recorded as
``submitting`` (with its digest) before the transaction is sent and ``certified`` after
it is mined (or once a competitor's certificate is seen); on restart a ``submitting``
task is checked against the chain, never blindly re-certified.

Evidence is its own durable step: a ``certified`` task still owes the slashing evidence
its responses hold, and only becomes ``settled`` once that evidence was submitted (or
the challenge window closed). A restart resumes every ``certified`` task.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_index     INTEGER PRIMARY KEY,
    task_hash      BLOB NOT NULL,
    task_blob      BLOB NOT NULL,
    deadline_block INTEGER NOT NULL,
    state          TEXT NOT NULL,
    result_digest  BLOB,
    tx_hash        BLOB,
    updated_at     REAL NOT NULL,
    certified_by   TEXT
);
CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks(state);
CREATE TABLE IF NOT EXISTS responses (
    task_index    INTEGER NOT NULL,
    operator_id   BLOB NOT NULL,
    result_bytes  BLOB NOT NULL,
    signature     BLOB NOT NULL,
    received_at   REAL NOT NULL,
    PRIMARY KEY (task_index, operator_id, result_bytes)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class TaskState(StrEnum):
    """Lifecycle of a task in the aggregator."""

    OPEN = "open"
    SUBMITTING = "submitting"
    CERTIFIED = "certified"
    """Certified on chain; the evidence its responses hold is not yet submitted."""
    SETTLED = "settled"
    """Certified, and its evidence submitted (or its challenge window closed)."""
    EXPIRED = "expired"


class CertifiedBy(StrEnum):
    """Whose certificate settled a task."""

    SELF = "self"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class StoredTask:
    """A task row."""

    task_index: int
    task_hash: bytes
    task_blob: bytes
    """The task, ABI-encoded by :mod:`avs.protocol` (decoded by the service)."""
    deadline_block: int
    state: TaskState
    result_digest: bytes | None
    """Digest submitted (``submitting``) or certified on chain (``certified`` and later)."""
    tx_hash: bytes | None
    certified_by: CertifiedBy | None = None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """An accepted response row (signature as 64 bytes: x || y)."""

    task_index: int
    operator_id: bytes
    result_bytes: bytes
    signature: bytes


class TaskStore:
    """SQLite store of tasks and responses; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
        if "certified_by" not in columns:  # a store written before certified_by existed
            self._db.execute("ALTER TABLE tasks ADD COLUMN certified_by TEXT")

    def add_task(self, task_index: int, task_hash: bytes, task_blob: bytes, deadline: int) -> bool:
        """Insert an open task; False if it was already known."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO tasks VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, NULL)",
                (task_index, task_hash, task_blob, deadline, TaskState.OPEN.value, time.time()),
            )
            return cur.rowcount == 1

    def add_response(self, response: StoredResponse) -> bool:
        """Insert a response; False if this exact response was already stored."""
        return self.add_responses([response])[0]

    def add_responses(self, responses: Sequence[StoredResponse]) -> list[bool]:
        """Insert responses in one transaction (one fsync); per response, whether it was new
        (False if this exact response was already stored). All or none are stored."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                added = [
                    self._db.execute(
                        "INSERT OR IGNORE INTO responses VALUES (?, ?, ?, ?, ?)",
                        (r.task_index, r.operator_id, r.result_bytes, r.signature, now),
                    ).rowcount
                    == 1
                    for r in responses
                ]
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return added

    def set_state(
        self,
        task_index: int,
        state: TaskState,
        result_digest: bytes | None = None,
        tx_hash: bytes | None = None,
        certified_by: CertifiedBy | None = None,
    ) -> None:
        """Move a task to ``state`` (keeping digest, tx hash and certifier unless given)."""
        by = None if certified_by is None else certified_by.value
        with self._lock:
            self._db.execute(
                "UPDATE tasks SET state = ?, result_digest = COALESCE(?, result_digest), "
                "tx_hash = COALESCE(?, tx_hash), certified_by = COALESCE(?, certified_by), "
                "updated_at = ? WHERE task_index = ?",
                (state.value, result_digest, tx_hash, by, time.time(), task_index),
            )

    def get_task(self, task_index: int) -> StoredTask | None:
        """One task, if known."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM tasks WHERE task_index = ?", (task_index,)
            ).fetchone()
        return None if row is None else _task(row)

    def tasks_in(self, *states: TaskState) -> list[StoredTask]:
        """Tasks in any of ``states``, by index."""
        marks = ",".join("?" for _ in states)
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM tasks WHERE state IN ({marks}) ORDER BY task_index",  # noqa: S608
                [s.value for s in states],
            ).fetchall()
        return [_task(r) for r in rows]

    def responses(self, task_index: int) -> list[StoredResponse]:
        """Every stored response of a task, in arrival order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task_index, operator_id, result_bytes, signature FROM responses "
                "WHERE task_index = ? ORDER BY received_at, rowid",
                (task_index,),
            ).fetchall()
        return [StoredResponse(int(r[0]), bytes(r[1]), bytes(r[2]), bytes(r[3])) for r in rows]

    def counts(self) -> dict[str, int]:
        """Number of tasks per state."""
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM tasks GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}

    def get_meta(self, key: str, default: int = 0) -> int:
        """An integer bookmark (e.g. the last chain block scanned)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else int(row[0])

    def set_meta(self, key: str, value: int) -> None:
        """Store an integer bookmark."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def _task(row: tuple[Any, ...]) -> StoredTask:
    index, task_hash, blob, deadline, state, digest, tx, _updated, by = row
    return StoredTask(
        task_index=int(index),
        task_hash=bytes(task_hash),
        task_blob=bytes(blob),
        deadline_block=int(deadline),
        state=TaskState(state),
        result_digest=None if digest is None else bytes(digest),
        tx_hash=None if tx is None else bytes(tx),
        certified_by=None if by is None else CertifiedBy(by),
    )
