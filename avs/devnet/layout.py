"""Where a devnet keeps its files (all under one work directory, ``.devnet`` by default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKDIR = Path(".devnet")


@dataclass(frozen=True, slots=True)
class DevnetLayout:
    """Paths of one devnet."""

    root: Path
    """The work directory."""

    @property
    def state_file(self) -> Path:
        """Pids of the running processes (read by ``avs devnet down``)."""
        return self.root / "state.json"

    @property
    def rpc_url_file(self) -> Path:
        """The chain's RPC URL (read by other commands as their default)."""
        return self.root / "rpc_url"

    @property
    def aggregator_url_file(self) -> Path:
        """The aggregator's gRPC ``host:port`` (the developer commands' default)."""
        return self.root / "aggregator_url"

    @property
    def tls_dir(self) -> Path:
        """The devnet's throwaway CA and the aggregator's certificate (:mod:`avs.devnet.certs`)."""
        return self.root / "tls"

    @property
    def ca_file(self) -> Path:
        """The throwaway CA's certificate (operators and commands verify the aggregator with it)."""
        return self.tls_dir / "ca.pem"

    @property
    def deployment(self) -> Path:
        """Deployment JSON of the contracts."""
        return self.root / "deployment.json"

    @property
    def logs(self) -> Path:
        """One log file per process."""
        return self.root / "logs"

    @property
    def aggregator_dir(self) -> Path:
        """Aggregator config, keys and data."""
        return self.root / "aggregator"

    def operator_dir(self, index: int) -> Path:
        """Operator ``index``'s config, keys and data."""
        return self.root / f"operator-{index}"

    @property
    def summary(self) -> Path:
        """The last run's summary JSON."""
        return self.root / "summary.json"
