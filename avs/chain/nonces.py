"""One nonce sequence per signing key and chain, shared by every client in the process.

Clients made with :meth:`ChainClient.connect` or ``with_account`` for the same key each
used to serialise only their own transactions, so two of them (or two threads on two
clients) could pick the same nonce. The chain's pending count stays the source of truth
(right across ``evm_revert``, restarts and other processes); this module makes "pick a
nonce, sign, send" atomic per key, and says which send errors mean "pick again".

The chain's count is read *before* taking the key's lock, so the certificates of one
block do not queue a round trip each behind one another; a read that may predate this
process's last send under the lock is topped up from :class:`NonceBook`.
"""

from __future__ import annotations

import threading
import time

_NONCE_CONFLICTS = (
    "nonce too low",
    "already known",
    "replacement transaction underpriced",
    "nonce has already been used",
    "nonce too high",
)

_registry_lock = threading.Lock()
_key_locks: dict[tuple[str, str], threading.Lock] = {}
_books: dict[tuple[str, str], NonceBook] = {}


class NonceBook:
    """The last nonce this process sent for one key, and when that send returned.

    Used only under the key's lock. A pending count read after the last send returned
    already counts it (the node holds a transaction once it accepted it), so it is used
    as is: that keeps ``evm_revert`` and other senders right. A read that started
    earlier may miss this process's own last sends, so it is raised past them.
    """

    def __init__(self) -> None:
        self._next: int | None = None
        self._sent_at = float("-inf")

    def choose(self, chain_pending: int, read_started: float) -> int:
        """The nonce to sign with, given the pending count read from ``read_started`` on."""
        if self._next is None or read_started >= self._sent_at:
            return chain_pending
        return max(chain_pending, self._next)

    def sent(self, nonce: int) -> None:
        """Record that a transaction with ``nonce`` was accepted by the node just now."""
        self._next = nonce + 1
        self._sent_at = time.monotonic()


def key_lock(rpc_url: str, address: str) -> threading.Lock:
    """The lock every client of ``address`` on ``rpc_url`` holds from nonce read to send."""
    key = (rpc_url, address.lower())
    with _registry_lock:
        lock = _key_locks.get(key)
        if lock is None:
            lock = _key_locks[key] = threading.Lock()
        return lock


def nonce_book(rpc_url: str, address: str) -> NonceBook:
    """The :class:`NonceBook` of ``address`` on ``rpc_url`` (use it under :func:`key_lock`)."""
    key = (rpc_url, address.lower())
    with _registry_lock:
        book = _books.get(key)
        if book is None:
            book = _books[key] = NonceBook()
        return book


def is_nonce_conflict(message: str) -> bool:
    """Whether a node's send error means another sender took the nonce (retry with a new one)."""
    text = message.lower()
    return any(marker in text for marker in _NONCE_CONFLICTS)
