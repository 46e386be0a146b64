"""Submitting a signed response: a deadline per call, retries with backoff, clear give-ups.

Retried: transport failures the status map calls retryable (UNAVAILABLE, DEADLINE_EXCEEDED,
...) and ``UNKNOWN_TASK`` (the operator saw the task on chain before the aggregator did).
Permanent answers (task closed, not registered, invalid signature, conflict) end the attempt
with a :class:`SubmissionRejected` naming the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from avs.backoff import Backoff, retry
from avs.errors import AvsError
from avs.protocol import TaskResponse
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs.rpc.status import RpcStatusError

SUBMIT_BACKOFF = Backoff()
"""Default retry schedule of one response."""
SUCCESS = frozenset({SubmitStatus.ACCEPTED, SubmitStatus.DUPLICATE})
_ADVICE = {
    SubmitStatus.TASK_CLOSED: "the task's deadline passed or it is already certified",
    SubmitStatus.NOT_REGISTERED: (
        "this operator is not in the task's quorums at its reference block; "
        "register with `avs operator register` and wait for the next task"
    ),
    SubmitStatus.INVALID_SIGNATURE: (
        "the aggregator could not verify the signature; check that bls_key_file is the "
        "key registered on chain"
    ),
    SubmitStatus.CONFLICT: "the aggregator holds a different result signed by this operator",
    SubmitStatus.UNKNOWN_TASK: "the aggregator still does not know the task",
}


class ResponseSink(Protocol):
    """Where signed responses go (the aggregator's gRPC client)."""

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        """Send one response with a ``timeout``-second deadline; RpcError on transport failure."""
        ...


class SubmissionRejected(AvsError):
    """The aggregator refused a response for a reason retrying cannot fix."""

    def __init__(self, message: str, status: SubmitStatus) -> None:
        """Keep the aggregator's ``status`` for metrics."""
        super().__init__(message)
        self.status = status


class _NotYet(AvsError):
    """UNKNOWN_TASK: retry after the aggregator learns of the task."""

    def __init__(self, result: SubmitResult) -> None:
        super().__init__(result.detail)
        self.result = result


def _retryable(exc: Exception) -> bool:
    return isinstance(exc, _NotYet) or (isinstance(exc, RpcStatusError) and exc.retryable)


class Submitter:
    """Sends responses through a :class:`ResponseSink` with deadlines and retries."""

    def __init__(
        self,
        sink: ResponseSink,
        timeout: float,
        attempts: int,
        backoff: Backoff = SUBMIT_BACKOFF,
        on_retry: Callable[[int, Exception], None] | None = None,
    ) -> None:
        """Each call gets ``timeout`` seconds; at most ``attempts`` calls per response."""
        self._sink = sink
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._on_retry = on_retry

    async def submit(self, response: TaskResponse) -> SubmitResult:
        """ACCEPTED/DUPLICATE result, or raise SubmissionRejected / the last RpcError."""

        async def once() -> SubmitResult:
            result = await self._sink.submit_response(response, self._timeout)
            if result.status is SubmitStatus.UNKNOWN_TASK:
                raise _NotYet(result)
            return result

        try:
            result = await retry(once, self._attempts, _retryable, self._backoff, self._on_retry)
        except _NotYet as exc:
            result = exc.result
        if result.status in SUCCESS:
            return result
        advice = _ADVICE.get(result.status, "")
        raise SubmissionRejected(
            f"aggregator rejected task {response.task_index}: {result.status.value}"
            f" ({result.detail or 'no detail'}); {advice}",
            result.status,
        )
