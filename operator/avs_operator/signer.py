"""Signing a result: record it in the slashing-protection store first, then BLS-sign.

The order matters: the store's record is durable before a signature exists, so a crash
between the two can never let a later run sign a different result for the same task.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from avs.crypto.bls import KeyPair
from avs.protocol import Task, TaskResponse, message_hash_from_digest, result_digest, task_hash
from avs_operator.protection import ProtectionStore


@dataclass(frozen=True, slots=True)
class ChainDomain:
    """What a task hash binds a signature to, besides the task: one chain, one contract."""

    chain_id: int
    """EIP-155 chain id."""
    task_manager: str
    """Address of the TaskManager contract."""

    def task_hash(self, task: Task) -> bytes:
        """keccak256(abi.encode(chainId, taskManager, task))."""
        return task_hash(self.chain_id, self.task_manager, task)


class Signer:
    """Signs results for one operator key, refusing to equivocate (thread-safe, blocking)."""

    def __init__(self, keypair: KeyPair, protection: ProtectionStore, domain: ChainDomain) -> None:
        """Sign with ``keypair``; every signature is first recorded in ``protection``."""
        self._keypair = keypair
        self._protection = protection
        self._domain = domain
        # One SQLite connection serves every worker thread; it must not interleave.
        self._lock = threading.Lock()

    @property
    def operator_id(self) -> bytes:
        """The signer's 32-byte operator id."""
        return self._keypair.operator_id

    def sign(self, task: Task, result_bytes: bytes) -> TaskResponse:
        """Authorize (or raise ProtectionError), then sign msgHash(taskHash, result)."""
        t_hash = self._domain.task_hash(task)
        digest = result_digest(result_bytes)
        with self._lock:
            self._protection.authorize(t_hash, task.task_index, digest)
        signature = self._keypair.sign(message_hash_from_digest(t_hash, digest))
        return TaskResponse(
            task_index=task.task_index,
            result_bytes=result_bytes,
            signature=signature,
            operator_id=self._keypair.operator_id,
        )
