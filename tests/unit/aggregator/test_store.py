"""The aggregator's task store keeps tasks and responses across restarts."""

from __future__ import annotations

from pathlib import Path

from avs_aggregator.store import StoredResponse, TaskState, TaskStore


def test_tasks_and_responses_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite"
    store = TaskStore(path)
    assert store.add_task(1, b"h" * 32, b"blob1", deadline=50)
    assert not store.add_task(1, b"h" * 32, b"blob1", deadline=50)
    store.add_task(2, b"i" * 32, b"blob2", deadline=60)
    first = StoredResponse(1, b"o" * 32, b"\x01", b"s" * 64)
    assert store.add_response(first)
    assert not store.add_response(first)
    store.add_response(StoredResponse(1, b"p" * 32, b"\x02", b"t" * 64))
    store.set_state(2, TaskState.SUBMITTING, result_digest=b"d" * 32)
    store.close()

    reopened = TaskStore(path)
    assert [t.task_index for t in reopened.tasks_in(TaskState.OPEN)] == [1]
    submitting = reopened.tasks_in(TaskState.SUBMITTING)
    assert submitting[0].result_digest == b"d" * 32
    assert [r.result_bytes for r in reopened.responses(1)] == [b"\x01", b"\x02"]
    reopened.set_state(2, TaskState.CERTIFIED, tx_hash=b"x" * 32)
    task = reopened.get_task(2)
    assert task is not None
    assert task.state is TaskState.CERTIFIED
    assert task.result_digest == b"d" * 32
    assert task.tx_hash == b"x" * 32
    assert reopened.counts() == {"open": 1, "certified": 1}
    assert reopened.get_task(3) is None


def test_meta_bookmarks(tmp_path: Path) -> None:
    store = TaskStore(tmp_path / "t.sqlite")
    assert store.get_meta("last_block", 7) == 7
    store.set_meta("last_block", 42)
    assert store.get_meta("last_block") == 42
