"""Read a batch of task inputs from a file: ``.npy``, JSON lines, or an encoded input blob.

- ``.npy``: a 2-D array (N, W) (``numpy.save``; no pickles);
- ``.jsonl`` / ``.json``: one input per line, each a JSON array of W numbers (``.json`` may
  instead hold one array of such arrays);
- anything starting with the input-blob magic ``AVSI``: already encoded, used as is.

The task type encodes and validates the rows (its ``encode_inputs``), so a batch the
operators would reject is refused here, before any fee is paid.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from avs.errors import InputError, TaskError
from avs.tasks.api import TaskType
from avs.tasks.batch import MAGIC

MAX_INPUT_FILE_BYTES = 256 * 1024 * 1024


def load_input_blob(path: Path, task_type: TaskType) -> bytes:
    """The canonical input blob for the inputs in ``path``; InputError says what is wrong."""
    try:
        if path.stat().st_size > MAX_INPUT_FILE_BYTES:
            raise InputError(f"{path} is over {MAX_INPUT_FILE_BYTES} bytes; split the batch")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read inputs {path}: {exc.strerror or exc}") from None
    try:
        if data.startswith(MAGIC):
            task_type.decode_inputs(data)
            return data
        rows = _rows(path, data)
        return task_type.encode_inputs(rows)
    except TaskError as exc:
        raise InputError(f"inputs {path} do not fit task type {task_type.id}: {exc}") from None


def _rows(path: Path, data: bytes) -> Any:
    if path.suffix == ".npy":
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except ValueError as exc:
            raise InputError(f"{path} is not a .npy array: {exc}") from None
    if path.suffix not in (".jsonl", ".json"):
        raise InputError(f"{path}: use a .npy, .jsonl or .json file (or an encoded AVSI blob)")
    try:
        text = data.decode()
        if path.suffix == ".json":
            return _numeric(json.loads(text), path)
        lines = [line for line in text.splitlines() if line.strip()]
        return _numeric([json.loads(line) for line in lines], path)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not JSON lines of numbers: {exc}") from None


def _numeric(rows: Any, path: Path) -> Any:
    try:
        array = np.asarray(rows)
    except ValueError:  # ragged rows
        array = np.asarray([], dtype=object)
    if array.dtype.kind not in "iuf" or array.ndim != 2:
        raise InputError(
            f"{path}: each input must be a JSON array of numbers, all of one length "
            f"(got shape {array.shape}, dtype {array.dtype})"
        )
    return array
