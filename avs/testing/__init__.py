"""Conformance suite for task types, usable as a function or as a pytest plugin.

- :func:`run_conformance` returns a :class:`ConformanceReport` (the operator's ``selftest``
  prints it; ``helm test`` runs it on the node's hardware);
- the pytest plugin (:mod:`avs.testing.plugin`, auto-loaded through the ``pytest11`` entry
  point) adds ``--avs-task-type=ID`` and the ``avs_conformance`` fixture.
"""

from avs.testing.checks import CHECKS
from avs.testing.conformance import run_conformance
from avs.testing.report import CheckResult, ConformanceReport, Outcome

__all__ = ["CHECKS", "CheckResult", "ConformanceReport", "Outcome", "run_conformance"]
