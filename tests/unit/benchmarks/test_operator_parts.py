"""The operator benchmark's floor note times every part of the node's path besides the model."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from avs.protocol import Task
from avs.protocol_merkle import rows_root
from avs.tasks.onnx_classify import OnnxClassify
from avs_operator.protection import ProtectionStore
from avs_operator.signer import ChainDomain

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: benchmarks/

from benchmarks.operator_parts import floor_note


def test_the_note_names_each_part_with_its_time_and_records_durably(tmp_path: Path) -> None:
    task_type = OnnxClassify()
    rows = np.ones((4, 8), dtype=np.float32)
    blob = task_type.encode_inputs(rows)

    def tasks() -> Iterator[Task]:
        for index in range(1, 100):
            yield Task(
                index, b"\x11" * 32, rows_root(rows), 4, "avs-blob://0x" + "22" * 32, b"\x00",
                6667, 1, 10**6, 0, "0x" + "55" * 20,
            )  # fmt: skip

    path = tmp_path / "parts.sqlite"
    note = floor_note(task_type, blob, tasks(), ChainDomain(1, "0x" + "44" * 20), path, reps=3)
    for part in ("inputs root", "decode + checks", "task hash", "BLS sign", "durable record"):
        assert re.search(rf"{re.escape(part)} \d", note), part
    assert re.search(r"fsync: \d", note)
    store = ProtectionStore(path)
    assert store.count() == (1 + 3) + 3  # CPU timing (one warm-up, 3 runs), then 3 wall runs
    store.close()
