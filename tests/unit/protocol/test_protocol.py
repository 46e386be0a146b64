"""Protocol encodings: task round trip, hashes bound to chain/contract/task, Merkle root."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avs.crypto.keccak import keccak256
from avs.errors import InputError
from avs.protocol import (
    Task,
    decode_task,
    encode_task,
    inputs_root,
    merkle_proof,
    message_hash,
    task_hash,
)

TM = "0x" + "11" * 20
OTHER_TM = "0x" + "22" * 20
CLIENT = "0x" + "33" * 20


def make_task(**kw: object) -> Task:
    base = Task(
        task_index=7,
        model_id=b"\x01" * 32,
        inputs_root=b"\x02" * 32,
        input_count=16,
        inputs_uri="avs-blob://0x" + "ab" * 32,
        quorum_numbers=bytes([0, 1]),
        threshold_bps=6667,
        created_block=100,
        deadline_block=130,
        fee=10**15,
        client=CLIENT,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


tasks = st.builds(
    Task,
    task_index=st.integers(0, 2**32 - 1),
    model_id=st.binary(min_size=32, max_size=32),
    inputs_root=st.binary(min_size=32, max_size=32),
    input_count=st.integers(1, 2**32 - 1),
    inputs_uri=st.text(max_size=80),
    quorum_numbers=st.binary(max_size=4),
    threshold_bps=st.integers(0, 10_000),
    created_block=st.integers(0, 2**32 - 1),
    deadline_block=st.integers(0, 2**32 - 1),
    fee=st.integers(0, 2**96 - 1),
    client=st.just(CLIENT),
)


@given(tasks)
def test_task_round_trips_through_abi(task: Task) -> None:
    assert decode_task(encode_task(task)) == task


def test_task_hash_binds_chain_contract_and_every_field() -> None:
    task = make_task()
    base = task_hash(31337, TM, task)
    assert task_hash(1, TM, task) != base
    assert task_hash(31337, OTHER_TM, task) != base
    assert task_hash(31337, TM, make_task(task_index=8)) != base
    assert task_hash(31337, TM, make_task(fee=1)) != base
    assert task_hash(31337, TM, make_task(inputs_uri="file:///x")) != base


def test_message_hash_is_keccak_of_task_hash_and_result_digest() -> None:
    th = keccak256(b"t")
    assert message_hash(th, b"\x03\x04") == keccak256(th + keccak256(b"\x03\x04"))
    assert message_hash(th, b"\x03\x04") != message_hash(th, b"\x03\x05")


def test_inputs_root_known_shapes() -> None:
    a, b, c = b"a", b"b", b"c"
    ha, hb, hc = keccak256(a), keccak256(b), keccak256(c)
    assert inputs_root([a]) == ha
    assert inputs_root([a, b]) == keccak256(ha + hb)
    assert inputs_root([a, b, c]) == keccak256(keccak256(ha + hb) + hc)
    assert inputs_root([a, b]) != inputs_root([b, a])


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13])
def test_merkle_proofs_recompute_the_root(count: int) -> None:
    leaves = [bytes([i]) * 3 for i in range(count)]
    root = inputs_root(leaves)
    for index in range(count):
        node, i, width = keccak256(leaves[index]), index, count
        proof = iter(merkle_proof(leaves, index))
        while width > 1:
            if i ^ 1 < width:
                sibling = next(proof)
                node = keccak256(sibling + node) if i % 2 else keccak256(node + sibling)
            i, width = i // 2, (width + 1) // 2
        assert node == root


def test_invalid_tasks_are_rejected() -> None:
    with pytest.raises(InputError, match="threshold_bps"):
        make_task(threshold_bps=10_001)
    with pytest.raises(InputError, match="model_id"):
        make_task(model_id=b"short")
    with pytest.raises(InputError, match="at least one input"):
        make_task(input_count=0)
    with pytest.raises(InputError, match="not an ABI-encoded Task"):
        decode_task(b"garbage")
    with pytest.raises(InputError):
        inputs_root([])
