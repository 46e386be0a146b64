"""ABI parsing, event decoding and revert decoding over the shipped artifacts (no network)."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from avs.chain.abi import ContractAbi, abi_type
from avs.chain.compiled import artifact_names, load_artifact
from avs.chain.errors import contract_revert, decode_revert
from avs.crypto.keccak import keccak256
from avs.errors import ChainError, ContractRevert

TASK = "(uint32,bytes32,bytes32,uint32,string,bytes,uint16,uint32,uint32,uint96,address)"
CERT = (
    "(uint32[],(uint256,uint256)[],(uint256,uint256)[],(uint256[2],uint256[2]),"
    "(uint256,uint256),uint32[],uint32[],uint32[][])"
)


def test_tuple_types_expand_recursively() -> None:
    fn = load_artifact("TaskManager").abi.function("respondToTask")
    assert fn.input_types == (TASK, "bytes32", CERT)
    assert fn.selector == keccak256(f"respondToTask({TASK},bytes32,{CERT})".encode())[:4]
    assert abi_type({"type": "tuple[]", "components": [{"type": "uint8"}]}) == "(uint8)[]"


def test_task_struct_matches_protocol() -> None:
    from avs.protocol import TASK_ABI_TYPE

    assert load_artifact("TaskManager").abi.function("taskHash").input_types == (TASK_ABI_TYPE,)


def test_unknown_names_raise_chain_errors() -> None:
    abi = load_artifact("ModelRegistry").abi
    with pytest.raises(ChainError, match="ModelRegistry has no function 'nope'"):
        abi.function("nope")
    with pytest.raises(ChainError, match="has no event"):
        abi.event("Nope")
    with pytest.raises(ChainError, match="takes 1 arguments, got 0"):
        abi.function("getModel").encode_call([])
    with pytest.raises(ChainError, match="constructor takes 1 arguments"):
        abi.encode_constructor([])


def test_event_round_trip_with_indexed_and_dynamic_fields() -> None:
    ev = load_artifact("OperatorRegistry").abi.event("OperatorRegistered")
    operator = to_checksum_address("0x" + "00" * 19 + "aa")
    op_id = b"\x11" * 32
    topics = [ev.topic0, abi_encode(["address"], [operator]), op_id]
    assert ev.decode(topics, b"") == {"operator": operator, "operatorId": op_id}
    with pytest.raises(ChainError, match="wrong topic count"):
        ev.decode(topics[:2], b"")
    socket = load_artifact("OperatorRegistry").abi.event("OperatorSocketUpdate")
    values = socket.decode([socket.topic0, op_id], abi_encode(["string"], ["10.0.0.7:9000"]))
    assert values == {"operatorId": op_id, "socket": "10.0.0.7:9000"}


def test_every_shipped_error_selector_is_unique_per_signature() -> None:
    seen: dict[bytes, str] = {}
    for name in artifact_names():
        for err in load_artifact(name).abi.errors.values():
            sig = f"{err.name}({','.join(err.types)})"
            assert seen.setdefault(err.selector, sig) == sig


def test_custom_error_decoded_with_names() -> None:
    err = load_artifact("TaskManager").abi.errors["IncorrectFee"]
    data = err.selector + abi_encode(["uint256", "uint256"], [10, 9])
    assert decode_revert(data) == ("IncorrectFee", (10, 9), "IncorrectFee(required=10, sent=9)")
    exc = contract_revert("TaskManager.createTask", data)
    assert isinstance(exc, ContractRevert)
    assert str(exc) == "TaskManager.createTask reverted: IncorrectFee(required=10, sent=9)"
    assert (exc.error_name, exc.error_args) == ("IncorrectFee", (10, 9))


def test_library_errors_bubble_up_decoded() -> None:
    sel = keccak256(b"InvalidHistoryIndex(uint256,uint32)")[:4]
    name, args, text = decode_revert(sel + abi_encode(["uint256", "uint32"], [3, 99]))
    assert (name, args) == ("InvalidHistoryIndex", (3, 99))
    assert text == "InvalidHistoryIndex(index=3, blockNumber=99)"


def test_builtin_and_unknown_reverts() -> None:
    reason = keccak256(b"Error(string)")[:4] + abi_encode(["string"], ["boom"])
    assert decode_revert(reason)[2] == "Error('boom')"
    panic = keccak256(b"Panic(uint256)")[:4] + abi_encode(["uint256"], [0x11])
    assert decode_revert(panic)[2] == "Panic(0x11: arithmetic overflow or underflow)"
    assert decode_revert(b"\xde\xad\xbe\xef")[2] == "unknown revert data 0xdeadbeef"
    assert "no revert data" in decode_revert(b"")[2]


@given(st.binary(max_size=200))
def test_decoding_never_raises(data: bytes) -> None:
    name, _, text = decode_revert(data)
    assert isinstance(name, str)
    assert text


def test_contract_abi_from_minimal_json() -> None:
    abi = ContractAbi.from_json(
        "X",
        [
            {"type": "constructor", "inputs": [{"name": "a", "type": "uint8"}]},
            {
                "type": "function",
                "name": "f",
                "inputs": [],
                "outputs": [{"name": "", "type": "address"}],
            },
        ],
    )
    assert abi.encode_constructor([7]) == (7).to_bytes(32, "big")
    out = abi.function("f").decode_output(abi_encode(["address"], ["0x" + "ab" * 20]))
    assert out == (to_checksum_address("0x" + "ab" * 20),)
