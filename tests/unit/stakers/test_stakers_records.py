"""Records survive the SQLite cache unchanged; the cache keeps its scan state and identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from avs.stakers.cache import EventCache, ScanState, default_cache_path
from avs.stakers.codec import CacheFormatError, decode_payload, encode_payload
from avs.stakers.records import (
    RECORD_TYPES,
    CertificateOverturned,
    DelegationChanged,
    EventRef,
    FeesClaimed,
    ModelRegistered,
    OperatorEjected,
    OperatorMetadataUpdated,
    OperatorSlashed,
    PubkeyRegistered,
    QuorumCreated,
    QuorumsChanged,
    Record,
    StakeUpdated,
    TaskCertified,
    TaskCreated,
    TaskRefunded,
)

OP = "0x00000000000000000000000000000000000000A1"
ID = bytes(range(32))


def at(block: int, index: int = 0) -> EventRef:
    return EventRef(block, index, bytes([block % 256]) * 32)


SAMPLES: list[Record] = [
    QuorumCreated(at(1), 0, OP, 10**18),
    PubkeyRegistered(at(2), OP, ID),
    QuorumsChanged(at(3), OP, ID, (0, 2), True),
    OperatorEjected(at(4), OP, (2,)),
    StakeUpdated(at(5), ID, 2, 2**95),
    ModelRegistered(at(6), b"\x01" * 32, "int-mlp", True),
    TaskCreated(at(7), 3, b"\x02" * 32, (0, 1), 7, 17, 10**12),
    TaskCertified(at(9), 3, b"\x03" * 32, 7, (ID, b"\xff" * 32), (5, 6), (7, 8)),
    TaskRefunded(at(10), 4, 99),
    CertificateOverturned(at(10, 1), 3, OP),
    FeesClaimed(at(11), 3, ID, 12345),
    OperatorSlashed(at(12), 3, OP, ID, "wrong_result", 10**16, (0,), 7, OP),
    DelegationChanged(at(13), OP, OP, False),
    OperatorMetadataUpdated(at(14), OP, "data:application/json,{}"),
]


def test_every_record_type_has_a_sample() -> None:
    assert {type(r) for r in SAMPLES} == set(RECORD_TYPES)


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: r.KIND)
def test_payload_round_trip(record: Record) -> None:
    kind, payload = encode_payload(record)
    assert decode_payload(kind, record.at, payload) == record


def test_unreadable_payloads_are_cache_errors() -> None:
    with pytest.raises(CacheFormatError, match="unknown cached record kind"):
        decode_payload("nope", at(1), "{}")
    with pytest.raises(CacheFormatError, match="malformed"):
        decode_payload("task_refunded", at(1), '{"task_index": 1}')


def test_cache_keeps_records_and_state_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.sqlite"
    with EventCache(path) as cache:
        cache.bind("chain-a")
        assert cache.state() is None
        cache.append(reversed(SAMPLES), ScanState(13, 1, b"\xaa" * 32))
    with EventCache(path) as cache:
        cache.bind("chain-a")
        assert cache.records() == SAMPLES  # chain order, whatever the insertion order
        assert cache.state() == ScanState(13, 1, b"\xaa" * 32)
        cache.truncate_after(9)
        assert cache.records() == [r for r in SAMPLES if r.at.block <= 9]
        cache.bind("chain-b")  # another deployment: start over
        assert cache.records() == []
        assert cache.state() is None


def test_default_cache_path_names_chain_and_task_manager(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = default_cache_path(31337, "0xABCDEF0000000000000000000000000000000001")
    assert (
        path
        == tmp_path / "edge-avs" / "stakers-31337-0xabcdef0000000000000000000000000000000001.sqlite"
    )
