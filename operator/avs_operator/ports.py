"""The node's collaborators as Protocols, so tests and devnets can wire real small pieces.

Implementations: :mod:`avs_operator.chainports` (avs.chain reader/subscriber) and
:class:`avs.rpc.client.AggregatorClient` for the aggregator; :class:`PinnedModels` for a
fixed model table (tests, allow-listed deployments).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from avs.chain.reader import ChainReader
from avs.errors import ModelError
from avs.protocol import Task
from avs_operator.signer import ChainDomain


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A ModelRegistry entry: what a task's model id stands for."""

    model_id: bytes
    """bytes32 registry key (what tasks name)."""
    content_hash: bytes
    """Keccak-256 of the ONNX file: the only bytes this node will load for the model."""
    task_type: str
    """Task type id (``onnx-classify``, ``int-mlp``, ...)."""
    uri: str
    """Where the ONNX file can be fetched (file://, http(s)://, avs-blob://)."""


class ModelResolver(Protocol):
    """Looks a model id up (on chain: the ModelRegistry)."""

    async def resolve(self, model_id: bytes) -> ModelInfo:
        """The entry for ``model_id``; ModelError when unknown or disabled."""
        ...


class BlockClock(Protocol):
    """The chain's current block number (task deadlines are blocks)."""

    async def block_number(self) -> int:
        """Latest block number; ChainError when the chain is unreachable."""
        ...


class Membership(Protocol):
    """Which quorums an operator belonged to at a block (the registry's bitmap history)."""

    async def quorums_at(self, operator_id: bytes, block: int) -> frozenset[int]:
        """Quorum numbers of ``operator_id`` at ``block``; ChainError when unreachable."""
        ...


class RecordCheck(StrEnum):
    """What the chain's record says about a task someone handed us."""

    PENDING = "pending"
    """The chain holds exactly this task (its hash), not yet settled."""
    NOT_YET = "not_yet"
    """No task at that index yet (a lagging node, or a forged future index)."""
    MISMATCH = "mismatch"
    """Another task at that index, or this one already settled."""


class TaskRecords(Protocol):
    """The TaskManager's record of each task (is a streamed task real and still open?)."""

    async def check(self, task: Task) -> RecordCheck:
        """Compare ``task`` with the chain's record; ChainError when unreachable."""
        ...


class TaskFeed(Protocol):
    """New tasks from chain events (``TaskCreated``)."""

    async def poll(self) -> Sequence[Task]:
        """Tasks created since the previous poll (the first poll may return recent ones)."""
        ...


class TaskStream(Protocol):
    """The aggregator's ``SubscribeTasks`` stream."""

    async def wait_connected(self, timeout: float) -> None:
        """Return once the aggregator is reachable; RpcError after ``timeout`` seconds."""
        ...

    def subscribe_tasks(self, operator_id: bytes, from_task_index: int) -> AsyncIterator[Task]:
        """Open tasks with index >= ``from_task_index``, then new ones; RpcError on failure."""
        ...


class PinnedModels:
    """A fixed model table: for tests and operators that serve an allow-list of models."""

    def __init__(self, models: Mapping[bytes, ModelInfo]) -> None:
        """Serve exactly ``models`` (model id -> entry)."""
        self._models = dict(models)

    async def resolve(self, model_id: bytes) -> ModelInfo:
        """The pinned entry; ModelError for any other id."""
        info = self._models.get(model_id)
        if info is None:
            raise ModelError(f"model 0x{model_id.hex()} is not in this node's pinned models")
        return info


@dataclass(frozen=True, slots=True)
class ChainPorts:
    """The node's view of the chain."""

    domain: ChainDomain
    """Chain id and TaskManager address (what task hashes bind to)."""
    resolver: ModelResolver
    """ModelRegistry lookups."""
    clock: BlockClock | None = None
    """Block numbers for deadline checks (None: no check)."""
    feed: TaskFeed | None = None
    """TaskCreated events (None: stream only)."""
    membership: Membership | None = None
    """Quorum membership, to skip tasks of quorums this operator was not in (None: no check)."""
    records: TaskRecords | None = None
    """Task records, to run streamed tasks only once the chain confirms them (None: no check)."""
    reader: ChainReader | None = None
    """The contracts' reader, for the in-process watchtower (None: no watchtower)."""
