"""Run a local anvil (the npm ``@foundry-rs/anvil`` binary) on a loopback port.

Used by the integration tests (one instance per test session, free port) and by the devnet.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from web3 import Web3

from avs.errors import ChainError

DEFAULT_HARDFORK = "prague"
"""Matches the contracts' evmVersion."""
DEFAULT_CHAIN_ID = 31337
DEV_MNEMONIC = "test test test test test test test test test test test junk"
"""Anvil's well-known development mnemonic (its accounts are public: devnets only)."""
DEV_PRIVATE_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
)
"""The first dev accounts of DEV_MNEMONIC (public knowledge; never use outside a devnet)."""


def _platform_dir() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )
    return f"anvil-{platform.system().lower()}-{arch}"


def find_anvil() -> Path:
    """The anvil binary: $AVS_ANVIL_BIN, the npm package under contracts/, or PATH."""
    env = os.environ.get("AVS_ANVIL_BIN")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "contracts" / "node_modules" / "@foundry-rs" / _platform_dir() / "bin"
        if (candidate / "anvil").is_file():
            return candidate / "anvil"
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise ChainError(
        "anvil not found: run 'make setup' (npm ci in contracts/) or set AVS_ANVIL_BIN"
    )


KEPT_STATES = 256
"""Block states anvil keeps (in memory). Without a bound it writes every older state under
~/.foundry/anvil/tmp and never deletes it when killed: a day of tests filled 60+ GB. Nothing
here reads state older than the latest blocks (history lives in the contracts' checkpoints);
blocks, receipts and logs are all kept."""


def anvil_command(
    binary: Path,
    port: int,
    *,
    host: str = "127.0.0.1",
    chain_id: int = DEFAULT_CHAIN_ID,
    hardfork: str = DEFAULT_HARDFORK,
    block_time: float | None = None,
) -> list[str]:
    """The argv of a development anvil: dev mnemonic, 10 funded accounts, bounded state."""
    args = [
        str(binary),
        "--host", host,
        "--port", str(port),
        "--chain-id", str(chain_id),
        "--hardfork", hardfork,
        "--mnemonic", DEV_MNEMONIC,
        "--accounts", "10",
        "--balance", "1000000",
        "--prune-history", str(KEPT_STATES),
    ]  # fmt: skip
    if block_time is not None:
        args += ["--block-time", str(block_time)]
    return args


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class AnvilProcess:
    """One anvil child process; ``start()`` returns its URL once it answers JSON-RPC."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        chain_id: int = DEFAULT_CHAIN_ID,
        block_time: float | None = None,
        hardfork: str = DEFAULT_HARDFORK,
        extra_args: Sequence[str] = (),
        log_path: Path | None = None,
        binary: Path | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._chain_id = chain_id
        self._block_time = block_time
        self._hardfork = hardfork
        self._extra = tuple(extra_args)
        self._log_path = log_path
        self._binary = binary
        self._proc: subprocess.Popen[bytes] | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """http://host:port of the running node."""
        if not self._url:
            raise ChainError("anvil is not running")
        return self._url

    @property
    def pid(self) -> int | None:
        """Process id while running."""
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 30.0) -> str:
        """Start anvil and wait until it serves requests; returns the URL."""
        if self._proc is not None:
            return self._url
        binary = self._binary or find_anvil()
        port = self._port or free_port(self._host)
        args = anvil_command(
            binary, port, host=self._host, chain_id=self._chain_id, hardfork=self._hardfork,
            block_time=self._block_time,
        )  # fmt: skip
        args += self._extra
        # the child keeps its own handle on the log; ours is closed right away
        with open(self._log_path, "ab") if self._log_path else tempfile.TemporaryFile() as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self._url = f"http://{self._host}:{port}"
        self._wait_ready(timeout)
        return self._url

    def _wait_ready(self, timeout: float) -> None:
        w3 = Web3(Web3.HTTPProvider(self._url, request_kwargs={"timeout": 2}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                raise ChainError(
                    f"anvil exited with code {code} on startup (port in use?); see its log"
                )
            try:
                if int(w3.eth.chain_id) == self._chain_id:
                    return
            except Exception:  # noqa: S110 - not up yet
                pass
            time.sleep(0.05)
        self.stop()
        raise ChainError(f"anvil did not answer on {self._url} within {timeout:.0f}s")

    def stop(self) -> None:
        """Stop the node (terminate, then kill after 5 s)."""
        proc, self._proc = self._proc, None
        self._url = ""
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> AnvilProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
