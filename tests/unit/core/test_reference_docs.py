"""Generated references: config files and pages come from the code and stay fresh."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from click.testing import CliRunner

from avs.cli.main import cli
from avs.config import from_mapping
from avs.configref import EXAMPLES, config_template, settings
from avs_aggregator.config import AggregatorConfig, load_aggregator_config
from avs_operator.config import OperatorConfig, load_operator_config

ROOT = Path(__file__).resolve().parents[3]
ROLES: dict[str, type] = {"operator": OperatorConfig, "aggregator": AggregatorConfig}


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_reference_pages_are_fresh() -> None:
    for path, text in _gen_docs().pages().items():
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT)} is stale: run `.venv/bin/python tools/gen_docs.py` "
            "(or make generate) and commit the result"
        )


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_setting_has_a_docstring(role: str) -> None:
    undocumented = [s.name for s in settings(ROLES[role]) if not s.doc]
    assert not undocumented, f"document these {role} settings with a field docstring"


@pytest.mark.parametrize("role", sorted(ROLES))
def test_template_loads_back_to_the_defaults(role: str) -> None:
    cls = ROLES[role]
    loaded: object = from_mapping(cls, yaml.safe_load(config_template(cls, role)))
    names = {f.name for f in dataclasses.fields(cls)}
    expected: object = from_mapping(cls, {n: v for n, v in EXAMPLES.items() if n in names})
    assert loaded == expected
    for f in dataclasses.fields(cls):
        assert f"\n{f.name}:" in config_template(cls, role)


def test_config_init_writes_a_usable_file_and_never_overwrites(tmp_path: Path) -> None:
    runner = CliRunner()
    for role, load in (("operator", load_operator_config), ("aggregator", load_aggregator_config)):
        out = tmp_path / f"{role}.yaml"
        result = runner.invoke(cli, [role, "config", "init", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert f"pass --config {out}" in result.stderr
        cfg = load(out)
        assert str(cfg.rpc_url) == EXAMPLES["rpc_url"]
        again = runner.invoke(cli, [role, "config", "init", "--out", str(out)])
        assert again.exit_code == 2
        assert again.stderr == f"error: {out} already exists; pass --force to overwrite it\n"
    printed = runner.invoke(cli, ["operator", "config", "init"])
    assert printed.exit_code == 0
    assert "# (integer; default: 9010; env AVS_NODE_API_PORT)\nnode_api_port: 9010" in (
        printed.stdout
    )
