"""Render the edge-avs Helm charts offline and check what they produce.

Rendering and linting go through helm-python-sdk, which binds Helm's own Go SDK (v4) from a
shared library shipped in its wheel, so these are Helm's real template engine and linter
without a ``helm`` binary. Core Kubernetes objects are validated with kubernetes-validate's
strict schemas for every Kubernetes version the charts claim; Prometheus Operator objects
(not in those schemas) against the small hand-written schemas in ``crd_shapes.py``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate.utils as kv_utils
import yaml

REPO = Path(__file__).resolve().parents[3]
HELM_DIR = REPO / "helm"
CHARTS = ("avs-operator", "avs-aggregator")
RELEASE = "t"
NAMESPACE = "avs"
# Chart.yaml says kubeVersion >=1.29; these are the minors whose schemas we validate against.
KUBE_VERSIONS = tuple(f"1.{minor}" for minor in range(29, 38))
CRD_KINDS = frozenset({"ServiceMonitor", "PrometheusRule"})

# kubernetes-validate re-reads a 1.4 MB definitions file for every object it validates.
# The schema files are immutable, so memoising the reader keeps the suite fast; the
# validation logic itself is the library's, untouched.
kv_utils.schema_contents = functools.lru_cache(maxsize=None)(kv_utils.schema_contents)

Manifest = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One chart rendered with one set of values."""

    manifests: tuple[Manifest, ...]
    """Every Kubernetes object, in template order."""
    notes: str
    """The rendered NOTES.txt."""

    def all(self, kind: str) -> list[Manifest]:
        """Every object of ``kind``."""
        return [m for m in self.manifests if m["kind"] == kind]

    def one(self, kind: str, name: str | None = None) -> Manifest:
        """The single object of ``kind`` (and ``name``, when given)."""
        found = [m for m in self.all(kind) if name is None or m["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
        return found[0]


def chart_dir(chart: str) -> Path:
    """Directory of ``chart``."""
    return HELM_DIR / chart


def ci_files(chart: str) -> list[Path]:
    """The ``ci/*-values.yaml`` files of ``chart``, sorted."""
    return sorted((chart_dir(chart) / "ci").glob("*-values.yaml"))


def ci_cases() -> list[tuple[str, str]]:
    """(chart, ci file name) for every chart and ci values file."""
    return [(chart, f.name) for chart in CHARTS for f in ci_files(chart)]


def ci_values(chart: str, name: str) -> dict[str, Any]:
    """The values of ``ci/<name>`` of ``chart``."""
    loaded = yaml.safe_load((chart_dir(chart) / "ci" / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


@functools.cache
def load_chart(chart: str) -> helm_python.Chart:
    """The loaded chart (one handle per test process)."""
    return helm_python.Chart.load(chart_dir(chart))


def render(chart: str, values: dict[str, Any]) -> Rendered:
    """Render ``chart`` as an install of release ``t`` in namespace ``avs``."""
    out = load_chart(chart).render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    manifests: list[Manifest] = []
    notes = ""
    for path in sorted(out, key=_template_order):
        if path.endswith("NOTES.txt"):
            notes = out[path]
            continue
        manifests.extend(doc for doc in yaml.safe_load_all(out[path]) if doc)
    return Rendered(tuple(manifests), notes)


def _template_order(path: str) -> tuple[int, str]:
    return (path.count("/"), path)


def validate_core(manifest: Manifest, version: str) -> None:
    """Validate a core Kubernetes object with kubernetes-validate, strict (unknown fields fail)."""
    kv_utils.validate(manifest, version, strict=True)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, recursively (as Helm merges values)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    """The pod spec of a StatefulSet or Pod."""
    spec: dict[str, Any] = manifest["spec"]
    if manifest["kind"] == "Pod":
        return spec
    template: dict[str, Any] = spec["template"]["spec"]
    return template


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether a matchLabels-style ``selector`` selects an object with ``labels``."""
    return all(labels.get(k) == v for k, v in selector.items())
