"""The one place that maps edge-avs errors to gRPC status codes and back.

Servers call :func:`status_for` (or :func:`abort`) with the AvsError they caught; clients
call :func:`error_from_rpc` on a ``grpc.RpcError`` and get an AvsError their callers
already know how to handle. Unexpected exceptions become INTERNAL with a generic message,
so a server never leaks internals to a peer.
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc

from avs.errors import (
    AvsError,
    ChainError,
    ConfigError,
    CryptoError,
    InputError,
    ModelError,
    ProtectionError,
    RpcError,
    TaskError,
)
from avs.models.errors import (
    BlobNotFoundError,
    BlobTooLargeError,
    HashMismatchError,
    StoreFullError,
)

# Most specific first: the first isinstance match wins.
_TO_STATUS: tuple[tuple[type[AvsError], Any], ...] = (
    (BlobNotFoundError, grpc.StatusCode.NOT_FOUND),
    (HashMismatchError, grpc.StatusCode.DATA_LOSS),
    (BlobTooLargeError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (StoreFullError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (InputError, grpc.StatusCode.INVALID_ARGUMENT),
    (CryptoError, grpc.StatusCode.INVALID_ARGUMENT),
    (TaskError, grpc.StatusCode.INVALID_ARGUMENT),
    (ProtectionError, grpc.StatusCode.FAILED_PRECONDITION),
    (ConfigError, grpc.StatusCode.FAILED_PRECONDITION),
    (ModelError, grpc.StatusCode.UNAVAILABLE),
    (ChainError, grpc.StatusCode.UNAVAILABLE),
    (RpcError, grpc.StatusCode.UNAVAILABLE),
)
_FROM_STATUS: dict[Any, type[AvsError]] = {
    grpc.StatusCode.NOT_FOUND: BlobNotFoundError,
    grpc.StatusCode.DATA_LOSS: HashMismatchError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: BlobTooLargeError,
}
RETRYABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
    }
)
"""Codes after which the same call may succeed later (with backoff)."""


class RpcStatusError(RpcError):
    """A peer answered with a gRPC error status that has no narrower AvsError."""

    def __init__(self, message: str, code: Any) -> None:
        """Keep the status ``code`` (a ``grpc.StatusCode``) for callers that branch on it."""
        super().__init__(message)
        self.code = code

    @property
    def retryable(self) -> bool:
        """Whether retrying the call later may succeed."""
        return self.code in RETRYABLE


def status_for(exc: BaseException) -> tuple[Any, str]:
    """The (``grpc.StatusCode``, details) a server answers for ``exc``."""
    if isinstance(exc, AvsError):
        for cls, code in _TO_STATUS:
            if isinstance(exc, cls):
                return code, str(exc)
        return grpc.StatusCode.INTERNAL, str(exc)
    return grpc.StatusCode.INTERNAL, "internal error in the aggregator; see its logs"


def abort(context: Any, exc: BaseException) -> NoReturn:
    """Abort a synchronous servicer call with the status for ``exc``."""
    code, details = status_for(exc)
    context.abort(code, details)
    raise AssertionError("grpc context.abort returned")  # pragma: no cover - abort raises


async def abort_aio(context: Any, exc: BaseException) -> NoReturn:
    """Abort a ``grpc.aio`` servicer call with the status for ``exc``."""
    code, details = status_for(exc)
    await context.abort(code, details)
    raise AssertionError("grpc context.abort returned")  # pragma: no cover - abort raises


def error_from_rpc(exc: Any, what: str = "gRPC call") -> AvsError:
    """Turn a ``grpc.RpcError`` (sync or aio) into the matching AvsError."""
    code = exc.code() if callable(getattr(exc, "code", None)) else grpc.StatusCode.UNKNOWN
    details = exc.details() if callable(getattr(exc, "details", None)) else str(exc)
    message = f"{what} failed: {code.name}: {details}"
    cls = _FROM_STATUS.get(code)
    if cls is not None:
        return cls(message)
    if code in RETRYABLE:
        message += " (the peer may be down or overloaded; retrying later can succeed)"
    return RpcStatusError(message, code)
