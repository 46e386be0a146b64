"""Hostile logs from followed contracts: random, truncated or mutated bytes never raise."""

from __future__ import annotations

from eth_abi.abi import encode as abi_encode
from hypothesis import given, settings
from hypothesis import strategies as st

from avs.chain.client import Contract
from avs.chain.compiled import load_artifact
from avs.chain.events import DECODERS, MalformedLog, TaskCreated, decode_events
from avs.chain.types import Log
from avs.protocol import Task

NAMES = sorted({name for name, _ in DECODERS})
CONTRACTS = {
    name: Contract(name, "0x" + f"{i + 1:040x}", load_artifact(name).abi)
    for i, name in enumerate(NAMES)
}
EVENTS = sorted(DECODERS)
TASK = Task(
    3, b"\x01" * 32, b"\x02" * 32, 1, "https://x/y", b"\x00", 6667, 5, 50, 7, "0x" + "ab" * 20
)


def task_created_log(uri_bytes: bytes, block: int) -> Log:
    """A TaskCreated log whose inputsURI slot holds raw ``uri_bytes``."""
    tm = CONTRACTS["TaskManager"]
    event = tm.abi.event("TaskCreated")
    abi_task = list(TASK.as_abi())
    abi_task[4] = uri_bytes
    task_type = event.types[event.names.index("task")].replace("string", "bytes")
    topics = (
        event.topic0,
        abi_encode(["uint32"], [TASK.task_index]),
        TASK.model_id,
        abi_encode(["address"], [TASK.client]),
    )
    data = abi_encode(["bytes32", task_type], [b"\x09" * 32, tuple(abi_task)])
    return Log(tm.address, topics, data, block, b"\x00" * 32, 0)


def test_one_undecodable_task_is_skipped_and_the_next_is_kept() -> None:
    malformed: list[MalformedLog] = []
    logs = [task_created_log(b"\xff\xfe", 10), task_created_log(b"https://x/y", 11)]
    events = decode_events(CONTRACTS, logs, malformed.append)
    assert [type(e) for e in events] == [TaskCreated]
    assert [(m.event, m.block_number) for m in malformed] == [("TaskCreated", 10)]


@settings(max_examples=60, deadline=None)
@given(
    which=st.sampled_from(EVENTS),
    extra_topics=st.lists(st.binary(min_size=0, max_size=40), max_size=4),
    data=st.binary(max_size=600),
)
def test_random_logs_of_followed_events_never_raise(
    which: tuple[str, str], extra_topics: list[bytes], data: bytes
) -> None:
    contract = CONTRACTS[which[0]]
    topic0 = contract.abi.event(which[1]).topic0
    log = Log(contract.address, (topic0, *extra_topics), data, 1, b"\x00" * 32, 0)
    malformed: list[MalformedLog] = []
    events = decode_events(CONTRACTS, [log], malformed.append)
    assert len(events) + len(malformed) == 1


@settings(max_examples=40, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=6))
def test_mutated_task_logs_never_raise(flips: list[tuple[int, int]]) -> None:
    log = task_created_log(b"https://x/y", 1)
    data = bytearray(log.data)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    events = decode_events(CONTRACTS, [Log(log.address, log.topics, bytes(data), 1, b"", 0)])
    assert len(events) <= 1
