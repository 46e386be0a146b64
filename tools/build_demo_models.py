"""Rebuild the shipped demo models from scikit-learn's bundled digits data (no download).

Outputs, under avs/tasks/models/ (package data):
  digits_mlp.onnx        onnx-classify: float MLP 64-32-10 (skl2onnx), abstain margin in metadata
  digits_int_mlp.onnx    int-mlp: the same MLP quantised to int8-range weights, int32 graph
  digits_test.npz        the held-out split (uint8 pixels 0..16 + labels), demo inputs
  golden/<model>.json    golden vectors: an input blob and its expected canonical result
  manifest.json          file -> keccak256, sha256, task type, input shape, description

Everything is deterministic (fixed split and seeds, weights rounded to a coarse grid so BLAS
noise cannot change them, fixed opsets, zip entries with fixed timestamps). ``--check``
rebuilds into a temporary folder and fails if any byte differs from the shipped files.
Needs the dev dependencies (scikit-learn, skl2onnx, onnx).
"""

from __future__ import annotations

import argparse
import filecmp
import io
import json
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from avs.models.hashing import content_hash, hash_hex, sha256  # noqa: E402
from avs.tasks.int_mlp import IntMlp  # noqa: E402
from avs.tasks.int_mlp_build import build_onnx  # noqa: E402
from avs.tasks.int_mlp_reference import IntLayer, forward  # noqa: E402
from avs.tasks.onnx_classify import MARGIN_KEY, OnnxClassify  # noqa: E402

OUT = ROOT / "avs" / "tasks" / "models"
SEED = 0
HIDDEN = 32
MARGIN = 0.2
GRID = 2.0**-12  # float weights are rounded to multiples of this
GOLDEN_COUNT = 32
KNIFE_EDGE = 1e-3  # golden inputs keep this far from the abstain threshold
OPSET = {"": 17, "ai.onnx.ml": 3}
Array = npt.NDArray[Any]


def train() -> tuple[Any, Array, Array, Array, Array]:
    """Fit the float MLP on pixels/16; return it and the split (uint8 pixels, labels)."""
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x.astype(np.uint8), y.astype(np.uint8), test_size=0.25, random_state=SEED, stratify=y
    )
    mlp = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=400, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(x_tr / 16.0, y_tr)
    # Fold the /16 input scaling into layer 1 so the models take raw pixels, then snap every
    # weight to the grid (float32-exact, and immune to last-bit differences between BLAS builds).
    mlp.coefs_[0] = mlp.coefs_[0] / 16.0
    mlp.coefs_ = [np.round(w / GRID) * GRID for w in mlp.coefs_]
    mlp.intercepts_ = [np.round(b / GRID) * GRID for b in mlp.intercepts_]
    return mlp, x_tr, x_te, y_tr, y_te


def float_model(mlp: Any) -> bytes:
    """onnx-classify model via skl2onnx, with the abstain margin pinned in its metadata."""
    from onnx import helper
    from skl2onnx import to_onnx

    proto = to_onnx(
        mlp,
        np.zeros((1, 64), dtype=np.float32),
        options={"zipmap": False},
        target_opset=OPSET,
        naming="digits_",
    )
    proto.doc_string = "edge-avs demo: digits MLP 64-32-10 for onnx-classify"
    helper.set_model_props(proto, {"avs.task_type": "onnx-classify", MARGIN_KEY: str(MARGIN)})
    data: bytes = proto.SerializeToString(deterministic=True)
    return data


def quantise(mlp: Any, x_tr: Array) -> list[IntLayer]:
    """Quantise the MLP to int8-range weights with a power-of-two activation rescale."""
    w1, w2 = mlp.coefs_
    b1, b2 = mlp.intercepts_
    s_w1 = 127.0 / np.abs(w1).max()
    q_w1 = np.round(w1 * s_w1).astype(np.int64)
    q_b1 = np.round(b1 * s_w1).astype(np.int64)
    z = np.maximum(x_tr.astype(np.int64) @ q_w1 + q_b1, 0)
    # Shift so that the 99.9th percentile of hidden activations lands near the int8 top.
    shift = max(0, int(np.ceil(np.log2(np.percentile(z, 99.9) / 127.0))))
    s_w2 = 127.0 / np.abs(w2).max()
    q_w2 = np.round(w2 * s_w2).astype(np.int64)
    q_b2 = np.round(b2 * s_w2 * s_w1 / 2**shift).astype(np.int64)
    return [
        IntLayer(weights=q_w1, bias=q_b1, shift=shift, clip=127),
        IntLayer(weights=q_w2, bias=q_b2),
    ]


def write_npz(path: Path, arrays: dict[str, Array]) -> None:
    """An .npz with fixed zip timestamps and no compression: byte-for-byte reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in sorted(arrays.items()):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    path.write_bytes(buffer.getvalue())


def write_json(path: Path, value: object) -> None:
    """Stable JSON: sorted keys, two-space indent, trailing newline."""
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def build(out: Path) -> dict[str, Any]:
    """Write every artefact into ``out``; return the figures worth printing."""
    (out / "golden").mkdir(parents=True, exist_ok=True)
    mlp, x_tr, x_te, _, y_te = train()
    figures: dict[str, Any] = {}
    models: dict[str, dict[str, Any]] = {}

    float_bytes = float_model(mlp)
    classify = OnnxClassify()
    loaded = classify.load_model(float_bytes)
    scores = classify.run(
        loaded, classify.decode_inputs(classify.encode_inputs(x_te.astype(np.float32)))
    )
    result = classify.canonicalize(loaded, scores)
    answered = np.array([b != 0xFF for b in result])
    labels = np.frombuffer(result, dtype=np.uint8)
    figures["onnx_classify_abstain_rate"] = round(float(1 - answered.mean()), 4)
    figures["onnx_classify_accuracy_answered"] = round(
        float((labels[answered] == y_te[answered]).mean()), 4
    )
    figures["onnx_classify_top1_accuracy"] = round(float((np.argmax(scores, 1) == y_te).mean()), 4)

    layers = quantise(mlp, x_tr)
    int_bytes = build_onnx(layers, {"avs.description": "digits MLP 64-32-10, int8 weights"})
    ref = forward(x_te, layers)
    intmlp = IntMlp()
    int_loaded = intmlp.load_model(int_bytes)
    onnx_labels = intmlp.run(int_loaded, intmlp.decode_inputs(intmlp.encode_inputs(x_te)))
    if not np.array_equal(onnx_labels, ref):
        sys.exit("build: onnxruntime and the numpy reference disagree on the int-mlp")
    figures["int_mlp_accuracy"] = round(float((ref == y_te).mean()), 4)
    figures["int_mlp_shift"] = layers[0].shift

    accuracy = {
        "onnx-classify": figures["onnx_classify_top1_accuracy"],
        "int-mlp": figures["int_mlp_accuracy"],
    }
    for name, data, task_type, description in (
        (
            "digits_mlp.onnx",
            float_bytes,
            "onnx-classify",
            f"digits MLP 64-32-10 (float32, skl2onnx), inputs raw pixels 0..16, "
            f"abstain margin {MARGIN}",
        ),
        (
            "digits_int_mlp.onnx",
            int_bytes,
            "int-mlp",
            "digits MLP 64-32-10 quantised to int8-range weights, int32 ops, inputs uint8 0..16",
        ),
    ):
        (out / name).write_bytes(data)
        models[name] = {
            "keccak256": hash_hex(content_hash(data)),
            "sha256": "0x" + sha256(data).hex(),
            "task_type": task_type,
            "input_shape": [None, 64],
            "size": len(data),
            "test_accuracy": accuracy[task_type],
            "description": description,
        }

    for name, task, data in (
        ("digits_mlp", classify, float_bytes),
        ("digits_int_mlp", intmlp, int_bytes),
    ):
        blob = golden_inputs(task, data, x_te)
        expected = task.execute(task.load_model(data), blob)
        write_json(
            out / "golden" / f"{name}.json",
            {
                "version": 1,
                "task_type": task.id,
                "model": f"{name}.onnx",
                "model_keccak256": hash_hex(content_hash(data)),
                "inputs": "0x" + blob.hex(),
                "result": "0x" + expected.hex(),
            },
        )

    write_npz(out / "digits_test.npz", {"features": x_te, "labels": y_te})
    write_json(
        out / "manifest.json",
        {
            "version": 1,
            "generated_by": "tools/build_demo_models.py",
            "dataset": "sklearn.datasets.load_digits, 25% stratified test split, random_state=0",
            "models": models,
        },
    )
    return figures


def golden_inputs(task: Any, model: bytes, x_te: Array) -> bytes:
    """The first test digits, plus (for onnx-classify) a few abstentions; none near the edge."""
    if not isinstance(task, OnnxClassify):
        return bytes(task.encode_inputs(x_te[:GOLDEN_COUNT]))
    loaded = task.load_model(model)
    scores = task.run(loaded, task.decode_inputs(task.encode_inputs(x_te.astype(np.float32))))
    ordered = np.sort(scores.astype(np.float64), axis=1)
    gap = ordered[:, -1] - ordered[:, -2]
    safe = np.abs(gap - MARGIN) > KNIFE_EDGE
    abstain = list(np.flatnonzero(safe & (gap < MARGIN))[:4])
    chosen = [*np.flatnonzero(safe)[: GOLDEN_COUNT - len(abstain)], *abstain]
    return task.encode_inputs(x_te[chosen].astype(np.float32))


def main() -> None:
    """Build into avs/tasks/models, or with --check compare a fresh build against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a rebuild differs")
    args = parser.parse_args()
    if not args.check:
        print(json.dumps(build(OUT), indent=2, sort_keys=True))
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        names = [str(p.relative_to(tmp)) for p in Path(tmp).rglob("*") if p.is_file()]
        match, mismatch, errors = filecmp.cmpfiles(OUT, tmp, names, shallow=False)
        if mismatch or errors:
            sys.exit(f"build_demo_models --check: differs: {sorted(mismatch + errors)}")
        print(f"build_demo_models --check: {len(match)} files identical")


if __name__ == "__main__":
    main()
