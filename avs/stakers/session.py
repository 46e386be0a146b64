"""One stakers'-view session: a checked chain source, its cache, and a fresh ledger on demand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from avs.chain.deployment import Deployment
from avs.stakers.cache import EventCache, default_cache_path
from avs.stakers.indexer import ProgressFn, SyncResult, sync
from avs.stakers.ledger import Ledger
from avs.stakers.report import Context
from avs.stakers.source import ChainSource, connect

DEFAULT_DEPLOYMENT = Path(".devnet/deployment.json")
"""Where the devnet writes its deployment JSON."""
DEVNET_RPC_FILE = Path(".devnet/rpc_url")
"""Where the devnet writes its RPC URL."""
FALLBACK_RPC_URL = "http://127.0.0.1:8545"


def default_rpc_url() -> str:
    """The devnet's RPC URL if it wrote one, else the local default."""
    try:
        text = DEVNET_RPC_FILE.read_text().strip()
    except OSError:
        return FALLBACK_RPC_URL
    return text or FALLBACK_RPC_URL


@dataclass(frozen=True, slots=True)
class Target:
    """Where to read from and where to cache."""

    rpc_url: str
    """JSON-RPC endpoint."""
    deployment: Path
    """Deployment JSON."""
    cache: Path | None
    """Cache file; None for the default path."""
    use_cache: bool = True
    """False: scan from the deployment block in memory (cold scan)."""


class Session:
    """A connected source and its cache; :meth:`refresh` reads new blocks."""

    def __init__(self, source: ChainSource, cache: EventCache) -> None:
        self.source = source
        self.cache = cache
        d: Deployment = source.deployment
        self.context = Context(d.chain_id, d.contracts["TaskManager"], d.block)
        self.last_sync: SyncResult | None = None

    @classmethod
    def open(cls, target: Target) -> Session:
        """Connect (clear errors for a wrong URL or deployment) and open the cache."""
        source = connect(target.rpc_url, target.deployment)
        path: Path | None = None
        if target.use_cache:
            d = source.deployment
            path = target.cache or default_cache_path(d.chain_id, d.contracts["TaskManager"])
        return cls(source, EventCache(path))

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cache.close()

    def refresh(self, progress: ProgressFn | None = None) -> Ledger:
        """Read up to the head and return the ledger of every record."""
        known = self.last_sync.records if self.last_sync is not None else None
        result = sync(self.source, self.cache, progress=progress, known=known)
        self.last_sync = result
        return Ledger(result.records, result.head)

    def delegators(self, ledger: Ledger, operator: str) -> list[tuple[str, list[tuple[str, int]]]]:
        """Current delegators of ``operator`` with their withdrawable shares per strategy."""
        strategies = sorted({q.strategy for q in ledger.registry.quorums.values()})
        out: list[tuple[str, list[tuple[str, int]]]] = []
        for staker in ledger.delegators(operator):
            shares = self.source.withdrawable_shares(staker, strategies) if strategies else ()
            out.append((staker, list(zip(strategies, shares, strict=True))))
        out.sort(key=lambda d: (-sum(v for _, v in d[1]), d[0].lower()))
        return out
