"""Reading a task's inputs from .npy, JSON lines, JSON or an encoded blob, checked by the type."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avs.errors import InputError
from avs.tasks import get_task_type
from avs.tasks.input_files import load_input_blob

ROWS = np.arange(2 * 64, dtype=np.float32).reshape(2, 64) % 17


def test_every_format_gives_the_same_blob(tmp_path: Path) -> None:
    task = get_task_type("onnx-classify")
    expected = task.encode_inputs(ROWS)
    np.save(tmp_path / "x.npy", ROWS)
    (tmp_path / "x.jsonl").write_text("\n".join(str(r.tolist()) for r in ROWS) + "\n\n")
    (tmp_path / "x.json").write_text(str(ROWS.tolist()))
    (tmp_path / "x.avsi").write_bytes(expected)
    for name in ("x.npy", "x.jsonl", "x.json", "x.avsi"):
        assert load_input_blob(tmp_path / name, task) == expected, name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.jsonl", "[1, 2]\n[1]\n", "all of one length"),
        ("x.jsonl", '["a", "b"]\n', "JSON array of numbers"),
        ("x.jsonl", "{not json\n", "not JSON lines"),
        ("x.csv", "1,2\n", "use a .npy, .jsonl or .json"),
        ("x.npy", "not numpy", "not a .npy array"),
        ("x.jsonl", "[" + ", ".join(["NaN"] * 64) + "]\n", "do not fit task type onnx-classify"),
    ],
)
def test_bad_files_are_one_line_input_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError, match=message):
        load_input_blob(tmp_path / name, get_task_type("onnx-classify"))


def test_missing_file_and_foreign_blob_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read inputs"):
        load_input_blob(tmp_path / "absent.npy", get_task_type("int-mlp"))
    float_blob = get_task_type("onnx-classify").encode_inputs(ROWS)
    (tmp_path / "f.avsi").write_bytes(float_blob)
    with pytest.raises(InputError, match="do not fit task type int-mlp"):
        load_input_blob(tmp_path / "f.avsi", get_task_type("int-mlp"))
