"""pytest plugin (entry point ``pytest11: avs_testing``): the task-type conformance suite.

Two ways to use it:

- ``pytest --avs-task-type=my-type`` adds one test per conformance check of the installed
  task type ``my-type`` (repeat the option for several types; ``--avs-providers`` picks
  execution providers, comma-separated);
- the ``avs_conformance`` fixture, for a test in your own suite::

      def test_my_type_conforms(avs_conformance):
          avs_conformance(MyType())      # fails the test with the report if a check fails
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from avs.tasks.api import TaskType
    from avs.testing.report import ConformanceReport

_REPORTS = pytest.StashKey[dict[str, "ConformanceReport"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--avs-task-type`` and ``--avs-providers``."""
    group = parser.getgroup("avs", "edge-avs task-type conformance")
    group.addoption(
        "--avs-task-type",
        action="append",
        default=[],
        metavar="ID",
        help="run the conformance suite on installed task type ID (repeatable)",
    )
    group.addoption(
        "--avs-providers",
        default="CPUExecutionProvider",
        metavar="LIST",
        help="comma-separated onnxruntime execution providers to test (CPU is always added)",
    )


def _providers(config: pytest.Config) -> tuple[str, ...]:
    value = str(config.getoption("avs_providers"))
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _report(config: pytest.Config, type_id: str) -> ConformanceReport:
    """Run the suite once per type per session; every check item reads the same report."""
    from avs.testing.conformance import run_conformance

    reports = config.stash.setdefault(_REPORTS, {})
    if type_id not in reports:
        reports[type_id] = run_conformance(type_id, providers=_providers(config))
    return reports[type_id]


class ConformanceItem(pytest.Item):
    """One conformance check of one task type."""

    def __init__(self, *, type_id: str, check: str, **kwargs: Any) -> None:
        """Check ``check`` of task type ``type_id``."""
        super().__init__(**kwargs)
        self.type_id = type_id
        self.check = check

    def runtest(self) -> None:
        """Fail with the check's detail; skip when the check does not apply here."""
        from avs.errors import AvsError
        from avs.testing.report import Outcome

        try:
            report = _report(self.config, self.type_id)
        except AvsError as exc:  # e.g. an unknown id: say so once per item, no traceback
            pytest.fail(str(exc), pytrace=False)
        result = report.check(self.check)
        if result.outcome is Outcome.SKIP:
            pytest.skip(result.detail)
        if result.outcome is Outcome.FAIL:
            pytest.fail(f"{self.type_id} {self.check}: {result.detail}", pytrace=False)

    def reportinfo(self) -> tuple[str, int, str]:
        """Where pytest says the test lives."""
        return "avs-conformance", 0, f"{self.type_id}::{self.check}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append the conformance items requested with ``--avs-task-type``."""
    type_ids = config.getoption("avs_task_type")
    if not type_ids:
        return
    from avs.testing.checks import CHECKS

    for type_id in type_ids:
        for check in CHECKS:
            items.append(
                ConformanceItem.from_parent(
                    session,
                    name=f"avs-conformance[{type_id}]::{check}",
                    type_id=type_id,
                    check=check,
                )
            )


@pytest.fixture
def avs_conformance(
    request: pytest.FixtureRequest,
) -> Callable[..., ConformanceReport]:
    """Run the suite on a task type (instance or installed id); fail the test if it fails."""

    def check(task_type: TaskType | str, **kwargs: Any) -> ConformanceReport:
        from avs.testing.conformance import run_conformance

        kwargs.setdefault("providers", _providers(request.config))
        report = run_conformance(task_type, **kwargs)
        if not report.passed:
            pytest.fail(report.format_text(), pytrace=False)
        return report

    return check
