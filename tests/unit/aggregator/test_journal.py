"""Responses arriving together are committed together, each durable before its reply."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from avs_aggregator.journal import ResponseJournal
from avs_aggregator.store import StoredResponse, TaskStore


class CountingStore(TaskStore):
    """The real SQLite store, counting transactions; ``fail`` makes the next one raise."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.transactions: list[int] = []
        self.fail = False

    def add_responses(self, responses: Sequence[StoredResponse]) -> list[bool]:
        self.transactions.append(len(responses))
        if self.fail:
            self.fail = False
            raise OSError("disk full")
        return super().add_responses(responses)


def row(task: int, op: int) -> StoredResponse:
    return StoredResponse(task, bytes([op]) * 32, b"\x01", bytes([op]) * 64)


def test_concurrent_responses_share_transactions_and_all_are_stored(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "tasks.sqlite")
    rows = [row(1, op) for op in range(50)]

    async def scenario() -> list[bool]:
        journal = ResponseJournal(store)
        return list(await asyncio.gather(*(journal.add(r) for r in [*rows, rows[0]])))

    added = asyncio.run(scenario())
    assert added[:-1] == [True] * len(rows)
    assert added[-1] is False  # the same response again: already stored
    # One commit per response before; now the first arrival alone, then the rest together.
    assert len(store.transactions) <= 2
    reopened = TaskStore(tmp_path / "tasks.sqlite")
    assert len(reopened.responses(1)) == len(rows)


def test_a_failed_commit_fails_every_writer_of_its_batch_and_stores_none(tmp_path: Path) -> None:
    store = CountingStore(tmp_path / "tasks.sqlite")
    store.fail = True

    async def scenario() -> list[bool | BaseException]:
        journal = ResponseJournal(store)
        return list(
            await asyncio.gather(
                *(journal.add(row(2, op)) for op in range(3)), return_exceptions=True
            )
        )

    outcomes = asyncio.run(scenario())
    assert any(isinstance(o, OSError) for o in outcomes)
    failed = sum(isinstance(o, OSError) for o in outcomes)
    assert len(store.responses(2)) == len(outcomes) - failed  # the failed batch left no row


def test_add_responses_is_all_or_nothing(tmp_path: Path) -> None:
    store = TaskStore(tmp_path / "tasks.sqlite")
    assert store.add_responses([row(3, 1), row(3, 2)]) == [True, True]
    assert store.add_responses([row(3, 2), row(3, 3)]) == [False, True]
    broken = StoredResponse(3, b"\x05" * 32, b"\x01", ["not", "bytes"])  # type: ignore[arg-type]
    with pytest.raises(sqlite3.Error):  # a value SQLite cannot bind: the batch rolls back
        store.add_responses([row(3, 4), broken])
    assert {r.operator_id[0] for r in store.responses(3)} == {1, 2, 3}
