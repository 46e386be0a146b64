"""Golden files: a task type's known-good case, committed with its package and pinned by hash.

A golden vector that the code under test computes at import time proves nothing: change the
code and the "expected" result changes with it. So a task type commits one golden file
(JSON, the format below) in its package and declares the file's Keccak-256 on the class;
the conformance suite reads the file itself, checks the hash and requires
``golden_vectors()`` to replay that case. Layout::

    {"version": 1, "task_type": ID, "model_keccak256": "0x..", "inputs": "0x..",
     "result": "0x..", ...}          # other keys (model file name, notes) are ignored
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from avs.errors import TaskError
from avs.models.hashing import ContentHash, content_hash, hash_hex, parse_content_hash

GOLDEN_VERSION = 1


@dataclass(frozen=True, slots=True)
class GoldenCase:
    """The case a golden file pins."""

    task_type: str
    model_keccak256: ContentHash
    """Content hash of the model the case runs on."""
    inputs: bytes
    """The input blob."""
    result: bytes
    """The expected canonical result bytes."""


def split_ref(ref: str) -> tuple[str, str]:
    """Split ``"package.module:path/in/package.json"`` into (package, resource path)."""
    package, sep, name = ref.partition(":")
    if not sep or not package or not name:
        raise TaskError(f"golden file reference {ref!r} must look like 'my_package:golden.json'")
    return package, name


def read_golden_bytes(ref: str) -> bytes:
    """The raw bytes of golden file ``ref`` (a package resource)."""
    package, name = split_ref(ref)
    try:
        return resources.files(package).joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as exc:
        raise TaskError(f"golden file {ref} cannot be read: {exc}") from exc


def parse_golden(data: bytes, what: str = "golden file") -> GoldenCase:
    """Parse golden-file bytes; a malformed file raises TaskError saying what is wrong."""
    try:
        raw: Any = json.loads(data)
        if raw.get("version") != GOLDEN_VERSION:
            raise TaskError(f"{what}: version {raw.get('version')!r}, expected {GOLDEN_VERSION}")
        return GoldenCase(
            task_type=str(raw["task_type"]),
            model_keccak256=parse_content_hash(raw["model_keccak256"]),
            inputs=bytes.fromhex(str(raw["inputs"]).removeprefix("0x")),
            result=bytes.fromhex(str(raw["result"]).removeprefix("0x")),
        )
    except TaskError:
        raise
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise TaskError(f"{what} is malformed ({type(exc).__name__}: {exc})") from exc


def golden_json(task_type: str, model: bytes, inputs: bytes, result: bytes, **extra: Any) -> bytes:
    """Serialise a golden case (stable key order, trailing newline) for committing."""
    body = {
        "version": GOLDEN_VERSION,
        "task_type": task_type,
        "model_keccak256": hash_hex(content_hash(model)),
        "inputs": "0x" + inputs.hex(),
        "result": "0x" + result.hex(),
        **extra,
    }
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
