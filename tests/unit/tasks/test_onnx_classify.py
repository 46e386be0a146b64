"""onnx-classify canonicalisation: top-1 label, ABSTAIN under the margin, scores never signed."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from avs.errors import TaskError
from avs.tasks import ABSTAIN
from avs.tasks.demo import digits_test, model_bytes
from avs.tasks.onnx_classify import DEFAULT_MARGIN, OnnxClassify, canonical_labels


def passthrough_model(classes: int, margin: str | None) -> bytes:
    """A float model whose 'probabilities' output is its input: scores under test control."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["probabilities"])],
        "passthrough",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", classes])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", classes])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if margin is not None:
        helper.set_model_props(model, {"avs.abstain_margin": margin})
    data: bytes = model.SerializeToString()
    return data


def test_margin_boundary_gap_equal_to_margin_answers() -> None:
    scores = np.array([[0.6, 0.35, 0.05], [0.5, 0.26, 0.24], [0.1, 0.1, 0.8]])
    # gaps: 0.25 (answer), 0.24 (answer at margin 0.24), 0.7 (answer, class 2)
    assert canonical_labels(scores, 0.24) == bytes([0, 0, 2])
    assert canonical_labels(scores, 0.2401) == bytes([0, ABSTAIN, 2])


def test_ties_abstain_and_zero_margin_picks_first_index() -> None:
    tie = np.array([[0.4, 0.4, 0.2]])
    assert canonical_labels(tie, 0.01) == bytes([ABSTAIN])
    assert canonical_labels(tie, 0.0) == bytes([0])


def test_non_finite_scores_abstain() -> None:
    scores = np.array([[np.nan, 0.1], [np.inf, 0.0], [0.9, 0.1]])
    assert canonical_labels(scores, 0.1) == bytes([ABSTAIN, ABSTAIN, 0])


def test_scores_shape_is_checked() -> None:
    with pytest.raises(TaskError, match="2 <= K <= 255"):
        canonical_labels(np.zeros((2, 1)), 0.1)


def test_end_to_end_margin_comes_from_model_metadata() -> None:
    task = OnnxClassify()
    rows = np.array([[0.7, 0.2, 0.1], [0.45, 0.4, 0.15]], dtype=np.float32)
    strict = task.load_model(passthrough_model(3, "0.3"))
    lenient = task.load_model(passthrough_model(3, None))
    assert task.margin(lenient) == DEFAULT_MARGIN
    assert task.execute(strict, task.encode_inputs(rows)) == bytes([0, ABSTAIN])
    assert task.execute(lenient, task.encode_inputs(rows)) == bytes([0, ABSTAIN])
    looser = task.load_model(passthrough_model(3, "0.01"))
    assert task.execute(looser, task.encode_inputs(rows)) == bytes([0, 0])
    assert task.decode_result(bytes([0, ABSTAIN])) == [0, None]


@pytest.mark.parametrize("margin", ["abc", "1.5", "-0.1"])
def test_bad_margin_metadata_is_refused_at_load(margin: str) -> None:
    with pytest.raises(TaskError, match=r"avs\.abstain_margin"):
        OnnxClassify().load_model(passthrough_model(3, margin))


def test_nan_input_is_rejected_with_its_index() -> None:
    task = OnnxClassify()
    blob = bytearray(task.encode_inputs(np.zeros((3, 64), dtype=np.float32)))
    blob[-4:] = np.float32(np.nan).tobytes()
    with pytest.raises(TaskError, match="input 2 holds NaN"):
        task.decode_inputs(bytes(blob))


def test_demo_model_classifies_held_out_digits() -> None:
    task = OnnxClassify()
    model = task.load_model(model_bytes("digits_mlp.onnx"))
    samples = digits_test()
    result = task.execute(model, task.encode_inputs(samples.features.astype(np.float32)))
    labels = task.decode_result(result)
    answered = [
        (got, want) for got, want in zip(labels, samples.labels, strict=True) if got is not None
    ]
    assert 0.9 < len(answered) / len(labels) < 1.0  # some abstentions, mostly answers
    assert sum(got == want for got, want in answered) / len(answered) > 0.95


def test_abstain_byte_is_the_protocol_one() -> None:
    from avs import protocol

    assert protocol.ABSTAIN == ABSTAIN
