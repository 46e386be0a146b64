"""A small typed view of contract ABIs: function calls, events and custom errors.

Built directly on eth-abi so callers get plain tuples and ints (never web3 AttributeDicts)
and every custom error can be decoded by its 4-byte selector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address

from avs.crypto.keccak import keccak256
from avs.errors import ChainError

JsonAbi = Sequence[Mapping[str, Any]]
"""An ABI as solc emits it: a list of JSON objects."""


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type string of one ABI parameter (tuples expanded recursively)."""
    typ = str(param["type"])
    if not typ.startswith("tuple"):
        return typ
    inner = ",".join(abi_type(c) for c in param["components"])
    return f"({inner}){typ[len('tuple') :]}"


def _normalise(value: Any) -> Any:
    """Checksum addresses and turn nested lists into tuples (hashable, immutable)."""
    if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
        return to_checksum_address(value)
    if isinstance(value, list | tuple):
        return tuple(_normalise(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class AbiFunction:
    """One contract function: selector and how to encode inputs / decode outputs."""

    name: str
    """Function name."""
    selector: bytes
    """First 4 bytes of keccak256 of the signature."""
    input_types: tuple[str, ...]
    """Canonical input types."""
    output_types: tuple[str, ...]
    """Canonical output types."""

    def encode_call(self, args: Sequence[Any]) -> bytes:
        """Calldata for a call with ``args``."""
        if len(args) != len(self.input_types):
            raise ChainError(
                f"{self.name} takes {len(self.input_types)} arguments, got {len(args)}"
            )
        return self.selector + abi_encode(list(self.input_types), list(args))

    def decode_output(self, data: bytes) -> tuple[Any, ...]:
        """Decoded return values (addresses checksummed, arrays as tuples)."""
        return tuple(_normalise(v) for v in abi_decode(list(self.output_types), data))


@dataclass(frozen=True, slots=True)
class AbiEvent:
    """One event: topic0 and how to decode a log into named values."""

    name: str
    """Event name."""
    topic0: bytes
    """keccak256 of the signature."""
    names: tuple[str, ...]
    """Parameter names in declaration order."""
    types: tuple[str, ...]
    """Canonical parameter types in declaration order."""
    indexed: tuple[bool, ...]
    """Whether each parameter is a topic."""

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        """Named values of one log (indexed dynamic values come back as their hash)."""
        indexed_types = [t for t, i in zip(self.types, self.indexed, strict=True) if i]
        data_types = [t for t, i in zip(self.types, self.indexed, strict=True) if not i]
        if len(topics) != 1 + len(indexed_types):
            raise ChainError(f"log does not match event {self.name}: wrong topic count")
        topic_values = [
            abi_decode([t], topic)[0] if _is_static(t) else topic
            for t, topic in zip(indexed_types, topics[1:], strict=True)
        ]
        data_values = list(abi_decode(data_types, data))
        out: dict[str, Any] = {}
        for name, is_indexed in zip(self.names, self.indexed, strict=True):
            out[name] = _normalise(topic_values.pop(0) if is_indexed else data_values.pop(0))
        return out


def _is_static(typ: str) -> bool:
    return not (typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("("))


@dataclass(frozen=True, slots=True)
class AbiError:
    """One custom error: selector, parameter names and types."""

    name: str
    """Error name."""
    selector: bytes
    """First 4 bytes of keccak256 of the signature."""
    names: tuple[str, ...]
    """Parameter names."""
    types: tuple[str, ...]
    """Canonical parameter types."""

    def decode_args(self, data: bytes) -> tuple[Any, ...]:
        """Arguments from revert data (selector included)."""
        return tuple(_normalise(v) for v in abi_decode(list(self.types), data[4:]))


def _signature(name: str, types: Sequence[str]) -> str:
    return f"{name}({','.join(types)})"


@dataclass(frozen=True, slots=True)
class ContractAbi:
    """Functions, events and errors of one contract, by name (of overloads such as
    ``createOperatorSets`` the last declared wins; the Python side calls none of them)."""

    contract_name: str
    """Contract name, used in error messages."""
    functions: Mapping[str, AbiFunction]
    """Functions by name."""
    events: Mapping[str, AbiEvent]
    """Events by name."""
    errors: Mapping[str, AbiError]
    """Custom errors by name."""
    constructor_types: tuple[str, ...]
    """Constructor input types."""

    @classmethod
    def from_json(cls, contract_name: str, abi: JsonAbi) -> ContractAbi:
        """Parse a solc ABI."""
        functions: dict[str, AbiFunction] = {}
        events: dict[str, AbiEvent] = {}
        errors: dict[str, AbiError] = {}
        ctor: tuple[str, ...] = ()
        for item in abi:
            kind = item["type"]
            inputs = tuple(abi_type(p) for p in item.get("inputs", []))
            if kind == "function":
                sig = _signature(item["name"], inputs)
                functions[item["name"]] = AbiFunction(
                    item["name"],
                    keccak256(sig.encode())[:4],
                    inputs,
                    tuple(abi_type(p) for p in item.get("outputs", [])),
                )
            elif kind == "event":
                sig = _signature(item["name"], inputs)
                events[item["name"]] = AbiEvent(
                    item["name"],
                    keccak256(sig.encode()),
                    tuple(p["name"] for p in item["inputs"]),
                    inputs,
                    tuple(bool(p["indexed"]) for p in item["inputs"]),
                )
            elif kind == "error":
                sig = _signature(item["name"], inputs)
                errors[item["name"]] = AbiError(
                    item["name"],
                    keccak256(sig.encode())[:4],
                    tuple(p["name"] for p in item["inputs"]),
                    inputs,
                )
            elif kind == "constructor":
                ctor = inputs
        return cls(contract_name, functions, events, errors, ctor)

    def function(self, name: str) -> AbiFunction:
        """The function ``name``; ChainError if the ABI has none."""
        try:
            return self.functions[name]
        except KeyError:
            raise ChainError(f"{self.contract_name} has no function {name!r}") from None

    def event(self, name: str) -> AbiEvent:
        """The event ``name``; ChainError if the ABI has none."""
        try:
            return self.events[name]
        except KeyError:
            raise ChainError(f"{self.contract_name} has no event {name!r}") from None

    def encode_constructor(self, args: Sequence[Any]) -> bytes:
        """ABI-encoded constructor arguments."""
        if len(args) != len(self.constructor_types):
            raise ChainError(
                f"{self.contract_name} constructor takes {len(self.constructor_types)} "
                f"arguments, got {len(args)}"
            )
        return abi_encode(list(self.constructor_types), list(args))
