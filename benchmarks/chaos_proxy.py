"""A loopback TCP proxy in front of the chain's RPC that can refuse or hang (chaos only).

``pass`` forwards bytes both ways; ``refuse`` closes the listening socket and every open
connection (clients see connection refused); ``hang`` accepts connections and never
answers (clients see only their own timeouts). Leaving a mode closes what it held, so
clients reconnect through the next one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Literal

Mode = Literal["pass", "refuse", "hang"]


class RpcProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to ``upstream`` (host, port)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._mode: Mode = "pass"
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` for the processes to use as their RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RpcProxy:
        """Start listening (on a free port the first time, the same port after)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def set_mode(self, mode: Mode) -> None:
        """Switch mode; connections of the previous mode are closed."""
        with self._lock:
            previous, self._mode = self._mode, mode
            held, self._open = self._open, set()
        for conn in held:
            _close(conn)
        if mode == "refuse" and self._listener is not None:
            _close(self._listener)
            self._listener = None
        if previous == "refuse" and mode != "refuse":
            self.start()

    def stop(self) -> None:
        """Close everything."""
        self._stopped.set()
        self.set_mode("refuse")

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # closed: refusing, or stopped
            with self._lock:
                mode = self._mode
                self._open.add(client)
            if mode == "pass":
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()
            # hang: hold the connection, answer nothing, until the mode changes

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream, timeout=10)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.add(upstream)
        pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
        pump.start()
        _pipe(client, upstream)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
