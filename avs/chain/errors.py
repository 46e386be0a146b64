"""Revert data -> :class:`avs.errors.ContractRevert` with the custom error's name and arguments.

Reverts bubble up through nested calls (TaskManager -> OperatorRegistry, ...), so the decoder
knows the errors of every shipped contract, plus Solidity's ``Error(string)`` and ``Panic``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from eth_abi.abi import decode as abi_decode

from avs.chain.abi import AbiError
from avs.chain.compiled import artifact_names, load_artifact
from avs.errors import ContractRevert

_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")
_PANIC_CODES = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to uninitialised function",
}


@cache
def _errors_by_selector() -> dict[bytes, AbiError]:
    table: dict[bytes, AbiError] = {}
    for name in artifact_names():
        for err in load_artifact(name).abi.errors.values():
            table[err.selector] = err
    return table


def _fmt(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) and not value.startswith("0x") else str(value)


def _format_call(name: str, names: Iterable[str], args: Iterable[Any]) -> str:
    parts = [f"{n}={_fmt(v)}" if n else _fmt(v) for n, v in zip(names, args, strict=True)]
    return f"{name}({', '.join(parts)})"


def decode_revert(data: bytes) -> tuple[str, tuple[Any, ...], str]:
    """(error name, arguments, readable text) of revert ``data``; unknown data stays hex."""
    selector = data[:4]
    try:
        if selector == _ERROR_STRING:
            (reason,) = abi_decode(["string"], data[4:])
            return "Error", (reason,), f"Error({reason!r})"
        if selector == _PANIC:
            (code,) = abi_decode(["uint256"], data[4:])
            return "Panic", (code,), f"Panic({code:#x}: {_PANIC_CODES.get(code, 'unknown')})"
        err = _errors_by_selector().get(selector)
        if err is not None:
            args = err.decode_args(data)
            return err.name, args, _format_call(err.name, err.names, args)
    except Exception:  # noqa: S110 - malformed revert data is shown raw below
        pass
    if not data:
        return "", (), "no revert data (out of gas, invalid opcode, or a failed precompile)"
    return "", (), f"unknown revert data 0x{data.hex()}"


def contract_revert(where: str, data: bytes) -> ContractRevert:
    """A ContractRevert saying which call reverted and with which decoded error."""
    name, args, text = decode_revert(data)
    return ContractRevert(f"{where} reverted: {text}", name, args)
