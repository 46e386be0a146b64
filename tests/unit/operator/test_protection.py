"""The slashing-protection store refuses a second, different result, across restarts."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from avs.errors import ProtectionError
from avs_operator.protection import ProtectionStore

TASK_A = bytes([1]) * 32
TASK_B = bytes([2]) * 32
RESULT_X = bytes([0xAA]) * 32
RESULT_Y = bytes([0xBB]) * 32


def test_same_result_may_be_signed_again(tmp_path: Path) -> None:
    store = ProtectionStore(tmp_path / "p.sqlite")
    first = store.authorize(TASK_A, 1, RESULT_X)
    again = store.authorize(TASK_A, 1, RESULT_X)
    assert again == first
    assert store.count() == 1


def test_different_result_for_same_task_is_refused(tmp_path: Path) -> None:
    store = ProtectionStore(tmp_path / "p.sqlite")
    store.authorize(TASK_A, 1, RESULT_X)
    with pytest.raises(ProtectionError, match="refusing to sign task 1"):
        store.authorize(TASK_A, 1, RESULT_Y)
    store.authorize(TASK_B, 2, RESULT_Y)
    assert store.count() == 2


def test_refusal_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    store = ProtectionStore(path)
    store.authorize(TASK_A, 1, RESULT_X)
    store.close()
    reopened = ProtectionStore(path)
    with pytest.raises(ProtectionError):
        reopened.authorize(TASK_A, 1, RESULT_Y)
    record = reopened.get(TASK_A)
    assert record is not None
    assert record.result_digest == RESULT_X


def _sign_in_child(path: str, digest: bytes, results: multiprocessing.Queue[str]) -> None:
    try:
        ProtectionStore(Path(path)).authorize(TASK_A, 1, digest)
        results.put("signed")
    except ProtectionError:
        results.put("refused")


def test_two_processes_racing_sign_at_most_one_result(tmp_path: Path) -> None:
    path = str(tmp_path / "p.sqlite")
    ProtectionStore(Path(path)).close()
    ctx = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[str] = ctx.Queue()
    procs = [
        ctx.Process(target=_sign_in_child, args=(path, d, results)) for d in (RESULT_X, RESULT_Y)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    outcomes = sorted(results.get(timeout=5) for _ in procs)
    assert outcomes == ["refused", "signed"]


def test_malformed_hashes_are_rejected(tmp_path: Path) -> None:
    store = ProtectionStore(tmp_path / "p.sqlite")
    with pytest.raises(ProtectionError, match="32 bytes"):
        store.authorize(b"short", 1, RESULT_X)
