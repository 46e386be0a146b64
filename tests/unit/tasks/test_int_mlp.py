"""int-mlp: onnxruntime agrees bit for bit with the integer numpy reference (the on-chain spec)."""

from __future__ import annotations

import numpy as np
import pytest

from avs.errors import TaskError
from avs.tasks import LoadedModel
from avs.tasks.demo import digits_test, model_bytes
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_build import build_onnx, graph_ops, layers_from_onnx
from avs.tasks.int_mlp_reference import ALLOWED_OPS, IntLayer, forward

MODEL = "digits_int_mlp.onnx"
Shipped = tuple[IntMlp, LoadedModel, list[IntLayer]]


@pytest.fixture(scope="module")
def shipped() -> Shipped:
    task = IntMlp()
    data = model_bytes(MODEL)
    return task, task.load_model(data), layers_from_onnx(data)


def run(task: IntMlp, model: LoadedModel, rows: np.ndarray) -> np.ndarray:
    result = task.execute(model, task.encode_inputs(rows))
    return np.frombuffer(result, dtype=np.uint8).astype(np.int64)


def test_shipped_model_uses_only_integer_ops() -> None:
    assert graph_ops(model_bytes(MODEL)) <= ALLOWED_OPS


def test_onnxruntime_equals_reference_on_held_out_digits(shipped: Shipped) -> None:
    task, model, layers = shipped
    samples = digits_test()
    got = run(task, model, samples.features)
    assert np.array_equal(got, forward(samples.features, layers))
    assert (got == samples.labels).mean() > 0.95


def test_onnxruntime_equals_reference_on_arbitrary_bytes(shipped: Shipped) -> None:
    # Out-of-distribution inputs (0..255, not 0..16) drive activations into saturation and
    # logits far from the training range: exactness must hold there too.
    task, model, layers = shipped
    rows = np.random.default_rng(7).integers(0, 256, size=(512, 64), dtype=np.uint8)
    rows[0] = 255
    rows[1] = 0
    assert np.array_equal(run(task, model, rows), forward(rows, layers))


def test_ties_pick_the_first_index_in_both() -> None:
    # Two identical output columns: every input ties between class 0 and class 1.
    hidden = IntLayer(np.array([[3, 0], [0, 3]]), np.zeros(2, np.int64), shift=1, clip=127)
    out = IntLayer(np.array([[1, 1, -1], [1, 1, -1]]), np.zeros(3, np.int64))
    task = IntMlp()
    model = task.load_model(build_onnx([hidden, out]))
    rows = np.array([[5, 9], [0, 0], [255, 255]], dtype=np.uint8)
    assert run(task, model, rows).tolist() == [0, 0, 0]
    assert forward(rows, [hidden, out]).tolist() == [0, 0, 0]


def test_shift_and_clip_semantics_match_reference() -> None:
    # z = 7*x - 20: exercises negative pre-activations (ReLU), flooring, and saturation.
    hidden = IntLayer(np.array([[7, -7]]), np.array([-20, 20]), shift=2, clip=30)
    out = IntLayer(np.array([[1, 0], [0, 1]]), np.array([0, 0]))
    task = IntMlp()
    model = task.load_model(build_onnx([hidden, out]))
    rows = np.arange(256, dtype=np.uint8).reshape(-1, 1)
    assert np.array_equal(run(task, model, rows), forward(rows, [hidden, out]))


def test_builder_refuses_weights_that_could_overflow_int32() -> None:
    big = IntLayer(np.full((64, 2), 1 << 20, np.int64), np.zeros(2, np.int64))
    with pytest.raises(TaskError, match="overflow int32"):
        build_onnx([big])


def test_reference_rejects_non_byte_inputs() -> None:
    layer = IntLayer(np.ones((1, 2), np.int64), np.zeros(2, np.int64))
    with pytest.raises(TaskError, match="bytes"):
        forward(np.array([[256]]), [layer])


def test_results_never_abstain(shipped: Shipped) -> None:
    task, model, _ = shipped
    result = task.execute(model, task.encode_inputs(digits_test().features))
    assert 0xFF not in result
    assert task.exact is True


def disguised_float_model() -> bytes:
    from importlib import resources

    return resources.files("avs.testing.models").joinpath("disguised_float.onnx").read_bytes()


def test_a_float_model_behind_an_integer_interface_is_refused_at_load() -> None:
    # uint8 input, int64 `label` output of shape (N,), but Cast->float MatMul->Softmax inside:
    # its labels would be signed as exact (slashable) while depending on float rounding.
    with pytest.raises(TaskError, match="outside its allow-list: Softmax"):
        IntMlp().load_model(disguised_float_model())


def test_float_constants_are_refused_even_with_allowed_ops() -> None:
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["input"], ["x"], to=TensorProto.FLOAT),
            helper.make_node("MatMul", ["x", "W"], ["s"]),
            helper.make_node("ArgMax", ["s"], ["label"], axis=1, keepdims=0),
        ],
        "float_matmul",
        [helper.make_tensor_value_info("input", TensorProto.UINT8, ["N", 4])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])],
        [numpy_helper.from_array(np.ones((4, 3), np.float32), "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    with pytest.raises(TaskError, match="include float"):
        IntMlp().load_model(model.SerializeToString())


def test_the_conformance_suite_checks_the_exactness_claim() -> None:
    from avs.testing.conformance import run_conformance

    report = run_conformance(IntMlp(), check_registration=False)
    assert report.check("exact_claim").outcome.value == "pass", report
