"""Prometheus metrics with EigenLayer node-spec names plus ``avs_*`` counters.

Each component builds its own :class:`CollectorRegistry` (no global state), so two
components in one test process never share counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STAGE_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
    0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0,
)  # fmt: skip
"""Fine buckets of ``avs_task_stage_seconds``: a stage of a next-block certificate takes
milliseconds to a few hundred, and the devnet reads p50/p95 from these buckets."""
STAGE_METRIC = "avs_task_stage_seconds"
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
"""Arrival batches hold at most ``avs_aggregator.arrivals.MAX_BATCH`` (512) signatures."""


@dataclass(frozen=True, slots=True)
class RevertedTransactions:
    """``avs_reverted_transactions_total`` and ``avs_reverted_gas_total``, by contract
    function: every mined transaction of a node's key that reverted, and the gas it burnt."""

    count: Counter
    gas: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> RevertedTransactions:
        """Both counters, in ``registry``."""
        return cls(
            count=Counter(
                "avs_reverted_transactions",
                "Mined transactions that reverted",
                ["function"],
                registry=registry,
            ),
            gas=Counter(
                "avs_reverted_gas",
                "Gas burnt by reverted transactions",
                ["function"],
                registry=registry,
            ),
        )

    def observe(self, function: str, gas_used: int) -> None:
        """Count one reverted transaction of ``function`` (a chain client's revert observer)."""
        self.count.labels(function).inc()
        self.gas.labels(function).inc(gas_used)


@dataclass(frozen=True, slots=True)
class OperatorMetrics:
    """Metrics an operator node exports."""

    registry: CollectorRegistry
    performance_score: Gauge
    """``eigen_performance_score``: 100 when healthy, lower when degraded (node spec)."""
    tasks_received: Counter
    """Tasks learned of, by source (chain, stream)."""
    tasks_signed: Counter
    """Responses signed and submitted, by outcome (signed, abstained)."""
    tasks_failed: Counter
    """Tasks that could not be answered, by reason."""
    inference_seconds: Histogram
    """Wall time of running one task's batch through onnxruntime."""
    slashings: Counter
    """``avs_slashings_total``: slashing events against this operator seen on chain."""
    events_malformed: Counter
    """``avs_events_malformed_total``: followed chain logs skipped as undecodable, by event."""
    source_errors: Counter
    """``avs_source_errors_total``: unexpected failures of a task source, by source."""
    stage_seconds: Histogram
    """``avs_task_stage_seconds{stage}``: time of each step of a task in this node (seen,
    queued, checks, fetch, inference, sign, submit; see docs/architecture.md)."""
    reverted: RevertedTransactions
    """Reverted transactions of the node's watchtower challenger, by function."""

    @classmethod
    def create(cls) -> OperatorMetrics:
        """Fresh metrics in a new registry."""
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            performance_score=Gauge(
                "eigen_performance_score", "Node performance score (0-100)", registry=reg
            ),
            tasks_received=Counter(
                "avs_tasks_received", "Tasks received", ["source"], registry=reg
            ),
            tasks_signed=Counter("avs_tasks_signed", "Responses signed", ["outcome"], registry=reg),
            tasks_failed=Counter(
                "avs_tasks_failed", "Tasks not answered", ["reason"], registry=reg
            ),
            inference_seconds=Histogram(
                "avs_inference_seconds",
                "Inference time per task",
                buckets=LATENCY_BUCKETS,
                registry=reg,
            ),
            slashings=Counter(
                "avs_slashings", "Slashings of this operator seen on chain", ["fault"], registry=reg
            ),
            events_malformed=_malformed_counter(reg),
            source_errors=Counter(
                "avs_source_errors", "Unexpected task source failures", ["source"], registry=reg
            ),
            stage_seconds=_stage_histogram(reg),
            reverted=RevertedTransactions.create(reg),
        )


@dataclass(frozen=True, slots=True)
class AggregatorMetrics:
    """Metrics an aggregator exports."""

    registry: CollectorRegistry
    performance_score: Gauge
    """``eigen_performance_score`` of the aggregator process."""
    responses: Counter
    """Signed responses received, by status (accepted, duplicate, invalid, ...)."""
    certificates: Counter
    """Certificates submitted, by outcome (certified, already_certified, failed)."""
    expired: Counter
    """Tasks that passed their deadline without a certificate."""
    reverted: RevertedTransactions
    """Every reverted transaction of the aggregator's key (certificates, evidence, stake
    refreshes), by contract function."""
    verify_seconds: Histogram
    """Time spent verifying signatures per batch."""
    verify_batch_size: Histogram
    """Signatures checked together in one batch as responses arrive."""
    events_malformed: Counter
    """``avs_events_malformed_total``: followed chain logs skipped as undecodable, by event."""
    stage_seconds: Histogram
    """``avs_task_stage_seconds{stage}``: time of each step of a task in the aggregator
    (seen, collect, linger, verify, send, mined; see docs/architecture.md)."""

    @classmethod
    def create(cls) -> AggregatorMetrics:
        """Fresh metrics in a new registry."""
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            performance_score=Gauge(
                "eigen_performance_score", "Node performance score (0-100)", registry=reg
            ),
            responses=Counter("avs_responses", "Responses received", ["status"], registry=reg),
            certificates=Counter(
                "avs_certificates", "Certificates submitted", ["outcome"], registry=reg
            ),
            expired=Counter("avs_tasks_expired", "Tasks expired uncertified", registry=reg),
            reverted=RevertedTransactions.create(reg),
            verify_seconds=Histogram(
                "avs_verify_seconds",
                "Signature verification time per batch",
                buckets=LATENCY_BUCKETS,
                registry=reg,
            ),
            verify_batch_size=Histogram(
                "avs_verify_batch_size",
                "Signatures checked in one batch as responses arrive",
                buckets=BATCH_SIZE_BUCKETS,
                registry=reg,
            ),
            events_malformed=_malformed_counter(reg),
            stage_seconds=_stage_histogram(reg),
        )


def _stage_histogram(reg: CollectorRegistry) -> Histogram:
    return Histogram(
        STAGE_METRIC, "Time of one step of a task", ["stage"], buckets=STAGE_BUCKETS, registry=reg
    )


def _malformed_counter(reg: CollectorRegistry) -> Counter:
    return Counter(
        "avs_events_malformed", "Chain logs skipped as undecodable", ["event"], registry=reg
    )


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> WSGIServer:
    """Serve ``/metrics`` for ``registry`` on ``host:port`` in a daemon thread."""
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
