"""The one exception root of edge-avs and its narrow subclasses.

Every error a user can cause is an ``AvsError`` whose message says what was wrong and
what to do; the CLI prints it as one line and exits non-zero, never a traceback.
"""

from __future__ import annotations


class AvsError(Exception):
    """Root of every error edge-avs raises on purpose."""

    exit_code: int = 1


class ConfigError(AvsError):
    """A configuration file or environment override is missing or invalid."""

    exit_code = 2


class InputError(AvsError):
    """A user-supplied value (hex string, path, JSON file) is malformed."""

    exit_code = 2


class CryptoError(AvsError):
    """A key, point or signature is invalid (off-curve, wrong subgroup, infinity, zero key)."""


class KeystoreError(CryptoError):
    """A key file cannot be read: wrong password, corrupt or unsupported layout."""


class ChainError(AvsError):
    """The chain is unreachable, a transaction reverted, or contract state is unexpected."""


class ChainUnreachable(ChainError):
    """No JSON-RPC node answers at the configured URL (or the URL is not http(s))."""


class ContractRevert(ChainError):
    """A contract call reverted with a (decoded) custom error."""

    def __init__(self, message: str, error_name: str = "", args: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.error_name = error_name
        self.error_args = args
        self.gas_used = 0
        """Gas burnt when a mined transaction reverted (0 for a call or an estimate)."""


class TaskError(AvsError):
    """A task or its inputs are invalid for its task type."""


class ModelError(AvsError):
    """A model or blob cannot be fetched, or its content hash does not match."""


class ProtectionError(AvsError):
    """Signing was refused by the slashing-protection store (it would equivocate)."""


class RpcError(AvsError):
    """A gRPC peer answered with an error or could not be reached."""
