"""The conformance suite: built-in types pass it; it catches broken types; the plugin runs it."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest

from avs.tasks import InputBatch, LoadedModel
from avs.tasks.int_mlp import IntMlp
from avs.testing import CHECKS, ConformanceReport, Outcome, run_conformance

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("type_id", ["onnx-classify", "int-mlp"])
def test_builtin_types_pass(avs_conformance: Any, type_id: str) -> None:
    report: ConformanceReport = avs_conformance(type_id)
    assert [c.name for c in report.checks] == list(CHECKS)
    assert report.check("golden_vectors").outcome is Outcome.PASS
    assert report.providers[-1] == "CPUExecutionProvider"


class BatchDependent(IntMlp):
    """Wrong on purpose: the result of an input depends on the batch it arrives in."""

    id: ClassVar[str] = "batch-dependent"

    def canonicalize(self, model: LoadedModel, raw: npt.NDArray[Any]) -> bytes:
        return super().canonicalize(model, (raw + len(raw)) % 10)


class Lenient(IntMlp):
    """Wrong on purpose: swallows every decoding error and runs on zeros instead."""

    id: ClassVar[str] = "lenient"

    def decode_inputs(self, blob: bytes) -> InputBatch:
        try:
            return super().decode_inputs(blob)
        except Exception:
            return super().decode_inputs(self.encode_inputs(np.zeros((1, 64), np.uint8)))


class NoGolden(IntMlp):
    id: ClassVar[str] = "no-golden"

    def golden_vectors(self) -> list[Any]:
        return []


def test_batch_dependence_is_caught() -> None:
    report = run_conformance(BatchDependent(), check_registration=False)
    assert not report.passed
    assert report.check("golden_vectors").outcome is Outcome.FAIL
    assert "batches of 1" in report.check("determinism_batches").detail


def test_accepting_malformed_inputs_is_caught() -> None:
    report = run_conformance(Lenient(), check_registration=False)
    assert report.check("golden_vectors").outcome is Outcome.PASS
    failed = report.check("malformed_inputs")
    assert failed.outcome is Outcome.FAIL
    assert "empty: malformed input was accepted" in failed.detail


def test_missing_golden_vectors_and_registration_fail() -> None:
    report = run_conformance(NoGolden())
    assert "not an installed 'avs.task_types' entry point" in report.check("registered").detail
    assert "no golden vectors" in report.check("golden_vectors").detail
    assert report.to_dict()["passed"] is False
    assert "FAILED" in report.format_text()


def test_plugin_option_runs_the_suite_per_check(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--avs-task-type=int-mlp", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(CHECKS) - 1, skipped=1)  # no accelerator: providers skip


def test_plugin_reports_unknown_type_clearly(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--avs-task-type=nope", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(CHECKS))
    result.stdout.fnmatch_lines(["*unknown task type 'nope'; known:*int-mlp*"])
