"""The int-mlp verifier against the numpy reference and onnxruntime on real anvil: the same
label for every random model and input within the bounds (saturation and ties included),
the same model validation rules, and the model registry's size bound."""

from __future__ import annotations

import struct
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avs.chain.client import ChainClient
from avs.chain.devkit import DevSystem
from avs.chain.verifiers import committed_model, deploy_int_mlp_verifier, verifier
from avs.errors import ContractRevert, TaskError
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_build import build_onnx
from avs.tasks.int_mlp_reference import INT32_MAX, IntLayer, forward, worst_case_bound
from avs.tasks.int_mlp_weights import digits_encoding, encode_model

pytestmark = pytest.mark.integration


@st.composite
def models(draw: st.DrawFn) -> list[IntLayer]:
    """Random int-mlps within the verifier's bounds, biased towards saturation and ties."""
    # wide rows too: the verifier reads 32 weights per word, with a partial last word
    width = st.integers(1, 12) | st.sampled_from([31, 32, 33, 64, 70])
    widths = draw(st.lists(width, min_size=2, max_size=4))
    layers = []
    for index, (w_in, w_out) in enumerate(pairwise(widths)):
        last = index == len(widths) - 2
        scale = draw(st.sampled_from([1, 8, 127]))
        weights = draw(
            st.lists(st.integers(-scale, scale), min_size=w_in * w_out, max_size=w_in * w_out)
        )
        w = np.array(weights, dtype=np.int64).reshape(w_in, w_out)
        if last and draw(st.booleans()):
            w[:, :] = w[:, :1]  # identical columns: every logit ties, label 0 wins
        bias = np.array(
            draw(st.lists(st.integers(-(2**20), 2**20), min_size=w_out, max_size=w_out)),
            dtype=np.int64,
        )
        if last:
            layers.append(IntLayer(w, bias))
        else:
            clip = draw(st.sampled_from([0, 1, 7, 127, 255, 65_535]))
            layers.append(IntLayer(w, bias, shift=draw(st.integers(0, 31)), clip=clip))
    return layers


def onnx_labels(layers: list[IntLayer], x: npt.NDArray[np.uint8]) -> list[int]:
    task_type = IntMlp()
    loaded = task_type.load_model(build_onnx(layers))
    return list(task_type.execute(loaded, task_type.encode_inputs(x)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers=models(), data=st.data())
def test_solidity_numpy_and_onnxruntime_agree_on_every_label(
    deployer_client: ChainClient, layers: list[IntLayer], data: st.DataObject
) -> None:
    if worst_case_bound(layers) > INT32_MAX:
        with pytest.raises(TaskError):
            encode_model(layers)
        return
    width = int(layers[0].weights.shape[0])
    row = st.lists(
        st.sampled_from([0, 1, 16, 128, 254, 255]) | st.integers(0, 255),
        min_size=width,
        max_size=width,
    )
    x = np.array(data.draw(st.lists(row, min_size=1, max_size=4)), dtype=np.uint8)
    encoding = encode_model(layers)
    contract = verifier(deploy_int_mlp_verifier(deployer_client, encoding))
    on_chain = [
        int(deployer_client.call1(contract, "label", encoding, bytes(r.tolist()))) for r in x
    ]
    reference = [int(v) for v in forward(x, layers)]
    assert on_chain == reference == onnx_labels(layers, x)


def test_digits_model_labels_and_published_commitment(deployer_client: ChainClient) -> None:
    encoding = digits_encoding()
    address = deploy_int_mlp_verifier(deployer_client, encoding)
    contract = verifier(address)
    assert committed_model(deployer_client, address) == encoding
    assert deployer_client.call1(contract, "parameterCount") == 64 * 32 + 32 + 32 * 10 + 10
    assert deployer_client.call1(contract, "inputWidth") == 64
    with pytest.raises(ContractRevert) as err:
        deployer_client.call1(contract, "label", encoding, bytes(63))
    assert err.value.error_name == "InputWidthMismatch"


def _layer(out: int, shift: int, clip: int, bias: list[int], weights: bytes) -> bytes:
    return struct.pack(">HBi", out, shift, clip) + struct.pack(f">{out}i", *bias) + weights


@pytest.mark.parametrize(
    ("encoding", "error"),
    [
        (b"\x02\x01\x00\x01" + _layer(1, 0, -1, [0], b"\x01"), "MalformedModel"),  # version
        (b"\x01\x01\x00\x01" + _layer(1, 0, -1, [0], b""), "MalformedModel"),  # truncated
        (b"\x01\x01\x00\x01" + _layer(1, 0, 5, [0], b"\x01"), "MalformedModel"),  # no output
        (b"\x01\x02\x00\x01" + _layer(1, 32, 5, [0], b"\x01") + _layer(1, 0, -1, [0], b"\x01"),
         "MalformedModel"),  # shift out of range
        (b"\x01\x01\x00\x01" + _layer(1, 0, -1, [0], b"\x01") + b"\x00", "MalformedModel"),
        (b"\x01\x01\x00\x02" + _layer(1, 0, -1, [INT32_MAX - 200], b"\x01\x01"),
         "Int32OverflowPossible"),
    ],
)  # fmt: skip
def test_verifier_refuses_invalid_models(
    deployer_client: ChainClient, encoding: bytes, error: str
) -> None:
    with pytest.raises(ContractRevert) as err:
        deploy_int_mlp_verifier(deployer_client, encoding)
    assert err.value.error_name == error


def test_registry_requires_a_verifier_within_the_size_bound(deployer_client: ChainClient) -> None:
    dev = DevSystem.deploy(deployer_client)
    with pytest.raises(ContractRevert) as err:
        dev.register_model("int-mlp", name=b"no-verifier")
    assert err.value.error_name == "VerifierRequired"
    big = [IntLayer(np.ones((130, 128), dtype=np.int64), np.zeros(128, dtype=np.int64))]
    with pytest.raises(ContractRevert) as err:
        dev.register_model("int-mlp", name=b"big", encoding=encode_model(big))
    assert err.value.error_name == "ModelTooLargeForVerifier"
    assert dev.register_model("int-mlp", name=b"digits", encoding=digits_encoding())


def test_every_weight_position_is_read(deployer_client: ChainClient) -> None:
    """Identity layers over 70 inputs (two full 32-weight words and a partial one): a
    one-hot input at position p must come out as label p, on chain and in the reference."""
    eye = np.eye(70, dtype=np.int64)
    layers = [
        IntLayer(eye, np.zeros(70, dtype=np.int64), shift=0, clip=255),
        IntLayer(eye * 3, np.zeros(70, dtype=np.int64)),
    ]
    encoding = encode_model(layers)
    contract = verifier(deploy_int_mlp_verifier(deployer_client, encoding))
    x = np.eye(70, dtype=np.uint8) * 200
    on_chain = [
        int(deployer_client.call1(contract, "label", encoding, bytes(r.tolist()))) for r in x
    ]
    assert on_chain == [int(v) for v in forward(x, layers)] == list(range(70))
