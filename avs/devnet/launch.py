"""Starting the devnet's processes: anvil, the aggregator, the operators."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from avs.chain.anvil import DEV_PRIVATE_KEYS, anvil_command, find_anvil, free_port
from avs.chain.client import ChainClient
from avs.chain.devkit import OnboardedOperator
from avs.devnet.layout import DevnetLayout
from avs.devnet.nodes import aggregator_settings, operator_settings, write_config
from avs.devnet.processes import ProcessGroup, wait_for_file
from avs.errors import AvsError, ChainError

AGGREGATOR = "aggregator"
OPERATOR_NICENESS = 10
"""CPU priority of the devnet's operator processes below chain and aggregator. In a real
network every operator runs on its own machine, and the aggregator and chain node share a
core with none of them; on one host, N operators would otherwise starve the aggregator
whose certificate they all wait for (32 operators on 2 cores: certificates sent after
their deadline). Operators still get every idle cycle."""


class PortPool:
    """Hands out free loopback ports, never the same one twice.

    A port is only free until someone binds it; two quick calls of ``free_port`` can return
    the same one, which would make two devnet processes collide.
    """

    def __init__(self) -> None:
        self._handed_out: set[int] = set()

    def take(self) -> int:
        """A free port not handed out before by this pool."""
        while True:
            port = free_port()
            if port not in self._handed_out:
                self._handed_out.add(port)
                return port


def start_chain(
    group: ProcessGroup, layout: DevnetLayout, ports: PortPool, block_time: float | None = None
) -> str:
    """Start anvil on a free loopback port; returns its URL once it answers. It automines
    (one block per transaction: a fast set-up) unless ``block_time`` makes it mine a block
    every ``block_time`` s from the start."""
    port = ports.take()
    argv = anvil_command(find_anvil(), port, block_time=block_time)
    group.start("anvil", argv, layout.logs / "anvil.log")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not group.is_running("anvil"):
            raise ChainError(f"anvil exited on start; see {layout.logs / 'anvil.log'}")
        try:
            ChainClient.connect(url, timeout=2).block_number()
            return url
        except ChainError:
            time.sleep(0.05)
    raise ChainError(f"anvil did not answer on {url} within 30s")


def avs_command(*args: str) -> list[str]:
    """argv running the ``avs`` CLI of this interpreter with JSON logs."""
    return [sys.executable, "-m", "avs", "--log-json", *args]


def write_aggregator_config(
    layout: DevnetLayout, url: str, ports: PortPool, block_time: float = 1.0
) -> Path:
    """The aggregator's keys and config, listening on a fixed free port (kept on restart)."""
    directory = layout.aggregator_dir
    key = bytes.fromhex(DEV_PRIVATE_KEYS[1][2:])
    settings = aggregator_settings(directory, url, layout.deployment, key, ports.take(), block_time)
    settings["listen"] = f"127.0.0.1:{ports.take()}"
    return write_config(directory / "aggregator.yaml", settings)


def start_aggregator(group: ProcessGroup, layout: DevnetLayout, config: Path) -> int:
    """Start (or restart) the aggregator process; returns its gRPC port once it serves."""
    port_file = layout.aggregator_dir / "port"
    port_file.unlink(missing_ok=True)
    group.start(
        AGGREGATOR,
        avs_command("aggregator", "run", "--config", str(config)),
        layout.logs / "aggregator.log",
    )
    return int(wait_for_file(port_file, 60, group, AGGREGATOR))


def start_operators(
    group: ProcessGroup,
    layout: DevnetLayout,
    url: str,
    aggregator_port: int,
    operators: list[OnboardedOperator],
    faulty: set[str],
    ports: PortPool,
    block_time: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write each operator's keys and config, start its process, wait until all are healthy
    (warmed up; ``progress`` gets (ready, total))."""
    api_ports = []
    for index, op in enumerate(operators):
        directory = layout.operator_dir(index)
        api_port = ports.take()
        settings = operator_settings(
            directory,
            url,
            layout.deployment,
            f"127.0.0.1:{aggregator_port}",
            op.keypair,
            bytes(op.account.key),
            api_port,
            ports.take(),
            op.address in faulty,
            block_time,
        )
        config = write_config(directory / "operator.yaml", settings)
        name = f"operator-{index}"
        group.start(
            name,
            avs_command("operator", "run", "--config", str(config)),
            layout.logs / f"{name}.log",
            niceness=OPERATOR_NICENESS,
        )
        api_ports.append((name, api_port))
    wait_all_healthy(group, api_ports, layout.logs, progress)


def wait_all_healthy(
    group: ProcessGroup,
    nodes: list[tuple[str, int]],
    logs: Path,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 180,
) -> None:
    """Wait until every node API in ``nodes`` (name, port) answers 200 on /eigen/node/health:
    up, connected and warmed up (models loaded), so tasks created next meet warm operators;
    ``progress`` gets (ready, total) each time more are ready."""
    deadline = time.monotonic() + timeout
    waiting = dict(nodes)
    while waiting and time.monotonic() < deadline:
        before = len(waiting)
        for name, port in list(waiting.items()):
            if not group.is_running(name):
                raise AvsError(f"{name} exited on start; see {logs / f'{name}.log'}")
            if _healthy(port):
                del waiting[name]
        if progress is not None and len(waiting) < before:
            progress(len(nodes) - len(waiting), len(nodes))
        if waiting:
            time.sleep(0.2)
    if waiting:
        name = min(waiting)
        raise AvsError(
            f"{len(waiting)} node(s) did not become healthy within {timeout:.0f}s; "
            f"see {logs / f'{name}.log'}"
        )


def wait_healthy(group: ProcessGroup, name: str, port: int, log: Path, timeout: float = 90) -> None:
    """Wait until the node API of ``name`` answers 200 on /eigen/node/health."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group.is_running(name):
            raise AvsError(f"{name} exited on start; see {log}")
        if _healthy(port):
            return
        time.sleep(0.2)
    raise AvsError(f"{name} did not become healthy within {timeout:.0f}s; see {log}")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/eigen/node/health", timeout=2
        ) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False
