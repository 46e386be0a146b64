"""Task hashing and persistence encodings bound to one chain and TaskManager."""

from __future__ import annotations

from dataclasses import dataclass

from avs.crypto.points import G1Point
from avs.protocol import Task, decode_task, encode_task, message_hash, task_hash


@dataclass(frozen=True, slots=True)
class TaskCodec:
    """:mod:`avs.protocol` encodings with the deployment's chain id and TaskManager bound."""

    chain_id: int
    """Chain id the TaskManager lives on."""
    task_manager: str
    """TaskManager address."""

    def task_hash(self, task: Task) -> bytes:
        """keccak256(abi.encode(chainId, taskManager, task))."""
        return task_hash(self.chain_id, self.task_manager, task)

    def message_hash(self, task_hash_: bytes, result_bytes: bytes) -> bytes:
        """What operators sign for ``result_bytes``."""
        return message_hash(task_hash_, result_bytes)

    def encode(self, task: Task) -> bytes:
        """Bytes to persist a task."""
        return encode_task(task)

    def decode(self, data: bytes) -> Task:
        """Inverse of :meth:`encode`."""
        return decode_task(data)


def signature_bytes(signature: G1Point) -> bytes:
    """A G1 signature as 64 bytes (x || y, big-endian)."""
    return signature.x.to_bytes(32, "big") + signature.y.to_bytes(32, "big")


def signature_from_bytes(data: bytes) -> G1Point:
    """Inverse of :func:`signature_bytes` (checks the point is on the curve)."""
    return G1Point(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big"))
