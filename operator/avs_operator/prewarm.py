"""Warm-up at start: fetch, verify and load the registered models of the task types this node
serves, and exercise the signing code, so the first task of each model does no cold work.

The registry is chain data, so everything is bounded: the newest :data:`MAX_CANDIDATES`
registrations are looked at, at most :data:`MAX_MODELS` are loaded (the engine's cache
holds 8), a model over :data:`MAX_MODEL_BYTES` is not downloaded here (its first task
loads it, as before), local ``file://`` URIs are left alone, and the whole warm-up ends
after :data:`DEADLINE_S`. A failure is a log line, never fatal: the node serves tasks
throughout, and the ``warm-up`` service turns Up once the attempt is over (see
:mod:`avs_operator.health`), which is what the node API's readiness waits for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from avs.chain.catalog import registered_model_ids
from avs.chain.reader import ChainReader
from avs.chain.views import ModelInfo as RegistryEntry
from avs.crypto.bn254 import g1_mul, hash_to_g1
from avs.crypto.keccak import keccak256
from avs.logging import get_logger
from avs.models.fetchers import AGGREGATOR_SCHEME
from avs.models.hashing import ContentHash, hash_hex
from avs.models.store import BlobStore
from avs_operator.inference import InferenceEngine
from avs_operator.ports import ModelResolver

MAX_CANDIDATES = 64
"""Newest registrations read from the ModelRegistry."""
MAX_MODELS = 8
"""Models loaded at start (the inference engine keeps 8 sessions)."""
MAX_MODEL_BYTES = 64 * 1024 * 1024
"""Largest model downloaded at start; a bigger one waits for its first task."""
DEADLINE_S = 120.0
"""The whole warm-up, listing included; readiness does not wait longer."""
_FETCHED_SCHEMES = (f"{AGGREGATOR_SCHEME}://", "http://", "https://")
_WARM_MESSAGE = keccak256(b"edge-avs operator warm-up")
T = TypeVar("T")


@dataclass(slots=True)
class WarmReport:
    """What the warm-up did (logged as ``prewarm_done``)."""

    loaded: list[str] = field(default_factory=list)
    """Model ids (hex) whose sessions are built."""
    failed: list[str] = field(default_factory=list)
    """Model ids (hex) that could not be fetched, verified or loaded."""
    skipped: int = 0
    """Registered models left alone: inactive, another task type, local URI or over a cap."""
    complete: bool = True
    """False when the deadline ended the warm-up."""


def warm_signer() -> None:
    """Run hash-to-curve and a scalar multiplication once (imports, integer backend, caches)
    with a throwaway scalar: the operator's key signs nothing here."""
    g1_mul(hash_to_g1(_WARM_MESSAGE), 3)


def chosen(entries: list[RegistryEntry], served: Collection[str]) -> tuple[list[bytes], int]:
    """The model ids worth loading (newest first, at most :data:`MAX_MODELS`) and how many
    registered models were passed over."""
    picked = [
        e.model_id
        for e in reversed(entries)
        if e.active and e.task_type in served and (not e.uri or e.uri.startswith(_FETCHED_SCHEMES))
    ][:MAX_MODELS]
    return picked, len(entries) - len(picked)


class WarmUp:
    """Warms a node's engine, model resolver and signing code from the chain's registry."""

    def __init__(
        self,
        reader: ChainReader | None,
        resolver: ModelResolver,
        engine: InferenceEngine,
        blobs: BlobStore,
        served: Collection[str],
        max_model_bytes: int = MAX_MODEL_BYTES,
    ) -> None:
        """``blobs`` is the node's store (models land where tasks look for them); ``served``
        the task types installed; no ``reader``: only the signing code is warmed."""
        self._reader = reader
        self._resolver = resolver
        self._engine = engine
        # The same directory and sources, with the warm-up's own size cap.
        self._blobs = BlobStore(blobs.cache_dir, source=blobs.source, max_blob_size=max_model_bytes)
        self._served = frozenset(served)
        self._stopped = threading.Event()
        self._log = get_logger(component="operator")

    async def run(self, deadline_s: float = DEADLINE_S) -> WarmReport:
        """Warm up within ``deadline_s``; never raises (except on cancellation)."""
        started = time.monotonic()
        report = WarmReport()
        # Its own thread, not the loop's default pool: a download that waits on a slow
        # aggregator must not hold threads other work (an in-process aggregator) needs.
        pool = ThreadPoolExecutor(1, thread_name_prefix="avs-warm")
        try:
            async with asyncio.timeout(deadline_s):
                await self._in(pool, warm_signer)
                if self._reader is not None:
                    await self._models(pool, self._reader, report)
        except TimeoutError:
            report.complete = False
            self._log.warning("prewarm_deadline", seconds=deadline_s)
        except Exception as exc:  # the chain's listing failed: tasks load models as before
            report.complete = False
            self._log.warning("prewarm_failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._stopped.set()  # a listing still running in its thread ends at the next range
            pool.shutdown(wait=False, cancel_futures=True)
        self._log.info(
            "prewarm_done",
            loaded=len(report.loaded),
            failed=len(report.failed),
            skipped=report.skipped,
            complete=report.complete,
            seconds=round(time.monotonic() - started, 2),
        )
        return report

    @staticmethod
    async def _in(pool: ThreadPoolExecutor, call: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, call, *args)

    async def _models(
        self, pool: ThreadPoolExecutor, reader: ChainReader, report: WarmReport
    ) -> None:
        entries = await self._in(pool, self._entries, reader)
        ids, report.skipped = chosen(entries, self._served)
        for model_id in ids:
            try:
                info = await self._resolver.resolve(model_id)  # also fills the resolver's cache
                # Fetched and verified onto disk under the cap; the engine reads it there.
                digest = ContentHash(info.content_hash)
                await self._in(pool, self._blobs.get, digest, info.uri or None)
                await self._in(pool, self._engine.warm, info)
            except Exception as exc:  # hostile or broken entries: logged, never fatal
                report.failed.append(hash_hex(model_id))
                self._log.warning(
                    "prewarm_model_failed",
                    model_id=hash_hex(model_id),
                    error=f"{type(exc).__name__}: {exc}"[:500],
                )
            else:
                report.loaded.append(hash_hex(model_id))

    def _entries(self, reader: ChainReader) -> list[RegistryEntry]:
        ids = registered_model_ids(reader, MAX_CANDIDATES, self._stopped.is_set)
        entries = []
        for model_id in ids:
            if self._stopped.is_set():
                break
            entries.append(reader.model(model_id))
        return entries
