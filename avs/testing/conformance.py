"""``run_conformance``: the suite every task type must pass, usable with or without pytest."""

from __future__ import annotations

import time
from collections.abc import Callable

from avs.tasks.api import TaskType
from avs.tasks.registry import TaskTypeRegistry, load_registry
from avs.tasks.session import CPU_PROVIDER, ExecutionConfig
from avs.testing.checks import CHECKS, CheckFailed, CheckSkipped, Context
from avs.testing.report import CheckResult, ConformanceReport, Outcome


def run_conformance(
    task_type: TaskType | str,
    *,
    providers: tuple[str, ...] = (CPU_PROVIDER,),
    registry: TaskTypeRegistry | None = None,
    check_registration: bool = True,
) -> ConformanceReport:
    """Run every check on ``task_type`` (an instance or an installed id) on this machine.

    ``providers`` are the execution providers to test (the node's configuration). With
    ``check_registration`` the type must also be an installed ``avs.task_types`` entry point
    (turn it off while developing a class that is not installed yet). Never raises for a
    failing check: inspect :attr:`ConformanceReport.passed`. An unknown id raises TaskError.
    """
    if registry is None and (check_registration or isinstance(task_type, str)):
        registry = load_registry()
    if isinstance(task_type, str):
        assert registry is not None  # set just above for string ids
        task = registry.get(task_type)
    else:
        task = task_type
    ctx = Context(
        task=task,
        config=ExecutionConfig(providers=providers),
        registry=registry if check_registration else None,
    )
    results = tuple(_run_check(name, check, ctx) for name, check in CHECKS.items())
    return ConformanceReport(task_type=task.id, providers=_providers_used(ctx), checks=results)


def _providers_used(ctx: Context) -> tuple[str, ...]:
    """What the sessions reported (``get_providers()``); empty when none was created, never
    the requested list, which would claim providers nothing ran on."""
    for (_, config), model in ctx.loaded_models().items():
        if config == ctx.config:
            return model.providers
    return ()


def _run_check(name: str, check: Callable[[Context], str], ctx: Context) -> CheckResult:
    start = time.perf_counter()
    try:
        detail, outcome = check(ctx), Outcome.PASS
    except CheckFailed as exc:
        detail, outcome = str(exc), Outcome.FAIL
    except CheckSkipped as exc:
        detail, outcome = str(exc), Outcome.SKIP
    except Exception as exc:  # a crashing check is a failed check, reported with its cause
        detail, outcome = f"raised {type(exc).__name__}: {exc}", Outcome.FAIL
    elapsed = (time.perf_counter() - start) * 1000
    return CheckResult(name=name, outcome=outcome, detail=detail, duration_ms=elapsed)
