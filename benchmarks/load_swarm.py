"""The load generator's side of ``benchmarks/load.py``: a planned task schedule whose
tasks are known before they exist, and N simulated operators that answer them over gRPC.

The generator mines every block itself (automine off), so it knows the block each planned
task lands in, hence its hash and every operator's signature, before timing starts.
Operators still answer only once the task's block is mined, as real ones do after seeing
the TaskCreated event.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from avs.chain.devkit import OnboardedOperator
from avs.crypto.points import G1Point
from avs.errors import AvsError
from avs.protocol import Task, TaskResponse, message_hash
from avs.rpc.client import AggregatorClient
from avs.rpc.messages import SubmitStatus

RETRY_DELAY_S = 0.05
"""First pause before resubmitting (the aggregator has not seen the task yet, or is busy)."""
MAX_RETRY_DELAY_S = 1.0
SUBMIT_TIMEOUT_S = 10.0
FINAL = {SubmitStatus.ACCEPTED, SubmitStatus.DUPLICATE, SubmitStatus.TASK_CLOSED}
"""Statuses after which an operator stops submitting for a task."""


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """A task the generator will create, with the block it lands in."""

    slot: int
    """Blocks after the schedule's start block."""
    task: Task
    """The task exactly as TaskCreated will report it."""


def plan_tasks(
    template: Task, start_block: int, count: int, rate: float, block_time: float
) -> list[PlannedTask]:
    """``count`` copies of ``template`` (a task as createTask reports it, any index and
    block), spread at ``rate`` tasks/s over blocks of ``block_time`` s after ``start_block``.
    Every planned task has the same fields except index and blocks, so whichever order the
    node includes one block's createTask transactions in, each index gets its planned task."""
    per_block = rate * block_time
    window = template.deadline_block - template.created_block
    planned = []
    for i in range(count):
        slot = 1 + math.floor(i / per_block)
        block = start_block + slot
        task = replace(
            template,
            task_index=template.task_index + i,
            created_block=block,
            deadline_block=block + window,
        )
        planned.append(PlannedTask(slot, task))
    return planned


def presign(
    tasks: Sequence[Task],
    operators: Sequence[OnboardedOperator],
    task_hash: Callable[[Task], bytes],
    result: bytes,
) -> dict[int, list[TaskResponse]]:
    """Every operator's response to every task (index -> responses), signed ahead."""
    out: dict[int, list[TaskResponse]] = {}
    for task in tasks:
        msg = message_hash(task_hash(task), result)
        out[task.task_index] = [
            TaskResponse(task.task_index, result, _sign(op, msg), op.operator_id)
            for op in operators
        ]
    return out


def _sign(op: OnboardedOperator, msg: bytes) -> G1Point:
    return op.keypair.sign(msg)


def _reason(exc: AvsError) -> str:
    """The error's status and first words, without the task index (one key per kind)."""
    words = re.sub(r"^SubmitResponse for task \d+ failed: ", "", str(exc)).split()
    return " ".join(words[:8])


@dataclass(slots=True)
class SwarmStats:
    """What the simulated operators saw."""

    statuses: Counter[str] = field(default_factory=Counter)
    """Final reply statuses (and ``error:<kind>`` for transport errors retried)."""
    retries: Counter[str] = field(default_factory=Counter)
    """Resubmissions by reason."""


class Swarm:
    """N operators, one gRPC channel each. Each learns tasks from the aggregator's task
    stream (``SubscribeTasks``, as operators behind NAT do) and submits its presigned
    response the moment a task arrives; :meth:`release` submits without waiting for the
    stream instead (operators that saw the chain event first)."""

    def __init__(self, target: str, operator_ids: Sequence[bytes]) -> None:
        self.clients = [AggregatorClient(target) for _ in operator_ids]
        self.operator_ids = list(operator_ids)
        self.stats = SwarmStats()
        self._jobs: set[asyncio.Task[None]] = set()
        self._listeners: list[asyncio.Task[None]] = []

    async def connect(self, timeout: float) -> None:
        """Wait until every channel is ready."""
        await asyncio.gather(*(c.wait_connected(timeout) for c in self.clients))

    def listen(self, responses: dict[int, list[TaskResponse]], first_index: int) -> None:
        """Every operator follows the task stream from ``first_index`` and answers the tasks
        of ``responses`` (index -> one response per operator, in operator order)."""
        for k in range(len(self.clients)):
            self._listeners.append(asyncio.create_task(self._follow(k, responses, first_index)))

    async def _follow(
        self, k: int, responses: dict[int, list[TaskResponse]], next_index: int
    ) -> None:
        client, operator_id = self.clients[k], self.operator_ids[k]
        while True:
            try:
                async for task in client.subscribe_tasks(operator_id, next_index):
                    next_index = max(next_index, task.task_index + 1)
                    if task.task_index in responses:
                        self._spawn(client, responses[task.task_index][k])
            except AvsError as exc:
                self.stats.retries[f"stream:{type(exc).__name__}"] += 1
                await asyncio.sleep(RETRY_DELAY_S)

    def release(self, responses: Sequence[TaskResponse]) -> None:
        """Every operator submits its response now (in the background)."""
        for client, response in zip(self.clients, responses, strict=True):
            self._spawn(client, response)

    def _spawn(self, client: AggregatorClient, response: TaskResponse) -> None:
        job = asyncio.create_task(self._submit(client, response))
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    async def _submit(self, client: AggregatorClient, response: TaskResponse) -> None:
        delay = RETRY_DELAY_S
        while True:
            try:
                reply = await client.submit_response(response, SUBMIT_TIMEOUT_S)
            except AvsError as exc:
                self.stats.retries[f"error: {_reason(exc)}"] += 1
            else:
                if reply.status in FINAL:
                    self.stats.statuses[reply.status.value] += 1
                    return
                if reply.status is not SubmitStatus.UNKNOWN_TASK:
                    self.stats.statuses[reply.status.value] += 1
                    return  # refused for good: counted, never retried
                self.stats.retries[reply.status.value] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY_S)

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) for submissions in flight, then cancel what is left."""
        if self._jobs:
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.gather(*list(self._jobs), return_exceptions=True)
            except TimeoutError:
                for job in list(self._jobs):
                    job.cancel()

    async def close(self) -> None:
        """Stop following the streams and close every channel."""
        for listener in self._listeners:
            listener.cancel()
        await asyncio.gather(*self._listeners, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.clients))
