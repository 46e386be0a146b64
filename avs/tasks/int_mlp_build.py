"""Build an int-mlp ONNX graph from :class:`IntLayer` values, and read the layers back.

Needs the ``onnx`` package (a dev dependency): model authors and the demo builder use this,
nodes never do. The graph per hidden layer is
``MatMul -> Add -> Clip(0, INT32_MAX) -> Cast(uint32) -> BitShift(RIGHT) -> Cast(int32) ->
Clip(0, clip)`` (ONNX BitShift is only defined on unsigned types, hence the casts around a
non-negative value), then ``MatMul -> Add -> ArgMax`` for the output layer. Input is uint8
(N, W0), cast to int32 first. Outputs: ``label`` int64 (N,) and ``logits`` int32 (N, K).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from avs.errors import TaskError
from avs.tasks.int_mlp_reference import INT32_MAX, IntLayer, worst_case_bound

OPSET = 17
IR_VERSION = 8


def build_onnx(layers: Sequence[IntLayer], metadata: dict[str, str] | None = None) -> bytes:
    """Serialise ``layers`` as a deterministic int-mlp ONNX model."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if worst_case_bound(layers) > INT32_MAX:
        raise TaskError("these weights can overflow int32 for byte inputs; use smaller weights")
    width = int(layers[0].weights.shape[0])
    init: list[Any] = [
        numpy_helper.from_array(np.array(0, np.int32), "zero"),
        numpy_helper.from_array(np.array(INT32_MAX, np.int32), "int32_max"),
    ]
    nodes = [helper.make_node("Cast", ["input"], ["x0"], to=TensorProto.INT32, name="cast_in")]
    act = "x0"
    for i, layer in enumerate(layers, start=1):
        init.append(numpy_helper.from_array(layer.weights.astype(np.int32), f"W{i}"))
        init.append(numpy_helper.from_array(layer.bias.astype(np.int32), f"b{i}"))
        nodes.append(helper.make_node("MatMul", [act, f"W{i}"], [f"mm{i}"], name=f"matmul{i}"))
        nodes.append(helper.make_node("Add", [f"mm{i}", f"b{i}"], [f"z{i}"], name=f"add{i}"))
        if layer.clip is None:
            act = f"z{i}"
            break
        init.append(numpy_helper.from_array(np.array([layer.shift], np.uint32), f"s{i}"))
        init.append(numpy_helper.from_array(np.array(layer.clip, np.int32), f"clip{i}"))
        nodes += [
            helper.make_node("Clip", [f"z{i}", "zero", "int32_max"], [f"r{i}"], name=f"relu{i}"),
            helper.make_node("Cast", [f"r{i}"], [f"u{i}"], to=TensorProto.UINT32, name=f"tou{i}"),
            helper.make_node(
                "BitShift", [f"u{i}", f"s{i}"], [f"q{i}"], direction="RIGHT", name=f"shift{i}"
            ),
            helper.make_node("Cast", [f"q{i}"], [f"v{i}"], to=TensorProto.INT32, name=f"toi{i}"),
            helper.make_node("Clip", [f"v{i}", "zero", f"clip{i}"], [f"a{i}"], name=f"sat{i}"),
        ]
        act = f"a{i}"
    nodes.append(helper.make_node("Identity", [act], ["logits"], name="logits_out"))
    nodes.append(
        helper.make_node("ArgMax", [act], ["label"], axis=1, keepdims=0, select_last_index=0)
    )
    classes = int(layers[-1].weights.shape[1])
    graph = helper.make_graph(
        nodes,
        "int_mlp",
        [helper.make_tensor_value_info("input", TensorProto.UINT8, ["N", width])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
            helper.make_tensor_value_info("logits", TensorProto.INT32, ["N", classes]),
        ],
        init,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="edge-avs"
    )
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"avs.task_type": "int-mlp", **(metadata or {})})
    onnx.checker.check_model(model, full_check=True)
    data: bytes = model.SerializeToString(deterministic=True)
    return data


def graph_ops(model_bytes: bytes) -> set[str]:
    """The op types a model uses."""
    import onnx

    model = onnx.load_model_from_string(model_bytes)
    return {node.op_type for node in model.graph.node}


def layers_from_onnx(model_bytes: bytes) -> list[IntLayer]:
    """Read the layers back from a model written by :func:`build_onnx`."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load_model_from_string(model_bytes)
    tensors = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    layers = []
    i = 1
    while f"W{i}" in tensors:
        hidden = f"s{i}" in tensors
        layers.append(
            IntLayer(
                weights=tensors[f"W{i}"].astype(np.int64),
                bias=tensors[f"b{i}"].astype(np.int64),
                shift=int(tensors[f"s{i}"][0]) if hidden else 0,
                clip=int(tensors[f"clip{i}"]) if hidden else None,
            )
        )
        i += 1
    return layers
