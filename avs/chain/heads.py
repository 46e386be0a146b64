"""New blocks pushed over a websocket (``eth_subscribe newHeads``); polling stays the fallback.

A push is only a wake-up: the follower it wakes reads the head and the logs with the same
JSON-RPC calls and the same decoding as a timed poll, so nothing a pushed message says is
trusted (a hostile or broken node can at worst wake it early). Nothing is lost while the
socket is down either: the follower's own timer keeps polling, and its block cursor covers
every block whether a push or the timer woke it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from avs.backoff import Backoff
from avs.errors import ChainError, ConfigError
from avs.logging import get_logger
from avs.urls import redact_url

PUSH_BACKOFF = Backoff(initial=0.5, factor=2.0, maximum=30.0, jitter=0.2)
"""Reconnect schedule of the subscription (the timer polls meanwhile)."""
MAX_MESSAGE_BYTES = 256 * 1024
"""Largest websocket message accepted (a block header is about 1 KiB)."""
_SUBSCRIBE_ID = 1
log = get_logger(component="chain.push")


def check_ws_url(url: str) -> None:
    """A websocket JSON-RPC URL (``ws://`` or ``wss://``), else ConfigError."""
    if not url.startswith(("ws://", "wss://")):
        raise ConfigError(
            f"ws_url {redact_url(url)!r} is not a websocket URL; use ws://host:port (anvil "
            "serves it on its HTTP port) or wss://..., or leave ws_url empty to poll only"
        )


class HeadPush:
    """Keeps a ``newHeads`` subscription open and wakes one waiter per new block."""

    def __init__(
        self, ws_url: str, backoff: Backoff = PUSH_BACKOFF, open_timeout: float = 5.0
    ) -> None:
        """Subscribe at ``ws_url`` (checked here); reconnect with ``backoff`` after a failure."""
        check_ws_url(ws_url)
        self._url = ws_url
        self._backoff = backoff
        self._open_timeout = open_timeout
        self._woken = asyncio.Event()
        self.connected = False
        """Whether the subscription is live now."""
        self.pushes = 0
        """New-head notifications received so far."""
        self.last_push: float | None = None
        """Monotonic time of the latest notification."""

    async def run(self) -> None:
        """Subscribe, and after any failure resubscribe with backoff, until cancelled."""
        failures = 0
        while True:
            try:
                async with connect(
                    self._url,
                    open_timeout=self._open_timeout,
                    max_size=MAX_MESSAGE_BYTES,
                    proxy=None,
                    compression=None,
                ) as socket:
                    subscription = await self._subscribe(socket)
                    self.connected, failures = True, 0
                    log.info("chain_push_connected", url=redact_url(self._url))
                    # A block may have been mined while we were away: look now.
                    self._woken.set()
                    await self._listen(socket, subscription)
            except (OSError, TimeoutError, WebSocketException, ChainError) as exc:
                if self.connected or failures == 0:
                    log.warning("chain_push_lost", url=redact_url(self._url), error=str(exc))
            finally:
                self.connected = False
            await asyncio.sleep(self._backoff.delay(failures))
            failures += 1

    async def wait(self, timeout: float) -> bool:
        """Wait until a new block is pushed, at most ``timeout`` s; True if a push woke us.

        Pushes that arrived since the previous wait count: the caller never misses a block
        that was mined while it was busy reading the one before.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._woken.wait()
        woken = self._woken.is_set()
        self._woken.clear()
        return woken

    async def _subscribe(self, socket: ClientConnection) -> str:
        request = {"jsonrpc": "2.0", "id": _SUBSCRIBE_ID, "method": "eth_subscribe"}
        await socket.send(json.dumps({**request, "params": ["newHeads"]}))
        async with asyncio.timeout(self._open_timeout):
            while True:
                reply = _parse(await socket.recv())
                if reply is None or reply.get("id") != _SUBSCRIBE_ID:
                    continue
                result = reply.get("result")
                if not isinstance(result, str) or not result:
                    raise ChainError(f"eth_subscribe newHeads refused: {str(reply)[:200]}")
                return result

    async def _listen(self, socket: ClientConnection, subscription: str) -> None:
        async for raw in socket:
            message = _parse(raw)
            if message is None or message.get("method") != "eth_subscription":
                continue
            params = message.get("params")
            if isinstance(params, dict) and params.get("subscription") == subscription:
                self.pushes += 1
                self.last_push = time.monotonic()
                self._woken.set()


async def wait_for_block(push: HeadPush | None, interval: float) -> bool:
    """Sleep until the next poll is due: ``interval`` s, or earlier when ``push`` announces a
    block. Returns whether a push woke the caller."""
    if push is None:
        await asyncio.sleep(interval)
        return False
    return await push.wait(interval)


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    """A JSON object, or None for anything else (ignored, never fatal)."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
