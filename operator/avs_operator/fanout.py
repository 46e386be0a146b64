"""Responses to every configured aggregator at once (competing aggregators, failover)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from avs.protocol import TaskResponse
from avs.rpc.messages import SubmitResult, SubmitStatus
from avs_operator.submitter import ResponseSink

_PREFERRED = (SubmitStatus.ACCEPTED, SubmitStatus.DUPLICATE)


class FanOutSink:
    """A :class:`ResponseSink` over several aggregators; one acceptance is enough.

    Answers, best first: an acceptance, then any other answer (e.g. task closed, which
    retrying cannot change), and only when no aggregator answered, the first error.
    """

    def __init__(self, sinks: Sequence[ResponseSink]) -> None:
        """Send to every sink in ``sinks`` (at least one)."""
        if not sinks:
            raise ValueError("FanOutSink needs at least one aggregator")
        self._sinks = list(sinks)

    async def submit_response(self, response: TaskResponse, timeout: float) -> SubmitResult:
        """Send ``response`` to every aggregator concurrently, each with ``timeout`` s."""
        if len(self._sinks) == 1:
            return await self._sinks[0].submit_response(response, timeout)
        outcomes = await asyncio.gather(
            *(sink.submit_response(response, timeout) for sink in self._sinks),
            return_exceptions=True,
        )
        answers = [o for o in outcomes if isinstance(o, SubmitResult)]
        for status in _PREFERRED:
            for answer in answers:
                if answer.status is status:
                    return answer
        if answers:
            return answers[0]
        raise next(o for o in outcomes if isinstance(o, BaseException))
