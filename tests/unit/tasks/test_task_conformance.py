"""The conformance suite: built-in types pass it; it catches broken types; the plugin runs it."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest

from avs.errors import TaskError
from avs.tasks import GoldenVector, InputBatch, LoadedModel
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


class WidthChecked(IntMlp):
    """Valid: checks the input width in check_inputs (encode_inputs therefore refuses it too)."""

    id: ClassVar[str] = "width-checked"

    def check_inputs(self, batch: InputBatch) -> None:
        if batch.width != 64:
            raise TaskError(f"{self.id} inputs are 64 pixels, got {batch.width}")


def test_type_that_checks_width_in_check_inputs_passes_malformed() -> None:
    report = run_conformance(WidthChecked(), check_registration=False)
    assert report.check("malformed_inputs").outcome is Outcome.PASS, report.format_text()


class Unpinned(IntMlp):
    id: ClassVar[str] = "unpinned"
    golden_file: ClassVar[str | None] = None


class RepinnedWrong(IntMlp):
    id: ClassVar[str] = "repinned-wrong"
    golden_keccak256: ClassVar[str | None] = "0x" + "00" * 32


class SelfGenerated(IntMlp):
    """Wrong on purpose: its golden vectors are whatever its own code computes today."""

    id: ClassVar[str] = "self-generated"

    def golden_vectors(self) -> list[GoldenVector]:
        (vector,) = super().golden_vectors()
        rows = self.decode_inputs(vector.inputs).array[:5]
        inputs = self.encode_inputs(rows)
        result = self.execute(self.load_model(vector.model), inputs)
        return [GoldenVector("self", model=vector.model, inputs=inputs, result=result)]


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (Unpinned(), "golden vectors are not pinned"),
        (RepinnedWrong(), "but the class pins 0x0000"),
        (SelfGenerated(), "does not replay the pinned case"),
    ],
)
def test_golden_vectors_not_backed_by_the_pinned_file_fail(task: IntMlp, message: str) -> None:
    report = run_conformance(task, check_registration=False)
    assert report.check("golden_vectors").outcome is Outcome.PASS
    failed = report.check("golden_pinned")
    assert failed.outcome is Outcome.FAIL
    assert message in failed.detail
