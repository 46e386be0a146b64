"""Prometheus metrics of a watchtower (its own registry, or one it shares with its host)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass(frozen=True, slots=True)
class WatchtowerMetrics:
    """Counters of checks and of the evidence submitted."""

    checks: Counter
    """``avs_watchtower_checks_total``: certificates checked, by outcome."""
    evidence: Counter
    """``avs_watchtower_evidence_total``: evidence sent, by kind (challenge, wrong_result)."""
    failures: Counter
    """``avs_watchtower_failures_total``: passes of the certificate follower that failed
    (chain unreachable, a bug); each is logged and retried with backoff."""

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> WatchtowerMetrics:
        """Counters in ``registry`` (a new one if None)."""
        reg = registry or CollectorRegistry()
        return cls(
            checks=Counter(
                "avs_watchtower_checks", "Certificates re-executed", ["outcome"], registry=reg
            ),
            evidence=Counter(
                "avs_watchtower_evidence", "Fault evidence submitted", ["kind"], registry=reg
            ),
            failures=Counter(
                "avs_watchtower_failures", "Certificate follower failures", registry=reg
            ),
        )
