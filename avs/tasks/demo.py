"""The shipped demo models (digits), their manifest, golden vectors and demo inputs.

Everything here is read from package data under ``avs/tasks/models`` and checked against
the pinned manifest, so a corrupted install fails loudly instead of signing nonsense.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from avs.errors import ModelError
from avs.models.hashing import ContentHash, content_hash, hash_hex, parse_content_hash
from avs.tasks.api import GoldenVector

PACKAGE = "avs.tasks.models"
GOLDEN_PACKAGE = "avs.tasks.models.golden"
MANIFEST = "manifest.json"
DIGITS_TEST = "digits_test.npz"


@dataclass(frozen=True, slots=True)
class DemoModel:
    """One manifest entry: a shipped model file and what it is for."""

    file: str
    keccak256: ContentHash
    sha256: bytes
    task_type: str
    input_shape: tuple[int | None, ...]
    description: str


@dataclass(frozen=True, slots=True)
class DigitsSamples:
    """Held-out 8x8 digits (pixel intensities 0..16) with their true labels."""

    features: npt.NDArray[np.uint8]
    """Shape (N, 64)."""
    labels: npt.NDArray[np.uint8]
    """Shape (N,), 0..9."""


def _read(package: str, name: str) -> bytes:
    try:
        return resources.files(package).joinpath(name).read_bytes()
    except FileNotFoundError as exc:
        raise ModelError(
            f"demo file {name} is missing from {package}; run tools/build_demo_models.py"
        ) from exc


@cache
def manifest() -> dict[str, DemoModel]:
    """The pinned manifest: model file name -> entry (read once; immutable data)."""
    raw: dict[str, Any] = json.loads(_read(PACKAGE, MANIFEST))
    return {
        name: DemoModel(
            file=name,
            keccak256=parse_content_hash(entry["keccak256"]),
            sha256=bytes.fromhex(entry["sha256"].removeprefix("0x")),
            task_type=entry["task_type"],
            input_shape=tuple(entry["input_shape"]),
            description=entry["description"],
        )
        for name, entry in raw["models"].items()
    }


def model_bytes(name: str) -> bytes:
    """The bytes of shipped model ``name``, verified against the manifest's Keccak-256."""
    entry = manifest().get(name)
    if entry is None:
        raise ModelError(f"no demo model {name!r}; shipped: {', '.join(sorted(manifest()))}")
    data = _read(PACKAGE, name)
    if content_hash(data) != entry.keccak256:
        raise ModelError(
            f"demo model {name} hashes to {hash_hex(content_hash(data))}, manifest pins "
            f"{hash_hex(entry.keccak256)}; reinstall or rebuild with tools/build_demo_models.py"
        )
    return data


def models_for(task_type: str) -> list[DemoModel]:
    """Shipped models of one task type."""
    return [m for m in manifest().values() if m.task_type == task_type]


def golden_vectors(task_type: str) -> list[GoldenVector]:
    """Golden vectors of every shipped model of ``task_type``."""
    vectors = []
    for entry in models_for(task_type):
        stem = entry.file.removesuffix(".onnx")
        raw = json.loads(_read(GOLDEN_PACKAGE, f"{stem}.json"))
        if parse_content_hash(raw["model_keccak256"]) != entry.keccak256:
            raise ModelError(f"golden vectors {stem}.json were made for another model version")
        vectors.append(
            GoldenVector(
                name=stem,
                model=model_bytes(entry.file),
                inputs=bytes.fromhex(raw["inputs"].removeprefix("0x")),
                result=bytes.fromhex(raw["result"].removeprefix("0x")),
            )
        )
    return vectors


def digits_test() -> DigitsSamples:
    """The held-out digits shipped with the package (no scikit-learn needed)."""
    with np.load(io.BytesIO(_read(PACKAGE, DIGITS_TEST)), allow_pickle=False) as data:
        return DigitsSamples(
            features=data["features"].astype(np.uint8), labels=data["labels"].astype(np.uint8)
        )
