"""Errors map to gRPC status codes in one place; unexpected errors leak nothing."""

from __future__ import annotations

import grpc
import pytest

from avs.errors import AvsError, ChainError, CryptoError, InputError, ProtectionError, TaskError
from avs.models.errors import BlobNotFoundError, HashMismatchError
from avs.rpc.status import RpcStatusError, status_for


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("bad field"), grpc.StatusCode.INVALID_ARGUMENT),
        (CryptoError("point not on curve"), grpc.StatusCode.INVALID_ARGUMENT),
        (TaskError("bad inputs"), grpc.StatusCode.INVALID_ARGUMENT),
        (BlobNotFoundError("no blob"), grpc.StatusCode.NOT_FOUND),
        (HashMismatchError("bad hash"), grpc.StatusCode.DATA_LOSS),
        (ProtectionError("would equivocate"), grpc.StatusCode.FAILED_PRECONDITION),
        (ChainError("rpc down"), grpc.StatusCode.UNAVAILABLE),
        (AvsError("other"), grpc.StatusCode.INTERNAL),
    ],
)
def test_avs_errors_map_to_codes_with_their_message(error: AvsError, code: object) -> None:
    assert status_for(error) == (code, str(error))


def test_unexpected_exceptions_become_internal_without_details() -> None:
    code, details = status_for(KeyError("/secret/path"))
    assert code is grpc.StatusCode.INTERNAL
    assert "secret" not in details


def test_status_error_knows_when_to_retry() -> None:
    assert RpcStatusError("x", grpc.StatusCode.UNAVAILABLE).retryable
    assert not RpcStatusError("x", grpc.StatusCode.INVALID_ARGUMENT).retryable
