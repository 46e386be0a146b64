"""Hardware classes from /proc/cpuinfo text, and the selftest over installed task types."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from avs.cli.main import cli
from avs.tasks.session import CPU_PROVIDER
from avs_operator.hardware import HardwareInfo, cpu_flags, detect_hardware
from avs_operator.selftest import default_providers, render, run_selftest

X86 = "processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 fma\n\nprocessor\t: 1\nflags\t: fpu\n"
ARM = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes sve\n"


def test_flags_come_from_the_first_processor() -> None:
    assert cpu_flags(X86) == {"fpu", "sse4_2", "avx", "avx2", "fma"}
    assert "sve" in cpu_flags(ARM)
    assert cpu_flags("") == frozenset()


def test_class_names_the_widest_simd_and_accelerators() -> None:
    cpu = HardwareInfo("x86_64", cpu_flags(X86), (CPU_PROVIDER,))
    assert cpu.hardware_class == "x86_64-avx2"
    gpu = HardwareInfo(
        "x86_64", frozenset({"avx512f", "avx2"}), ("CUDAExecutionProvider", CPU_PROVIDER)
    )
    assert gpu.hardware_class == "x86_64-avx512f+cuda"
    assert HardwareInfo("aarch64", cpu_flags(ARM), ()).hardware_class == "aarch64-sve"
    assert HardwareInfo("riscv64", frozenset(), ()).hardware_class == "riscv64-baseline"


def test_missing_cpuinfo_means_no_flags(tmp_path: Path) -> None:
    hw = detect_hardware(tmp_path / "absent")
    assert hw.cpu_flags == frozenset()
    assert CPU_PROVIDER in hw.providers


def test_default_providers_skip_remote_ones_and_end_with_cpu() -> None:
    providers = ("AzureExecutionProvider", "CUDAExecutionProvider", CPU_PROVIDER)
    hw = HardwareInfo("x86_64", frozenset(), providers)
    assert default_providers(hw) == ("CUDAExecutionProvider", CPU_PROVIDER)


def test_selftest_passes_every_installed_type_on_this_machine() -> None:
    result = run_selftest(providers=[CPU_PROVIDER])
    assert result.passed, [r.format_text() for r in result.reports]
    assert {r.task_type for r in result.reports} >= {"onnx-classify", "int-mlp"}
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["hardware"]["hardware_class"] == result.hardware.hardware_class
    out = StringIO()
    render(result, Console(file=out, width=160))
    assert "golden_vectors" in out.getvalue()
    assert "selftest PASSED" in out.getvalue()


def test_a_provider_this_build_lacks_fails_the_selftest() -> None:
    result = run_selftest(
        providers=["NoSuchExecutionProvider", CPU_PROVIDER], task_types=["int-mlp"]
    )
    assert result.missing_providers == ("NoSuchExecutionProvider",)
    assert not result.passed


def test_cli_prints_json_and_fails_on_a_missing_provider() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["operator", "selftest", "--json", "--task-type", "int-mlp"])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["passed"] is True
    assert [t["task_type"] for t in doc["task_types"]] == ["int-mlp"]
    bad = runner.invoke(
        cli,
        [
            "operator",
            "selftest",
            "--json",
            "--task-type",
            "int-mlp",
            "--providers",
            "Nope,CPUExecutionProvider",
        ],
    )
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["missing_providers"] == ["Nope"]


def test_a_provider_listed_but_not_used_by_the_session_fails() -> None:
    # onnxruntime's list claims CUDA (as with a broken CUDA install); the real session
    # falls back to the CPU, and the selftest must see that instead of trusting the list
    listed = HardwareInfo("x86_64", frozenset(), ("CUDAExecutionProvider", CPU_PROVIDER))
    result = run_selftest(
        providers=["CUDAExecutionProvider", CPU_PROVIDER], task_types=["int-mlp"], hardware=listed
    )
    assert result.missing_providers == ()
    assert result.reports[0].providers == (CPU_PROVIDER,)
    assert result.provider_failures() == [
        "int-mlp: CUDAExecutionProvider requested, but its session runs on CPUExecutionProvider"
    ]
    assert not result.passed
    assert result.to_dict()["provider_failures"] == result.provider_failures()


def test_a_task_type_the_image_lacks_fails_the_selftest() -> None:
    result = run_selftest(providers=[CPU_PROVIDER], task_types=["int-mlp", "acme-detect"])
    assert result.missing_task_types == ("acme-detect",)
    assert [r.task_type for r in result.reports] == ["int-mlp"]
    assert not result.passed


def test_cli_require_fails_for_a_task_type_the_image_lacks() -> None:
    result = CliRunner().invoke(
        cli,
        ["operator", "selftest", "--json", "--task-type", "int-mlp", "--require", "acme-detect"],
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["missing_task_types"] == ["acme-detect"]
