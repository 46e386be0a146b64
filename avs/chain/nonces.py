"""One nonce sequence per signing key and chain, shared by every client in the process.

Clients made with :meth:`ChainClient.connect` or ``with_account`` for the same key each
used to serialise only their own transactions, so two of them (or two threads on two
clients) could pick the same nonce. The chain's pending count stays the source of truth
(right across ``evm_revert``, restarts and other processes); this module only makes
"read nonce, sign, send" atomic per key, and says which send errors mean "pick again".
"""

from __future__ import annotations

import threading

_NONCE_CONFLICTS = (
    "nonce too low",
    "already known",
    "replacement transaction underpriced",
    "nonce has already been used",
    "nonce too high",
)

_registry_lock = threading.Lock()
_key_locks: dict[tuple[str, str], threading.Lock] = {}


def key_lock(rpc_url: str, address: str) -> threading.Lock:
    """The lock every client of ``address`` on ``rpc_url`` holds from nonce read to send."""
    key = (rpc_url, address.lower())
    with _registry_lock:
        lock = _key_locks.get(key)
        if lock is None:
            lock = _key_locks[key] = threading.Lock()
        return lock


def is_nonce_conflict(message: str) -> bool:
    """Whether a node's send error means another sender took the nonce (retry with a new one)."""
    text = message.lower()
    return any(marker in text for marker in _NONCE_CONFLICTS)
