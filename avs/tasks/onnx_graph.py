"""What an ONNX model computes, read straight from its protobuf bytes (no ``onnx`` needed).

An exact task type must prove its claim at model load: every node an allowed integer op
of the default domain, every constant an allowed integer type, every Cast to an allowed
integer type, and nothing that can hide computation (local functions, sparse constants).
onnxruntime does not expose the graph, so this module walks the wire format of
``ModelProto -> GraphProto -> NodeProto/TensorProto`` itself; unknown fields are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from avs.errors import TaskError

# onnx.TensorProto.DataType numbers (stable in the ONNX spec)
DTYPE_NAMES = {
    1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
    8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64",
    16: "bfloat16",
}  # fmt: skip
_WIRE_VARINT, _WIRE_I64, _WIRE_LEN, _WIRE_I32 = 0, 1, 2, 5


@dataclass(slots=True)
class GraphFacts:
    """The parts of a model an exactness check looks at."""

    ops: list[tuple[str, str]] = field(default_factory=list)
    """(domain, op_type) of every node of the main graph, in order."""
    constant_types: set[int] = field(default_factory=set)
    """Data types of the initializers."""
    cast_targets: set[int] = field(default_factory=set)
    """The ``to`` of every Cast node."""
    subgraph_attributes: int = 0
    """Node attributes holding graphs (If/Loop/Scan bodies)."""
    functions: int = 0
    """Model-local functions (they could redefine an op)."""
    sparse_constants: int = 0
    """Sparse initializers."""


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of one message; TaskError on malformed bytes."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == _WIRE_VARINT:
            value, pos = _varint(data, pos)
            yield number, wire, value
        elif wire == _WIRE_LEN:
            size, pos = _varint(data, pos)
            if pos + size > end:
                raise TaskError("the model is not a valid ONNX protobuf (truncated field)")
            yield number, wire, data[pos : pos + size]
            pos += size
        elif wire in (_WIRE_I64, _WIRE_I32):
            pos += 8 if wire == _WIRE_I64 else 4
        else:
            raise TaskError(f"the model is not a valid ONNX protobuf (wire type {wire})")
    if pos != end:
        raise TaskError("the model is not a valid ONNX protobuf (trailing bytes)")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise TaskError("the model is not a valid ONNX protobuf (bad varint)")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def read_graph(model_bytes: bytes) -> GraphFacts:
    """The :class:`GraphFacts` of a serialized ``ModelProto``."""
    facts = GraphFacts()
    graphs = 0
    for number, _wire, value in _fields(model_bytes):
        if number == 7 and isinstance(value, bytes):  # ModelProto.graph
            graphs += 1
            _read_graph(value, facts)
        elif number == 25:  # ModelProto.functions
            facts.functions += 1
    if graphs != 1:
        raise TaskError("the model is not a valid ONNX model (it has no graph)")
    return facts


def _read_graph(graph: bytes, facts: GraphFacts) -> None:
    for number, _wire, value in _fields(graph):
        if not isinstance(value, bytes):
            continue
        if number == 1:  # GraphProto.node
            _read_node(value, facts)
        elif number == 5:  # GraphProto.initializer (TensorProto)
            for tnum, _w, tval in _fields(value):
                if tnum == 2 and isinstance(tval, int):  # TensorProto.data_type
                    facts.constant_types.add(tval)
        elif number == 15:  # GraphProto.sparse_initializer
            facts.sparse_constants += 1


def _read_node(node: bytes, facts: GraphFacts) -> None:
    op_type, domain = "", ""
    attributes: list[bytes] = []
    for number, _wire, value in _fields(node):
        if number == 4 and isinstance(value, bytes):  # NodeProto.op_type
            op_type = value.decode("utf-8", "replace")
        elif number == 7 and isinstance(value, bytes):  # NodeProto.domain
            domain = value.decode("utf-8", "replace")
        elif number == 5 and isinstance(value, bytes):  # NodeProto.attribute
            attributes.append(value)
    facts.ops.append((domain, op_type))
    for attribute in attributes:
        name, integer = "", None
        for number, _wire, value in _fields(attribute):
            if number == 1 and isinstance(value, bytes):  # AttributeProto.name
                name = value.decode("utf-8", "replace")
            elif number == 3 and isinstance(value, int):  # AttributeProto.i
                integer = value
            elif number in (6, 11):  # AttributeProto.g / graphs
                facts.subgraph_attributes += 1
        if op_type == "Cast" and name == "to" and integer is not None:
            facts.cast_targets.add(integer)


def require_integer_graph(
    model_bytes: bytes, allowed_ops: frozenset[str], allowed_types: frozenset[int], who: str
) -> GraphFacts:
    """Raise TaskError unless the model uses only ``allowed_ops`` (default ONNX domain) on
    ``allowed_types``; returns what was read."""
    facts = read_graph(model_bytes)
    names = ", ".join(sorted(DTYPE_NAMES.get(t, str(t)) for t in allowed_types))
    foreign = sorted(
        {
            f"{d}:{o}" if d else o
            for d, o in facts.ops
            if d not in ("", "ai.onnx") or o not in allowed_ops
        }
    )
    if foreign:
        raise TaskError(
            f"{who} is an exact task type; the model uses ops outside its allow-list: "
            f"{', '.join(foreign)} (allowed: {', '.join(sorted(allowed_ops))})"
        )
    for what, types in (("constants", facts.constant_types), ("Cast targets", facts.cast_targets)):
        bad = sorted(DTYPE_NAMES.get(t, str(t)) for t in types - allowed_types)
        if bad:
            raise TaskError(
                f"{who} is an exact task type; the model's {what} include {', '.join(bad)} "
                f"(allowed: {names})"
            )
    if facts.functions or facts.subgraph_attributes or facts.sparse_constants:
        raise TaskError(
            f"{who} is an exact task type; the model has local functions, subgraphs or "
            "sparse constants, which its allow-list does not cover"
        )
    return facts
