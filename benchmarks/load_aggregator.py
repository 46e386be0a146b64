"""A real aggregator process for ``benchmarks/load.py``: ``avs aggregator run`` on a loopback
port with its Prometheus endpoint, and its CPU time and memory read from ``/proc``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from avs.chain.devkit import DevSystem
from avs.devnet.nodes import write_config, write_ecdsa_key, write_password

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class AggregatorProcess:
    """``avs aggregator run`` against a :class:`DevSystem`, stopped by :meth:`stop`."""

    def __init__(
        self, directory: Path, system: DevSystem, ecdsa_key: str, profile: Path | None = None
    ) -> None:
        """``profile``: run it under cProfile and write the stats there when it stops."""
        self.directory = directory
        self.profile = profile
        self.system = system
        self.ecdsa_key = bytes.fromhex(ecdsa_key.removeprefix("0x"))
        self.metrics_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._cpu_start = 0.0
        self._wall_start = 0.0
        self._cpu_end = 0.0
        self._wall_end = 0.0
        self._rss_peak_kb = 0

    def start(self, metrics_port: int) -> int:
        """Start it; returns its gRPC port once it serves."""
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        deployment = d / "deployment.json"
        self.system.deployment.save(deployment)
        self.metrics_port = metrics_port
        port_file = d / "port"
        config = write_config(
            d / "aggregator.yaml",
            {
                "rpc_url": self.system.client.url,
                "deployment": str(deployment),
                "ecdsa_key_file": str(write_ecdsa_key(d, self.ecdsa_key)),
                "ecdsa_password_file": str(write_password(d)),
                "data_dir": str(d / "data"),
                "listen": "127.0.0.1:0",
                "port_file": str(port_file),
                "metrics_host": "127.0.0.1",
                "metrics_port": metrics_port,
                # the devnet's settings (avs.devnet.nodes.aggregator_settings)
                "poll_interval": 0.25,
                "linger_seconds": 0.3,
            },
        )
        profiler = [] if self.profile is None else ["-m", "cProfile", "-o", str(self.profile)]
        command = [sys.executable, *profiler, "-m", "avs", "aggregator", "run"]
        log = (d / "aggregator.log").open("wb")
        self._proc = subprocess.Popen(
            [*command, "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"aggregator exited: see {d / 'aggregator.log'}")
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text())
            time.sleep(0.05)
        raise RuntimeError(f"aggregator did not start in {START_TIMEOUT_S:.0f} s")

    def _cpu_seconds(self) -> float:
        assert self._proc is not None
        fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    def _status_kb(self, key: str) -> int:
        assert self._proc is not None
        for line in Path(f"/proc/{self._proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def begin(self) -> None:
        """Start of the timed run."""
        self._cpu_start = self._cpu_seconds()
        self._wall_start = time.perf_counter()
        self.sample()

    def sample(self) -> None:
        """Record CPU time and memory now (the last sample ends the timed run)."""
        self._cpu_end = self._cpu_seconds()
        self._wall_end = time.perf_counter()
        self._rss_peak_kb = max(self._rss_peak_kb, self._status_kb("VmRSS"))

    def usage(self, certified: int) -> dict[str, Any]:
        """CPU and memory of the timed run."""
        cpu = self._cpu_end - self._cpu_start
        wall = self._wall_end - self._wall_start
        return {
            "cpu_s": round(cpu, 2),
            "cpu_cores": round(cpu / wall, 3) if wall > 0 else None,
            "cpu_ms_per_task": round(cpu * 1000 / certified, 1) if certified else None,
            "rss_mb_peak": round(self._rss_peak_kb / 1024, 1),
        }

    def metrics_text(self) -> str:
        """Its Prometheus exposition."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as reply:
            return str(reply.read().decode())

    def warnings(self) -> dict[str, int]:
        """Warning and error events of its log, counted by event name."""
        counts: dict[str, int] = {}
        path = self.directory / "aggregator.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("level") in ("warning", "error"):
                event = str(entry.get("event", "?"))
                counts[event] = counts.get(event, 0) + 1
        return counts

    def stop(self) -> None:
        """SIGTERM, then wait (kill after a timeout)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
