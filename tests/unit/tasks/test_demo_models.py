"""The shipped demo data is pinned: files match the manifest, tampering is caught."""

from __future__ import annotations

import hashlib

import pytest

from avs.errors import ModelError
from avs.models import content_hash
from avs.tasks import demo


def test_every_shipped_model_matches_both_manifest_hashes() -> None:
    entries = demo.manifest()
    assert {e.task_type for e in entries.values()} == {"onnx-classify", "int-mlp"}
    for name, entry in entries.items():
        data = demo.model_bytes(name)
        assert content_hash(data) == entry.keccak256
        assert hashlib.sha256(data).digest() == entry.sha256
        assert len(data) < 200_000


def test_tampered_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = demo._read
    monkeypatch.setattr(demo, "_read", lambda pkg, name: real(pkg, name) + b"\x00")
    with pytest.raises(ModelError, match="manifest pins"):
        demo.model_bytes("digits_int_mlp.onnx")


def test_unknown_model_lists_shipped_ones() -> None:
    with pytest.raises(ModelError, match=r"shipped: digits_int_mlp\.onnx, digits_mlp\.onnx"):
        demo.model_bytes("resnet.onnx")


def test_digits_test_split_is_shipped_without_scikit_learn() -> None:
    samples = demo.digits_test()
    assert samples.features.shape == (450, 64)
    assert samples.features.max() <= 16
    assert sorted(set(samples.labels.tolist())) == list(range(10))


def test_golden_vectors_exist_for_both_types() -> None:
    for type_id in ("onnx-classify", "int-mlp"):
        (vector,) = demo.golden_vectors(type_id)
        assert len(vector.result) == 32
