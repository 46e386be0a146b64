"""Delivery of certified results to consumer contracts: what a client asks for, what is stored.

Mirrors ``IResultDelivery`` (contracts/src/interfaces/IResultDelivery.sol): a task created with
a consumer carries its result bytes at certification, and the TaskManager calls the consumer
on certification (non-exact task types, or exact ones that chose speed) or through
``finalize`` once the challenge window closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DEFAULT_CALLBACK_GAS = 200_000
"""Callback gas a client gives its consumer unless it says otherwise."""


class DeliveryMode(IntEnum):
    """When the consumer is called (fixed at creation)."""

    NONE = 0
    """No consumer."""
    ON_CERTIFICATION = 1
    """Non-exact task type: called at certification, final."""
    ON_CERTIFICATION_NOT_FINAL = 2
    """Exact task type, the client chose speed: called at certification, not final."""
    AFTER_CHALLENGE_WINDOW = 3
    """Exact task type: called by ``finalize`` once the challenge window closed."""


class DeliveryState(IntEnum):
    """Where a delivery stands."""

    NONE = 0
    AWAITING_RESULT = 1
    CERTIFIED = 2
    DELIVERED = 3
    FAILED_ONCE = 4
    FAILED = 5
    CANCELLED = 6
    OVERTURNED = 7

    @property
    def label(self) -> str:
        """Lower-case name for tables and JSON."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class ConsumerRequest:
    """What a client asks for at creation (``createTaskWithConsumer``)."""

    consumer: str
    """Contract implementing IInferenceConsumer."""
    callback_gas_limit: int = DEFAULT_CALLBACK_GAS
    """Gas given to the callback."""
    deliver_before_final: bool = False
    """Exact task types: call at certification (not final) instead of after the window."""
    context: bytes = bytes(32)
    """Opaque 32 bytes passed back to the consumer (e.g. an agreement id)."""

    def as_abi(self) -> tuple[Any, ...]:
        """The ``ConsumerRequest`` tuple eth-abi encodes."""
        return (self.consumer, self.callback_gas_limit, self.deliver_before_final, self.context)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A task's stored delivery (``TaskManager.deliveryOf``)."""

    consumer: str
    callback_gas_limit: int
    final_block: int
    """deadlineBlock + challengeWindowBlocks."""
    mode: DeliveryMode
    state: DeliveryState
    bounty: int
    """Wei still escrowed for the first delivery attempt."""
    client: str

    @property
    def has_consumer(self) -> bool:
        """Whether the task was created with a consumer (and must be certified with bytes)."""
        return self.state is not DeliveryState.NONE

    @classmethod
    def from_abi(cls, value: Any) -> DeliveryRecord:
        """From the decoded ``Delivery`` tuple."""
        consumer, gas, final_block, mode, state, bounty, client = value
        return cls(
            str(consumer),
            int(gas),
            int(final_block),
            DeliveryMode(mode),
            DeliveryState(state),
            int(bounty),
            str(client),
        )
