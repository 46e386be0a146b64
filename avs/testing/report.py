"""Conformance results as plain values: printable by the operator's selftest, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    """What one check concluded."""

    PASS = "pass"  # noqa: S105 - an outcome name, not a password
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check of the conformance suite."""

    name: str
    outcome: Outcome
    detail: str
    """What was checked, or why it failed / was skipped."""
    duration_ms: float
    """Wall time of the check (informational; never asserted)."""


@dataclass(frozen=True, slots=True)
class ConformanceReport:
    """Every check of one task type on this machine."""

    task_type: str
    providers: tuple[str, ...]
    """Execution providers the sessions actually used (best first)."""
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """True when no check failed (skips are allowed)."""
        return all(c.outcome is not Outcome.FAIL for c in self.checks)

    def check(self, name: str) -> CheckResult:
        """The result of the check called ``name``."""
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)

    def failures(self) -> list[CheckResult]:
        """Checks that failed."""
        return [c for c in self.checks if c.outcome is Outcome.FAIL]

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable form (``avs operator selftest --json``)."""
        return {
            "task_type": self.task_type,
            "passed": self.passed,
            "providers": list(self.providers),
            "checks": [
                {
                    "name": c.name,
                    "outcome": c.outcome.value,
                    "detail": c.detail,
                    "duration_ms": round(c.duration_ms, 3),
                }
                for c in self.checks
            ],
        }

    def format_text(self) -> str:
        """One line per check, for terminals and pytest failure messages."""
        head = f"task type {self.task_type} on {', '.join(self.providers)}: " + (
            "PASSED" if self.passed else f"FAILED ({len(self.failures())} check(s))"
        )
        lines = [head]
        for c in self.checks:
            lines.append(f"  {c.outcome.value.upper():4} {c.name:22} {c.detail}")
        return "\n".join(lines)
