"""The example Dockerfile for third-party task types, read without a docker engine: it
builds FROM the operator image, installs wheels only, keeps the chart's user and checks the
task types with a selftest command that really exists."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import yaml

from avs.cli.main import cli

from .dockerfile import Dockerfile, Stage

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "operator" / "examples" / "task-type.Dockerfile"
VALUES = REPO / "helm" / "avs-operator" / "values.yaml"


def _stage() -> tuple[Dockerfile, Stage]:
    dockerfile = Dockerfile.parse(EXAMPLE)
    (stage,) = dockerfile.stages
    return dockerfile, stage


def test_builds_from_the_charts_default_operator_image() -> None:
    dockerfile, stage = _stage()
    values = yaml.safe_load(VALUES.read_text())
    chart = yaml.safe_load((REPO / "helm" / "avs-operator" / "Chart.yaml").read_text())
    image = values["image"]
    default = f"{image['registry']}/{image['repository']}:{chart['appVersion']}"
    assert dockerfile.global_args["OPERATOR_IMAGE"] == default
    assert dockerfile.external_base({}) == default
    assert stage.base == "${OPERATOR_IMAGE}"


def test_installs_binary_wheels_only_and_leaves_no_pip() -> None:
    _, stage = _stage()
    (install, selftest) = [r.args for r in stage.all("RUN")]
    assert "--only-binary=:all:" in install
    assert "--no-index" in install
    assert install.index("pip install") < install.index("pip uninstall -y pip")
    assert "avs operator selftest" in selftest


def test_runs_as_the_charts_user_with_the_base_entrypoint() -> None:
    _, stage = _stage()
    users = [u.args for u in stage.all("USER")]
    run_as = yaml.safe_load(VALUES.read_text())["podSecurityContext"]["runAsUser"]
    assert users[-1] == f"{run_as}:{run_as}"
    assert not stage.all("ENTRYPOINT")  # the operator image's `avs` entry point stays
    assert not stage.all("CMD")


def test_the_build_time_selftest_is_a_real_command() -> None:
    _, stage = _stage()
    selftest = stage.all("RUN")[-1].args
    argv = shlex.split(selftest.split("avs ", 1)[1].replace('"$@"', ""))
    argv += ["--require", "sentiment", "--task-type", "sentiment"]
    ctx = click.Context(cli)
    group = cli.get_command(ctx, argv[0])
    assert isinstance(group, click.Group)
    command = group.get_command(ctx, argv[1])
    assert command is not None
    command.make_context("selftest", argv[2:])  # every option parses
