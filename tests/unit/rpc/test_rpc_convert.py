"""proto <-> dataclass converters: lossless round trips, and every malformed field refused."""

from __future__ import annotations

import pytest
from eth_utils.address import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from avs.crypto.bn254 import G1_GENERATOR, g1_mul
from avs.crypto.points import G1Point
from avs.errors import CryptoError, InputError
from avs.protocol import Task, TaskResponse
from avs.rpc import convert
from avs.rpc.messages import (
    ResponseSubmission,
    SubmitResult,
    SubmitStatus,
    SubscribeRequest,
    TaskHints,
)
from avs.rpc.v1 import aggregator_pb2

u32 = st.integers(0, 2**32 - 1)
word = st.binary(min_size=32, max_size=32)
# A handful of real G1 points (scalar multiplication is slow-ish; 4 are plenty for encodings).
POINTS = [G1_GENERATOR, *(g1_mul(G1_GENERATOR, k) for k in (2, 3, 2**200 + 12345))]

tasks = st.builds(
    Task,
    task_index=u32,
    model_id=word,
    inputs_root=word,
    input_count=st.integers(1, 2**32 - 1),
    inputs_uri=st.text(max_size=80),
    quorum_numbers=st.binary(min_size=1, max_size=8),
    threshold_bps=st.integers(0, 10_000),
    created_block=u32,
    deadline_block=u32,
    fee=st.integers(0, 2**96 - 1),
    client=st.binary(min_size=20, max_size=20).map(to_checksum_address),
)
submissions = st.builds(
    ResponseSubmission,
    task_index=u32,
    operator_id=word,
    result_bytes=st.binary(min_size=1, max_size=64),
    signature=st.sampled_from(POINTS),
)


@given(tasks, st.text(max_size=20), st.text(max_size=40))
def test_task_round_trip(task: Task, task_type: str, model_uri: str) -> None:
    msg = convert.task_to_proto(task, TaskHints(task_type, model_uri))
    wire = type(msg).FromString(msg.SerializeToString())
    assert convert.task_from_proto(wire) == task
    assert convert.task_hints_from_proto(wire) == TaskHints(task_type, model_uri)


@given(submissions)
@settings(max_examples=50)
def test_submission_round_trip(submission: ResponseSubmission) -> None:
    wire = convert.submission_to_proto(submission).SerializeToString()
    msg = aggregator_pb2.SubmitResponseRequest.FromString(wire)
    assert convert.submission_from_proto(msg) == submission


def test_protocol_task_response_encodes_the_same() -> None:
    a = convert.submission_to_proto(TaskResponse(3, b"\x01", POINTS[1], b"\x07" * 32))
    b = convert.submission_to_proto(ResponseSubmission(3, b"\x07" * 32, b"\x01", POINTS[1]))
    assert a == b


@given(
    st.sampled_from(list(SubmitStatus)), st.text(max_size=30), st.sampled_from([b"", b"\x09" * 32])
)
def test_result_round_trip(status: SubmitStatus, detail: str, digest: bytes) -> None:
    result = SubmitResult(status, detail, digest)
    assert convert.result_from_proto(convert.result_to_proto(result)) == result


@given(word, u32, st.lists(st.text(max_size=10), max_size=3).map(tuple))
def test_subscribe_round_trip(operator_id: bytes, start: int, types: tuple[str, ...]) -> None:
    request = SubscribeRequest(operator_id, start, types)
    assert convert.subscribe_from_proto(convert.subscribe_to_proto(request)) == request


def good_task() -> Task:
    return Task(
        1,
        b"\x01" * 32,
        b"\x02" * 32,
        4,
        "avs-blob://0x",
        b"\x00",
        6667,
        10,
        20,
        5,
        "0x" + "11" * 20,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("version", 0, "wire version 0"),
        ("version", 2, "wire version 2"),
        ("model_id", b"\x01" * 31, "model_id must be 32 bytes"),
        ("inputs_root", b"", "inputs_root must be 32 bytes"),
        ("fee", b"\x00" * 32, r"fee \(uint96\) must be 12 bytes"),
        ("client", b"\x00" * 32, "client address must be 20 bytes"),
        ("quorum_numbers", b"", "no quorum numbers"),
        ("threshold_bps", 10_001, "threshold_bps"),
        ("input_count", 0, "at least one input"),
    ],
)
def test_malformed_task_is_invalid_argument(field: str, value: object, message: str) -> None:
    msg = convert.task_to_proto(good_task())
    setattr(msg, field, value)
    with pytest.raises(InputError, match=message):
        convert.task_from_proto(msg)


def test_fee_must_fit_uint96() -> None:
    task = Task(1, b"\x01" * 32, b"\x02" * 32, 4, "", b"\x00", 1, 1, 2, 2**96, "0x" + "11" * 20)
    with pytest.raises(InputError, match="uint96"):
        convert.task_to_proto(task)


def submission_msg(**changes: object) -> aggregator_pb2.SubmitResponseRequest:
    msg = convert.submission_to_proto(ResponseSubmission(1, b"\x05" * 32, b"\x01\x02", POINTS[2]))
    for name, value in changes.items():
        setattr(msg, name, value)
    return msg


def test_signature_off_the_curve_is_a_crypto_error() -> None:
    with pytest.raises(CryptoError, match="not on the BN254 curve"):
        convert.submission_from_proto(submission_msg(signature_y=(3).to_bytes(32, "big")))


def test_signature_coordinate_above_p_is_refused() -> None:
    with pytest.raises(CryptoError):
        convert.submission_from_proto(submission_msg(signature_x=b"\xff" * 32))


def test_signature_at_infinity_is_refused() -> None:
    zero = bytes(32)
    with pytest.raises(CryptoError, match="infinity"):
        convert.submission_from_proto(submission_msg(signature_x=zero, signature_y=zero))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signature_x": b"\x01"}, "signature_x must be 32 bytes"),
        ({"operator_id": b"\x01" * 20}, "operator_id must be 32 bytes"),
        ({"result_bytes": b""}, "result_bytes is empty"),
        ({"version": 0}, "wire version 0"),
    ],
)
def test_malformed_submission_is_input_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        convert.submission_from_proto(submission_msg(**changes))


@pytest.mark.parametrize("status", [0, 99])
def test_unknown_reply_status_is_refused(status: int) -> None:
    msg = aggregator_pb2.SubmitResponseReply(version=1, status=status)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="upgrade this node"):
        convert.result_from_proto(msg)


def test_point_type_is_the_crypto_one() -> None:
    assert isinstance(convert.submission_from_proto(submission_msg()).signature, G1Point)
