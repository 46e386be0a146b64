"""JSON-RPC client: calls, signed transactions, logs; reverts become ContractRevert.

The only module that talks to web3 directly. One :class:`ChainClient` holds one connection
and optionally one signing account; :meth:`ChainClient.with_account` shares the connection.
Thread-safe: transactions of one key are serialised across every client of the process
(:mod:`avs.chain.nonces`), and a nonce taken by another process is picked again. Each
request has a short timeout, so a hung endpoint surfaces as a ChainError in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception, Web3RPCError
from web3.types import TxParams

from avs.chain.abi import ContractAbi
from avs.chain.compiled import Artifact
from avs.chain.errors import contract_revert
from avs.chain.nonces import is_nonce_conflict, key_lock, nonce_book
from avs.chain.reach import check_rpc_url, rpc_error_message, unreachable
from avs.chain.types import Log, Receipt
from avs.errors import ChainError, ContractRevert
from avs.urls import redact_url, scrub

GAS_MARGIN_NUM = 5
GAS_MARGIN_DEN = 4  # send 125% of the estimate: estimates of precompile-heavy calls run tight
REQUEST_TIMEOUT = 10.0
"""Seconds one JSON-RPC request may take: a hung endpoint must not look healthy for long."""
RECEIPT_TIMEOUT = 60.0
"""Seconds a sent transaction may take to be mined."""
RevertObserver = Callable[[str, int], None]
"""Told of every mined transaction that reverted: (contract function, gas burnt)."""
NONCE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Contract:
    """A deployed contract: name, address and ABI."""

    name: str
    """Contract name (used in error messages)."""
    address: str
    """Checksummed address."""
    abi: ContractAbi
    """Its ABI."""

    def decode_logs(self, logs: Sequence[Log], event: str) -> list[dict[str, Any]]:
        """Decoded ``event`` logs emitted by this contract, in order."""
        ev = self.abi.event(event)
        return [
            ev.decode(log.topics, log.data)
            for log in logs
            if log.address == self.address and log.topics and log.topics[0] == ev.topic0
        ]


def _revert_data(exc: ContractLogicError) -> bytes:
    data = exc.data
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    return b""


class ChainClient:
    """A connection to one chain, optionally with a signing account."""

    def __init__(
        self,
        w3: Web3,
        url: str,
        account: LocalAccount | None = None,
        *,
        timeout: float = RECEIPT_TIMEOUT,
        fixed_gas: int | None = None,
        on_revert: RevertObserver | None = None,
    ) -> None:
        self._w3 = w3
        self._url = url
        self._account = account
        self._timeout = timeout
        self._fixed_gas = fixed_gas
        self._on_revert = on_revert
        self._price: tuple[float, int] = (0.0, 0)
        self._chain_id: int | None = None

    @classmethod
    def connect(
        cls,
        rpc_url: str,
        private_key: str | bytes | None = None,
        *,
        timeout: float = RECEIPT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> ChainClient:
        """Connect to ``rpc_url`` (HTTP); ``private_key`` enables transactions. ``timeout``
        bounds the wait for a receipt, and with ``request_timeout`` each JSON-RPC request.

        A URL that is not http(s) is refused here, before any request.
        """
        check_rpc_url(rpc_url)
        per_request = min(timeout, request_timeout)
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": per_request}))
        account = Account.from_key(private_key) if private_key is not None else None
        return cls(w3, rpc_url, account, timeout=timeout)

    def with_account(self, private_key: str | bytes) -> ChainClient:
        """A client on the same connection that signs with ``private_key``."""
        return ChainClient(
            self._w3,
            self._url,
            Account.from_key(private_key),
            timeout=self._timeout,
            fixed_gas=self._fixed_gas,
            on_revert=self._on_revert,
        )

    def with_fixed_gas(self, gas: int | None) -> ChainClient:
        """The same account, sending with gas limit ``gas`` instead of estimating (devnets:
        saves a round trip; reverts are still decoded by replaying the call)."""
        return ChainClient(
            self._w3,
            self._url,
            self._account,
            timeout=self._timeout,
            fixed_gas=gas,
            on_revert=self._on_revert,
        )

    def with_revert_observer(self, on_revert: RevertObserver) -> ChainClient:
        """The same account, telling ``on_revert`` (function name, gas burnt) of every
        transaction it sends that is mined and reverts, whichever caller sent it (metrics)."""
        return ChainClient(
            self._w3,
            self._url,
            self._account,
            timeout=self._timeout,
            fixed_gas=self._fixed_gas,
            on_revert=on_revert,
        )

    # ------------------------------------------------------------------ basics

    @property
    def address(self) -> str:
        """The signing account's address."""
        if self._account is None:
            raise ChainError("this chain client has no account; pass a private key to sign")
        return str(self._account.address)

    @property
    def account(self) -> LocalAccount:
        """The signing account (for senders that sign themselves: :mod:`avs.chain.bulk`)."""
        if self._account is None:
            raise ChainError("this chain client has no account; pass a private key to sign")
        return self._account

    @property
    def url(self) -> str:
        """The RPC URL (may hold an API key: never log it; see :attr:`shown_url`)."""
        return self._url

    @property
    def shown_url(self) -> str:
        """The RPC URL as messages show it: ``scheme://host[:port]``."""
        return redact_url(self._url)

    def _guard(self, what: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ContractLogicError:
            raise
        except Web3RPCError as exc:  # the node answered with a JSON-RPC error
            raise ChainError(self._rpc_failure(what, rpc_error_message(exc))) from exc
        except Web3Exception as exc:  # web3's own checks (a malformed address, say)
            raise ChainError(
                f"{what} failed on {self.shown_url}: {scrub(str(exc), self._url)}"
            ) from exc
        except (OSError, ValueError) as exc:
            # ValueError: an endpoint that answers, but not JSON-RPC (an HTML page, say)
            raise unreachable(self._url, exc) from exc

    def _rpc_failure(self, what: str, message: str) -> str:
        """One line for a JSON-RPC error; the common funding mistake names its fix."""
        if "insufficient funds" in message.lower() and self._account is not None:
            address = self._account.address
            try:
                balance = f"{self._w3.eth.get_balance(address) / 10**18:.6g} ETH"
            except (OSError, ValueError, Web3Exception):
                balance = "too little ETH"
            return (
                f"{what}: account {address} has {balance}, not enough to pay for gas; "
                f"fund it with ETH on this chain ({self.shown_url}) and retry"
            )
        return f"{what} failed on {self.shown_url}: {scrub(message, self._url)}"

    @property
    def chain_id(self) -> int:
        """Chain id (cached)."""
        if self._chain_id is None:
            self._chain_id = int(self._guard("eth_chainId", lambda: self._w3.eth.chain_id))
        return self._chain_id

    def block_number(self) -> int:
        """Latest block number."""
        return int(self._guard("eth_blockNumber", lambda: self._w3.eth.block_number))

    def balance(self, address: str) -> int:
        """Wei balance of ``address``."""
        return int(self._guard("eth_getBalance", self._w3.eth.get_balance, address))

    def rpc(self, method: str, params: Sequence[Any] = ()) -> Any:
        """A raw JSON-RPC request (e.g. anvil's evm_snapshot); returns ``result``."""
        resp = self._guard(method, self._w3.provider.make_request, method, list(params))
        if "error" in resp:
            raise ChainError(self._rpc_failure(method, rpc_error_message(resp)))
        return resp["result"]

    # ------------------------------------------------------------------ calls

    def call(
        self, contract: Contract, fn: str, *args: Any, block: int | str | None = None
    ) -> tuple[Any, ...]:
        """eth_call ``fn(*args)`` at ``block`` (a number, "pending", default "latest");
        returns the decoded outputs as a tuple."""
        f = contract.abi.function(fn)
        tx: dict[str, Any] = {"to": contract.address, "data": f.encode_call(args)}
        if self._account is not None:
            tx["from"] = self._account.address
        where = f"{contract.name}.{fn}"
        try:
            raw = self._guard(where, self._w3.eth.call, tx, "latest" if block is None else block)
        except ContractLogicError as exc:
            raise contract_revert(where, _revert_data(exc)) from None
        return f.decode_output(bytes(raw))

    def call1(self, contract: Contract, fn: str, *args: Any, block: int | str | None = None) -> Any:
        """eth_call for a function with one return value."""
        (value,) = self.call(contract, fn, *args, block=block)
        return value

    # ------------------------------------------------------------------ transactions

    def transact(
        self,
        contract: Contract,
        fn: str,
        *args: Any,
        value: int = 0,
        gas: int | None = None,
        estimate_at: str = "latest",
    ) -> Receipt:
        """Send ``fn(*args)``, wait for it, and return the receipt; reverts raise ContractRevert.

        The gas is estimated against block ``estimate_at``: "pending" for a call that must
        see the block it will be mined in (a certificate, whose reference block is only in
        the past from there), else the node's latest state.
        """
        data = contract.abi.function(fn).encode_call(args)
        return self._send(f"{contract.name}.{fn}", contract.address, data, value, gas, estimate_at)

    def deploy(self, artifact: Artifact, *args: Any) -> Contract:
        """Deploy ``artifact`` with constructor ``args``."""
        data = artifact.bytecode + artifact.abi.encode_constructor(args)
        receipt = self._send(f"deploy {artifact.name}", None, data, 0, None)
        if receipt.contract_address is None:
            raise ChainError(f"deploying {artifact.name} created no contract")
        return Contract(artifact.name, receipt.contract_address, artifact.abi)

    def send_value(self, to: str, value: int) -> Receipt:
        """Send plain ETH."""
        return self._send(f"transfer to {to}", to, b"", value, 21_000)

    def _send(
        self,
        where: str,
        to: str | None,
        data: bytes,
        value: int,
        gas: int | None,
        estimate_at: str = "latest",
    ) -> Receipt:
        account = self._account
        if account is None:
            raise ChainError(f"{where}: this chain client has no account to sign with")
        tx: dict[str, Any] = {"from": account.address, "data": data, "value": value}
        if to is not None:
            tx["to"] = to
        if gas is None and self._fixed_gas is not None:
            gas = self._fixed_gas
        if gas is None:
            # Outside the key's lock: an estimate does not depend on the nonce, and several
            # transactions of one key (certificates of tasks in one block) estimate at once
            # instead of queueing behind each other's estimates.
            try:
                estimate = self._guard(where, self._w3.eth.estimate_gas, tx, estimate_at)
            except ContractLogicError as exc:
                raise contract_revert(where, _revert_data(exc)) from None
            gas = int(estimate) * GAS_MARGIN_NUM // GAS_MARGIN_DEN
        price = self._gas_price()
        tx.update(
            gas=gas,
            chainId=self.chain_id,
            maxFeePerGas=2 * price,
            maxPriorityFeePerGas=min(price, 10**9),
        )
        del tx["from"]
        read_started = time.monotonic()
        pending = self._pending_nonce(account.address)
        with key_lock(self._url, account.address):
            tx_hash = self._send_signed(where, account, tx, pending, read_started)
            sent = time.monotonic()
        receipt = self._wait(where, bytes(tx_hash), tx)
        return replace(receipt, wait_seconds=time.monotonic() - sent)

    def _pending_nonce(self, address: str) -> int:
        return int(
            self._guard(
                "eth_getTransactionCount", self._w3.eth.get_transaction_count, address, "pending"
            )
        )

    def _send_signed(
        self,
        where: str,
        account: LocalAccount,
        tx: dict[str, Any],
        pending: int,
        read_started: float,
    ) -> bytes:
        """Sign and send (under the key's lock) with the nonce the book picks from the
        pending count read at ``read_started``; a nonce another sender took (same key,
        other process) is read and picked again."""
        book = nonce_book(self._url, account.address)
        for attempt in range(NONCE_ATTEMPTS):
            tx["nonce"] = book.choose(pending, read_started)
            signed = account.sign_transaction(tx)
            send = self._w3.eth.send_raw_transaction
            try:
                tx_hash = bytes(self._guard(where, send, signed.raw_transaction))
            except ChainError as exc:
                if attempt + 1 < NONCE_ATTEMPTS and is_nonce_conflict(str(exc)):
                    read_started = time.monotonic()
                    pending = self._pending_nonce(account.address)
                    continue
                raise
            book.sent(tx["nonce"])
            return tx_hash
        raise AssertionError("unreachable: NONCE_ATTEMPTS >= 1")

    def _wait(self, where: str, tx_hash: bytes, tx: dict[str, Any]) -> Receipt:
        try:
            raw = self._w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self._timeout, poll_latency=0.05
            )
        except TimeExhausted:
            raise ChainError(
                f"{where}: transaction 0x{tx_hash.hex()} not mined within {self._timeout:.0f}s"
            ) from None
        receipt = _to_receipt(raw)
        if int(raw["status"]) != 1:
            if self._on_revert is not None:
                # "Contract.function" -> "function"; deploys and transfers keep their text
                self._on_revert(where.rpartition(".")[2], receipt.gas_used)
            # replay on the mined block (same block.number; the failed tx changed no state)
            # to recover the revert data
            replay: TxParams = {
                "from": self.address,
                "data": tx["data"],
                "value": tx["value"],
            }
            if "to" in tx:
                replay["to"] = tx["to"]
            try:
                self._w3.eth.call(replay, receipt.block_number)
            except ContractLogicError as exc:
                revert = contract_revert(where, _revert_data(exc))
                revert.gas_used = receipt.gas_used
                raise revert from None
            except (OSError, Web3Exception):
                pass
            if receipt.gas_used >= int(tx["gas"]):
                raise ChainError(
                    f"{where}: transaction 0x{tx_hash.hex()} ran out of gas (limit {tx['gas']}); "
                    "raise the gas limit"
                )
            revert = ContractRevert(
                f"{where}: transaction 0x{tx_hash.hex()} reverted (gas used {receipt.gas_used})"
            )
            revert.gas_used = receipt.gas_used
            raise revert
        return receipt

    def _gas_price(self) -> int:
        """eth_gasPrice, cached for a second (the fee cap is twice this, ample headroom)."""
        stamp, price = self._price
        now = time.monotonic()
        if now - stamp > 1.0:
            price = int(self._guard("eth_gasPrice", lambda: self._w3.eth.gas_price))
            self._price = (now, price)
        return price

    # ------------------------------------------------------------------ logs

    def get_logs(
        self,
        addresses: Sequence[str],
        topic0s: Sequence[bytes],
        from_block: int,
        to_block: int,
        topic1: bytes | None = None,
    ) -> list[Log]:
        """Logs of ``addresses`` whose topic0 is one of ``topic0s`` in [from_block, to_block]."""
        topics: list[Any] = [["0x" + t.hex() for t in topic0s]]
        if topic1 is not None:
            topics.append("0x" + topic1.hex())
        flt = {
            "address": list(addresses),
            "topics": topics,
            "fromBlock": from_block,
            "toBlock": to_block,
        }
        raw = self._guard("eth_getLogs", self._w3.eth.get_logs, flt)
        return [_to_log(entry) for entry in raw]


def _to_log(raw: Any) -> Log:
    return Log(
        address=to_checksum_address(raw["address"]),
        topics=tuple(bytes(t) for t in raw["topics"]),
        data=bytes(raw["data"]),
        block_number=int(raw["blockNumber"]),
        tx_hash=bytes(raw["transactionHash"]),
        log_index=int(raw["logIndex"]),
    )


def _to_receipt(raw: Any) -> Receipt:
    created = raw.get("contractAddress")
    return Receipt(
        tx_hash=bytes(raw["transactionHash"]),
        block_number=int(raw["blockNumber"]),
        gas_used=int(raw["gasUsed"]),
        effective_gas_price=int(raw.get("effectiveGasPrice", 0)),
        logs=tuple(_to_log(entry) for entry in raw["logs"]),
        contract_address=to_checksum_address(created) if created else None,
    )
