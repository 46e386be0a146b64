"""``avs operator selftest``: the conformance suite of every installed task type, here.

Runs :func:`avs.testing.run_conformance` for each task type on this machine's hardware and
execution providers, which replays the golden vectors, so a node whose hardware or
onnxruntime build would sign different bytes than its peers finds out before it stakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from avs.tasks.registry import TaskTypeRegistry, load_registry
from avs.tasks.session import CPU_PROVIDER
from avs.testing import ConformanceReport, Outcome, run_conformance
from avs_operator.hardware import HardwareInfo, detect_hardware

# Not a local compute device: it forwards inference to a cloud endpoint.
_NOT_LOCAL = frozenset({"AzureExecutionProvider"})


@dataclass(frozen=True, slots=True)
class SelftestResult:
    """Hardware, the providers tested and one conformance report per task type."""

    hardware: HardwareInfo
    providers: tuple[str, ...]
    """Providers requested, best first."""
    missing_providers: tuple[str, ...]
    """Requested providers this machine's onnxruntime does not offer (a failure)."""
    reports: tuple[ConformanceReport, ...]
    missing_task_types: tuple[str, ...] = ()
    """Requested task types that are not installed in this image (a failure)."""

    def provider_failures(self) -> list[str]:
        """Requested providers a task type's inference session did not actually use.

        onnxruntime lists a provider as available when its library is present, yet falls
        back to the CPU when it cannot start (a broken CUDA install, a missing driver): only
        ``session.get_providers()`` tells what runs, and that is what is checked here.
        """
        wanted = [p for p in self.providers if p != CPU_PROVIDER and p not in _NOT_LOCAL]
        out = []
        for report in self.reports:
            if not report.providers:
                out.append(f"{report.task_type}: no inference session ran; providers unverified")
                continue
            used = ", ".join(report.providers)
            out += [
                f"{report.task_type}: {p} requested, but its session runs on {used}"
                for p in wanted
                if p not in report.providers
            ]
        return out

    @property
    def passed(self) -> bool:
        """Every requested provider and task type present and used, and no check failed."""
        return (
            not self.missing_providers
            and not self.missing_task_types
            and not self.provider_failures()
            and all(r.passed for r in self.reports)
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form of ``selftest --json``."""
        return {
            "passed": self.passed,
            "hardware": self.hardware.to_dict(),
            "providers": list(self.providers),
            "missing_providers": list(self.missing_providers),
            "missing_task_types": list(self.missing_task_types),
            "provider_failures": self.provider_failures(),
            "task_types": [r.to_dict() for r in self.reports],
        }


def default_providers(hardware: HardwareInfo) -> tuple[str, ...]:
    """Every local provider this build offers, accelerators first, CPU last."""
    local = [p for p in hardware.providers if p not in _NOT_LOCAL and p != CPU_PROVIDER]
    return (*local, CPU_PROVIDER)


def run_selftest(
    providers: Sequence[str] | None = None,
    task_types: Sequence[str] | None = None,
    registry: TaskTypeRegistry | None = None,
    hardware: HardwareInfo | None = None,
    required: Sequence[str] = (),
) -> SelftestResult:
    """Run the conformance suite of ``task_types`` (default: all installed) on ``providers``;
    ``required`` task types must be installed."""
    hardware = hardware or detect_hardware()
    registry = registry or load_registry()
    chosen = tuple(providers) if providers else default_providers(hardware)
    missing = tuple(p for p in chosen if p not in hardware.providers)
    wanted = tuple(task_types or registry.ids())
    installed = set(registry.ids())
    reports = tuple(
        run_conformance(registry.get(type_id), providers=chosen, registry=registry)
        for type_id in wanted
        if type_id in installed
    )
    absent = tuple(dict.fromkeys(t for t in (*wanted, *required) if t not in installed))
    return SelftestResult(hardware, chosen, missing, reports, absent)


_STYLE = {Outcome.PASS: "green", Outcome.FAIL: "bold red", Outcome.SKIP: "yellow"}


def render(result: SelftestResult, console: Console) -> None:
    """Print the hardware class and a pass/fail table per task type."""
    hw = result.hardware
    console.print(f"hardware class: [bold]{hw.hardware_class}[/bold]")
    console.print(f"providers tested: {', '.join(result.providers)}")
    for name in result.missing_providers:
        console.print(f"[bold red]provider {name} is not available in this onnxruntime build")
    for name in result.missing_task_types:
        console.print(f"[bold red]task type {name} is not installed in this image")
    for problem in result.provider_failures():
        console.print(f"[bold red]{problem}", highlight=False)
    for report in result.reports:
        used = ", ".join(report.providers) or "no session"
        table = Table(title=f"{report.task_type}: sessions ran on {used}")
        table.add_column("check")
        table.add_column("result")
        table.add_column("detail", overflow="fold")
        for check in report.checks:
            style = _STYLE[check.outcome]
            table.add_row(check.name, f"[{style}]{check.outcome.value}", check.detail)
        console.print(table)
    verdict = "[bold green]PASSED" if result.passed else "[bold red]FAILED"
    console.print(f"selftest {verdict}")
