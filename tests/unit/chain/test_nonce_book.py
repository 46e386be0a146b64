"""NonceBook: a pending count read before this process's last send is raised past it."""

from __future__ import annotations

import time

from avs.chain.nonces import NonceBook, nonce_book


def test_a_fresh_book_uses_the_chain_count() -> None:
    assert NonceBook().choose(7, time.monotonic()) == 7


def test_a_read_that_predates_the_last_send_is_raised_past_it() -> None:
    book = NonceBook()
    read_started = time.monotonic()  # another thread's read, in flight during the send
    book.sent(7)
    assert book.choose(7, read_started) == 8


def test_a_read_after_the_last_send_is_the_truth_even_when_lower() -> None:
    # evm_revert (or a dropped transaction) lowered the chain's count after our send:
    # a read that started after the send is used as is, never the stale local count.
    book = NonceBook()
    book.sent(7)
    assert book.choose(3, time.monotonic()) == 3


def test_another_sender_ahead_of_the_book_wins() -> None:
    book = NonceBook()
    read_started = time.monotonic()
    book.sent(7)
    assert book.choose(12, read_started) == 12


def test_one_book_per_key_and_url_whatever_the_address_case() -> None:
    url = "http://127.0.0.1:1"
    assert nonce_book(url, "0xAbC") is nonce_book(url, "0xabc")
    assert nonce_book(url, "0xabc") is not nonce_book("http://127.0.0.1:2", "0xabc")
