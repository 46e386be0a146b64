"""The chaos audit judges a task lost only once its aggregator had time to decide.

Regression (issue 13): a short ``rpc-outage`` run reported a task as lost that the
aggregator logged as expired a moment later. The audit ran as soon as the chain head
passed the task's deadline, while the aggregator, catching up after the outage, logs the
expiry in its next poll of the chain.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from benchmarks.chaos_audit import undecided_tasks, wait_for_verdicts


def log_expiry(log: Path, task: int) -> None:
    """Append the line an aggregator logs when a task expires uncertified."""
    line = {"component": "aggregator", "task": task, "event": "task_expired", "level": "warning"}
    with log.open("a") as out:
        out.write(json.dumps(line) + "\n")


def test_a_task_is_undecided_until_certified_or_logged_expired(tmp_path: Path) -> None:
    log = tmp_path / "aggregator.log"
    log.write_text('not json\n{"event": "task_added", "task": 3}\n')
    assert undecided_tasks([1, 2, 3], [log, tmp_path / "absent.log"], {2}) == [1, 3]
    log_expiry(log, 3)
    assert undecided_tasks([1, 2, 3], [log], {2}) == [1]


def test_an_expiry_logged_after_the_chain_settled_is_waited_for(tmp_path: Path) -> None:
    log = tmp_path / "aggregator.log"
    log.write_text("")
    seen = threading.Event()

    def certified() -> set[int]:
        seen.set()
        return {2}

    def aggregator_catching_up() -> None:
        seen.wait(10)  # the chain was already read once: the audit would have judged here
        time.sleep(1)
        log_expiry(log, 1)

    late = threading.Thread(target=aggregator_catching_up)
    late.start()
    try:
        assert wait_for_verdicts([1, 2], [log], certified, timeout=30) == []
    finally:
        late.join()


def test_a_task_never_decided_is_reported_after_the_timeout(tmp_path: Path) -> None:
    log = tmp_path / "aggregator.log"
    log.write_text("")
    assert wait_for_verdicts([1, 2], [log], lambda: {2}, timeout=0.5) == [1]
