"""``avs task-type new``: the generated package (both variants) passes its conformance suite."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from avs.cli.main import cli
from avs.cli.scaffold import names, scaffold
from avs.errors import InputError
from avs.models.hashing import content_hash, hash_hex
from avs.tasks.golden import parse_golden
from avs.testing import Outcome, run_conformance


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path`` on sys.path for the test; generated modules are forgotten afterwards."""
    sys.path.insert(0, str(tmp_path))
    before = set(sys.modules)
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in set(sys.modules) - before:
            del sys.modules[name]


@pytest.mark.parametrize(("type_id", "exact"), [("fraud-score", False), ("exact-parity", True)])
def test_generated_type_conforms_as_generated(importable: Path, type_id: str, exact: bool) -> None:
    made = scaffold(type_id, importable, exact)
    root = made.root
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(f"{made.module}.task_type")
    finally:
        sys.path.remove(str(root))
    task = getattr(module, names(type_id)["class_name"])()
    assert (task.id, task.exact) == (type_id, exact)
    report = run_conformance(task, check_registration=False)
    assert report.passed, report.format_text()
    assert report.check("golden_pinned").outcome is Outcome.PASS
    golden = (root / made.module / "golden.json").read_bytes()
    assert made.golden_keccak256 == hash_hex(content_hash(golden)) == task.golden_keccak256
    case = parse_golden(golden)
    assert hash_hex(case.model_keccak256) == made.model_id
    assert (root / "sample_inputs.jsonl").read_text().count("\n") == len(case.result)
    assert f'{type_id} = "{made.module}.task_type:' in (root / "pyproject.toml").read_text()


def test_scaffold_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = scaffold("fraud-score", tmp_path / "a", exact=False)
    second = scaffold("fraud-score", tmp_path / "b", exact=False)
    assert first.model_id == second.model_id
    assert first.golden_keccak256 == second.golden_keccak256


@pytest.mark.parametrize("bad", ["Fraud", "9lives", "fraud_score", "fraud--score", "fraud-", ""])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="lower-case letters"):
        names(bad)


def test_cli_refuses_a_non_empty_directory_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "fraud-score").mkdir()
    (tmp_path / "fraud-score" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["task-type", "new", "fraud-score", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "not empty" in result.output
    assert result.output.count("\n") == 1
