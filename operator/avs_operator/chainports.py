"""The node's chain collaborators over avs.chain (reader, subscriber): blocking calls in threads.

- :class:`ChainModels`: ModelRegistry lookups (cached: a model id's entry names a content
  hash, and the bytes are checked against it anyway);
- :class:`ChainBlocks`, :class:`ChainMembership` (:mod:`avs_operator.chainreads`): the
  head and quorum membership, each read as rarely as is safe;
- :class:`ChainTasks`: ``TaskCreated`` events since the last poll (and slashings of this
  operator, counted in ``avs_slashings_total``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.chain.events import MalformedHandler, OperatorSlashed, TaskCreated
from avs.chain.reader import ChainReader
from avs.chain.subscriber import ChainSubscriber
from avs.errors import ChainError, ConfigError, ModelError
from avs.logging import get_logger
from avs.metrics import OperatorMetrics
from avs.models.hashing import hash_hex
from avs.protocol import Task
from avs.urls import redact_url
from avs_operator.chainreads import ChainBlocks, ChainMembership
from avs_operator.ports import ChainPorts, ModelInfo, RecordCheck
from avs_operator.signer import ChainDomain

_ZERO = bytes(32)
log = get_logger(component="operator")


def chain_domain(deployment: Deployment) -> ChainDomain:
    """Chain id and TaskManager address of a deployment."""
    return ChainDomain(deployment.chain_id, deployment.contracts["TaskManager"])


class ChainModels:
    """ModelResolver over the on-chain ModelRegistry."""

    def __init__(self, reader: ChainReader) -> None:
        """Look models up with ``reader``."""
        self._reader = reader
        self._cache: dict[bytes, ModelInfo] = {}

    async def resolve(self, model_id: bytes) -> ModelInfo:
        """The registry entry of ``model_id``; ModelError when it is not registered."""
        cached = self._cache.get(model_id)
        if cached is not None:
            return cached
        entry = await asyncio.to_thread(self._reader.model, model_id)
        if bytes(entry.content_hash) == _ZERO or not entry.task_type:
            raise ModelError(f"model {hash_hex(model_id)} is not registered in the ModelRegistry")
        info = ModelInfo(model_id, bytes(entry.content_hash), entry.task_type, entry.uri)
        self._cache[model_id] = info
        return info


class ChainTaskRecords:
    """TaskRecords over TaskManager.taskRecord (the task's hash while pending)."""

    def __init__(self, reader: ChainReader) -> None:
        """Read records with ``reader``."""
        self._reader = reader

    async def check(self, task: Task) -> RecordCheck:
        """Whether ``task`` is on chain, exactly as given, and not yet settled."""
        record = await asyncio.to_thread(self._reader.task_record, task.task_index)
        if record == self._reader.task_hash(task):
            return RecordCheck.PENDING
        return RecordCheck.NOT_YET if record == _ZERO else RecordCheck.MISMATCH


class ChainTasks:
    """TaskFeed: new ``TaskCreated`` events on each poll."""

    def __init__(
        self,
        client: ChainClient,
        subscriber: ChainSubscriber,
        start_block: int | None,
        lookback_blocks: int,
        operator_id: bytes = b"",
        on_slashed: Callable[[OperatorSlashed], None] | None = None,
        on_head: Callable[[int], None] | None = None,
    ) -> None:
        """First poll starts ``lookback_blocks`` before the head (open tasks after a restart),
        never before ``start_block`` (the deployment block); ``on_head`` gets each head read."""
        self._client = client
        self._subscriber = subscriber
        self._floor = start_block or 0
        self._lookback = lookback_blocks
        self._next: int | None = None
        self._operator_id = operator_id
        self._on_slashed = on_slashed
        self._on_head = on_head

    async def poll(self) -> Sequence[Task]:
        """Tasks created since the previous poll."""
        return await asyncio.to_thread(self._poll)

    def _poll(self) -> list[Task]:
        head = self._client.block_number()
        if self._on_head is not None:
            self._on_head(head)
        if self._next is None:
            self._next = max(self._floor, head - self._lookback)
        if head < self._next:
            return []
        events = self._subscriber.poll(self._next, head)
        self._next = head + 1
        tasks = []
        for event in events:
            if isinstance(event, TaskCreated):
                tasks.append(event.task)
            elif (
                isinstance(event, OperatorSlashed)
                and event.operator_id == self._operator_id
                and self._on_slashed is not None
            ):
                self._on_slashed(event)
        return tasks


class SlashingRecorder:
    """Counts (``avs_slashings_total{fault}``) and logs slashings of this operator."""

    def __init__(self, metrics: OperatorMetrics) -> None:
        """Count into ``metrics``."""
        self._metrics = metrics

    def __call__(self, event: OperatorSlashed) -> None:
        """Record one slashing event."""
        self._metrics.slashings.labels(fault=event.fault).inc()
        log.error(
            "operator_slashed",
            fault=event.fault,
            task_index=event.task_index,
            wad_slashed=str(event.wad_slashed),
            block=event.block_number,
        )


def connect_chain(
    rpc_url: str,
    deployment_file: Path,
    operator_id: bytes,
    on_slashed: Callable[[OperatorSlashed], None] | None = None,
    on_malformed: MalformedHandler | None = None,
    block_time: float = 0.0,
) -> ChainPorts:
    """ChainPorts for a node; a deployment for another chain is a ConfigError. A head read
    less than half a ``block_time`` (at most 1 s) ago is reused for deadline checks.

    An unreachable chain is not an error here: the node starts, reports the chain service
    Down, and keeps answering stream tasks once models are cached.
    """
    deployment = Deployment.load(deployment_file)
    client = ChainClient.connect(rpc_url)
    try:
        actual = client.chain_id
    except ChainError as exc:
        log.warning("chain_unreachable_at_start", error=str(exc))
    else:
        if actual != deployment.chain_id:
            raise ConfigError(
                f"rpc_url {redact_url(rpc_url)} serves chain {actual}, but {deployment_file} "
                "is a deployment "
                f"on chain {deployment.chain_id}; point rpc_url and deployment at the same chain"
            )
    reader = ChainReader(client, deployment)
    blocks = ChainBlocks(client, min(block_time / 2, 1.0))
    feed = ChainTasks(
        client,
        ChainSubscriber(client, deployment, on_malformed),
        deployment.block,
        deployment.params.max_response_window_blocks,
        operator_id,
        on_slashed,
        blocks.note,
    )
    return ChainPorts(
        chain_domain(deployment),
        ChainModels(reader),
        blocks,
        feed,
        ChainMembership(reader, blocks),
        ChainTaskRecords(reader),
        reader,
    )
