"""operator/Dockerfile and aggregator/Dockerfile, read statically (no Docker on CI): pinned
bases, a non-root user, no compilers in the image, a HEALTHCHECK on the real endpoint, an
entrypoint command that exists, and a build context that holds what the COPYs need."""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from .dockerfile import Dockerfile, DockerIgnore, Stage, expand
from .helm_harness import REPO, chart_dir


@dataclass(frozen=True, slots=True)
class Image:
    """What one image must provide."""

    chart: str
    """The chart that deploys it."""
    cmd: tuple[str, ...]
    """Default arguments of ``avs``."""
    ports: frozenset[str]
    """EXPOSEd ports (the chart's defaults)."""
    variants: tuple[dict[str, str], ...] = ({},)
    """Build-arg sets to check."""


IMAGES = {
    "operator": Image(
        chart="avs-operator",
        cmd=("operator", "run", "--config", "/config/operator.yaml"),
        ports=frozenset({"9010", "9090"}),
        variants=({"VARIANT": "cpu"}, {"VARIANT": "cuda"}),
    ),
    "aggregator": Image(
        chart="avs-aggregator",
        cmd=("aggregator", "run", "--config", "/config/aggregator.yaml"),
        ports=frozenset({"50051", "9091"}),
    ),
}
COMPILERS = re.compile(
    r"\b(gcc|g\+\+|clang|build-essential|make|cmake|cargo|rustc|[\w.+-]+-dev)\b(?!/)"
)
DIGEST_ARG = re.compile(r"^(sha256:[0-9a-f]{64})?$")


def _dockerfile(image: str) -> Dockerfile:
    return Dockerfile.parse(REPO / image / "Dockerfile")


def _chart_defaults(image: str) -> dict[str, Any]:
    loaded = yaml.safe_load((chart_dir(IMAGES[image].chart) / "values.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _variants(image: str) -> tuple[dict[str, str], ...]:
    return IMAGES[image].variants


def _runtime_chain(image: str) -> list[tuple[dict[str, str], list[Stage]]]:
    df = _dockerfile(image)
    return [(args, df.ancestry(df.final, args)) for args in _variants(image)]


@pytest.mark.parametrize("image", IMAGES)
def test_bases_are_pinned_by_exact_tag_with_a_digest_slot(image: str) -> None:
    df = _dockerfile(image)
    assert re.fullmatch(r"3\.11\.\d+", df.global_args["PYTHON_VERSION"])
    for args, _ in _runtime_chain(image):
        base = df.external_base(args)
        assert ":latest" not in base
        assert re.search(r":[\w.-]*\d+\.\d+\.\d+[\w.-]*$", base), f"unpinned tag in {base}"
        digest = {
            **args,
            "PYTHON_DIGEST": "sha256:" + "a" * 64,
            "CUDA_DIGEST": "sha256:" + "b" * 64,
        }
        assert re.search(r"@sha256:[ab]{64}$", df.external_base(digest)), "no digest slot"
    for name, default in df.global_args.items():
        if name.endswith("_DIGEST"):
            assert DIGEST_ARG.match(default), f"{name} default must be empty or sha256:<64 hex>"


def test_cuda_variant_uses_the_cuda_runtime_and_onnxruntime_gpu() -> None:
    df = _dockerfile("operator")
    assert df.external_base({"VARIANT": "cuda"}).startswith("nvidia/cuda:")
    assert "runtime" in df.external_base({"VARIANT": "cuda"})
    assert df.external_base({"VARIANT": "cpu"}).startswith("python:3.11")
    build = " ".join(i.args for i in df.stage("builder").all("RUN"))
    assert "onnxruntime-gpu==${ort_version}" in build
    assert "sed -n 's/^onnxruntime==//p' requirements/lock.txt" in build
    lock = (REPO / "requirements" / "lock.txt").read_text()
    assert re.search(r"^onnxruntime==\d", lock, re.MULTILINE)


@pytest.mark.parametrize("image", IMAGES)
def test_multi_stage_final_image_copies_only_the_venv(image: str) -> None:
    df = _dockerfile(image)
    assert len(df.stages) >= 3
    final = df.final
    copies = final.all("COPY")
    assert [c.args for c in copies] == ["--from=builder /opt/venv /opt/venv"]
    builder = " ".join(i.args for i in df.stage("builder").all("RUN"))
    assert "--constraint requirements/lock.txt" in builder
    assert "--only-binary=:all:" in builder
    assert "pip wheel" in builder


@pytest.mark.parametrize("image", IMAGES)
def test_no_compiler_in_any_stage_of_the_image(image: str) -> None:
    df = _dockerfile(image)
    for _, chain in _runtime_chain(image):
        for stage in [*chain, df.stage("builder")]:
            for run in stage.all("RUN"):
                installs = re.findall(r"apt-get install[^;&]*", run.args)
                for install in installs:
                    assert not COMPILERS.search(install), f"compiler in {stage.name}: {install}"


@pytest.mark.parametrize("image", IMAGES)
def test_runs_as_the_charts_non_root_user(image: str) -> None:
    final = _dockerfile(image).final
    user = final.all("USER")[-1].args
    uid, _, gid = user.partition(":")
    assert uid.isdigit(), "USER must be a numeric uid (runAsNonRoot can only check numbers)"
    assert int(uid) != 0
    defaults = _chart_defaults(image)
    assert int(uid) == defaults["podSecurityContext"]["runAsUser"]
    assert int(gid) == defaults["podSecurityContext"]["fsGroup"]
    setup = " ".join(i.args for i in final.all("RUN"))
    assert f"--uid {uid}" in setup
    assert f"chown {uid}:{gid} /data" in setup


@pytest.mark.parametrize("image", IMAGES)
def test_data_volume_matches_the_chart(image: str) -> None:
    final = _dockerfile(image).final
    assert [v.args for v in final.all("VOLUME")] == ["/data"]
    mounts = (chart_dir(IMAGES[image].chart) / "templates" / "statefulset.yaml").read_text()
    assert "mountPath: /data" in mounts


@pytest.mark.parametrize("image", IMAGES)
def test_environment_sets_no_config_override(image: str) -> None:
    """Every AVS_* variable is read as a config override (avs.config); the image sets none."""
    for stage in _dockerfile(image).stages:
        for env in stage.all("ENV"):
            assert "AVS_" not in env.args.replace("EDGE_AVS_", ""), env.args


@pytest.mark.parametrize("image", IMAGES)
def test_entrypoint_cmd_ports_and_healthcheck(image: str) -> None:
    final = _dockerfile(image).final
    assert final.all("ENTRYPOINT")[-1].exec_form() == ["avs"]
    assert final.all("CMD")[-1].exec_form() == list(IMAGES[image].cmd)
    exposed = {p for e in final.all("EXPOSE") for p in e.args.split()}
    assert exposed == IMAGES[image].ports
    assert len(final.all("HEALTHCHECK")) == 1


def test_operator_healthcheck_reads_the_node_api_health() -> None:
    (health,) = _dockerfile("operator").final.all("HEALTHCHECK")
    assert health.exec_form()[:2] == ["python", "-c"]
    script = health.exec_form()[2]
    compile(script, "<HEALTHCHECK>", "exec")
    assert "/eigen/node/health" in script
    assert "'AVS_NODE_API_PORT', '9010'" in script
    assert "(200, 206)" in script


def test_aggregator_healthcheck_probes_with_the_configs_tls() -> None:
    """A plaintext probe of a TLS endpoint always fails: the image runs the command that
    reads the listen port and TLS settings from the same config as its CMD."""
    (health,) = _dockerfile("aggregator").final.all("HEALTHCHECK")
    assert health.exec_form() == ["avs", "aggregator", "health", *IMAGES["aggregator"].cmd[2:]]


def test_avs_console_script_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["avs"] == "avs.cli.main:main"
    groups = project["entry-points"]["avs.cli"]
    assert groups["operator"] == "avs_operator.cli:operator"
    assert groups["aggregator"] == "avs_aggregator.cli:aggregator"


@pytest.mark.parametrize(
    ("group_module", "argv"),
    [
        ("avs_operator.cli", ["operator", "run", "--config", "/config/operator.yaml"]),
        (
            "avs_operator.cli",
            ["operator", "selftest", "--json", "--config", "/config/operator.yaml"],
        ),
        ("avs_operator.cli", ["operator", "selftest", "--require", "acme-detect"]),
        ("avs_operator.cli", ["operator", "register", "--config", "/config/operator.yaml"]),
        ("avs_aggregator.cli", ["aggregator", "run", "--config", "/config/aggregator.yaml"]),
        ("avs_aggregator.cli", ["aggregator", "health", "--config", "/config/aggregator.yaml"]),
    ],
)
def test_image_and_chart_commands_exist(group_module: str, argv: list[str]) -> None:
    """The CMDs, the chart's args and its helm test resolve to real click commands/options."""
    pytest.importorskip(group_module, reason=f"{group_module} is not written yet")
    import click

    from avs.cli.main import cli

    ctx = click.Context(cli)
    command: click.Command = cli
    rest = list(argv)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(ctx, rest.pop(0))
        assert sub is not None, f"no command {argv[: len(argv) - len(rest)]}"
        command = sub
    options = {o for p in command.params for o in getattr(p, "opts", [])}
    for token in rest:
        if token.startswith("--"):
            assert token in options, f"{' '.join(argv)}: no option {token}"


@pytest.mark.parametrize("image", IMAGES)
def test_copy_sources_exist_and_are_in_the_build_context(image: str) -> None:
    ignore = DockerIgnore.parse(REPO / ".dockerignore")
    for stage in _dockerfile(image).stages:
        for copy in stage.all("COPY"):
            if copy.args.startswith("--from="):
                continue
            *sources, _dest = shlex.split(copy.args)
            for source in sources:
                assert (REPO / source).exists(), f"COPY {source}: not in the repository"
                assert not ignore.excluded(source), f"COPY {source}: excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignore = DockerIgnore.parse(REPO / ".dockerignore")
    for path in (
        ".git/config",
        ".venv/bin/python",
        ".devnet/keys/op1.json",
        "tests/fixtures/x",
        "avs/__pycache__/x.pyc",
        "helm/avs-operator/values.yaml",
        "bls.key.json",
    ):
        assert ignore.excluded(path), path
    for path in (
        "avs/crypto/bls.py",
        "avs/tasks/models/digits_mlp.onnx",
        "requirements/lock.txt",
        "operator/avs_operator/config.py",
        "pyproject.toml",
    ):
        assert not ignore.excluded(path), path


def test_compiler_pattern_catches_build_toolchains() -> None:
    for install in (
        "apt-get install -y build-essential",
        "apt-get install gcc",
        "apt-get install libpq-dev",
    ):
        assert COMPILERS.search(install)
    assert not COMPILERS.search("apt-get install -y python3.11 python3.11-venv ca-certificates")


def test_dockerfile_reader_expands_like_docker() -> None:
    """The reader's substitution, which the pinning test relies on, behaves as Docker's."""
    args = {"A": "x", "EMPTY": ""}
    assert expand("img${A:+@}${A}", args) == "img@x"
    assert expand("img${EMPTY:+@}${EMPTY}", args) == "img"
    assert expand("base-${A}", args) == "base-x"
    assert expand("${MISSING:-d}", args) == "d"
