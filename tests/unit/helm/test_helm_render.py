"""Every chart, with every ci values file: Helm's strict lint passes, and every rendered object
is valid for every Kubernetes version the charts claim (kubernetes-validate, strict)."""

from __future__ import annotations

from pathlib import Path

import helm_python
import pytest
import yaml
from kubernetes_validate.utils import ValidationError

from .crd_shapes import validate_crd
from .helm_harness import (
    CHARTS,
    CRD_KINDS,
    KUBE_VERSIONS,
    chart_dir,
    ci_cases,
    ci_files,
    ci_values,
    load_chart,
    render,
    selects,
    validate_core,
)

WARNING = 2


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_declares_the_validated_kubernetes_range(chart: str) -> None:
    meta = yaml.safe_load((chart_dir(chart) / "Chart.yaml").read_text())
    assert meta["kubeVersion"] == f">={KUBE_VERSIONS[0]}.0-0"
    assert meta["apiVersion"] == "v2"


@pytest.mark.parametrize("chart", CHARTS)
def test_ci_covers_the_required_cases(chart: str) -> None:
    names = {f.name for f in ci_files(chart)}
    required = {"minimal-values.yaml", "existing-secrets-values.yaml", "monitoring-values.yaml"}
    if chart == "avs-operator":
        required.add("gpu-values.yaml")
    assert required <= names


@pytest.mark.parametrize(("chart", "ci"), ci_cases())
@pytest.mark.parametrize("kube", [KUBE_VERSIONS[0], KUBE_VERSIONS[-1]])
def test_lint_strict_is_clean(chart: str, ci: str, kube: str) -> None:
    report = helm_python.lint(
        chart_dir(chart), ci_values(chart, ci), strict=True, kube_version=f"v{kube}.0"
    )
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= WARNING] == []


@pytest.mark.parametrize(("chart", "ci"), ci_cases())
def test_rendered_objects_are_valid_for_every_supported_kubernetes(chart: str, ci: str) -> None:
    rendered = render(chart, ci_values(chart, ci))
    assert rendered.manifests
    for manifest in rendered.manifests:
        if manifest["kind"] in CRD_KINDS:
            validate_crd(manifest)
            continue
        for version in KUBE_VERSIONS:
            validate_core(manifest, version)


def test_strict_validation_catches_an_unknown_field() -> None:
    """The check above can fail: a misplaced field is rejected for every version."""
    statefulset = render("avs-operator", ci_values("avs-operator", "minimal-values.yaml")).one(
        "StatefulSet"
    )
    statefulset["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    for version in KUBE_VERSIONS:
        with pytest.raises(ValidationError, match="livenessprobe"):
            validate_core(statefulset, version)


@pytest.mark.parametrize(("chart", "ci"), ci_cases())
def test_objects_are_namespaced_and_labelled(chart: str, ci: str) -> None:
    for manifest in render(chart, ci_values(chart, ci)).manifests:
        meta = manifest["metadata"]
        assert meta["namespace"] == "avs", manifest["kind"]
        assert meta["labels"]["app.kubernetes.io/instance"] == "t"
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "Helm"


@pytest.mark.parametrize(("chart", "ci"), ci_cases())
def test_services_pdb_and_monitor_select_only_the_workload(chart: str, ci: str) -> None:
    rendered = render(chart, ci_values(chart, ci))
    workload = rendered.one("StatefulSet")
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    assert selects(workload["spec"]["selector"]["matchLabels"], pod_labels)
    test_pods = rendered.all("Pod")
    assert test_pods, "the helm test hook pod is rendered"
    selectors = [s["spec"]["selector"] for s in rendered.all("Service")]
    selectors += [p["spec"]["selector"]["matchLabels"] for p in rendered.all("PodDisruptionBudget")]
    for selector in selectors:
        assert selects(selector, pod_labels)
        for pod in test_pods:
            assert not selects(selector, pod["metadata"]["labels"]), "test pod is selected"
    for monitor in rendered.all("ServiceMonitor"):
        matching = [
            s
            for s in rendered.all("Service")
            if selects(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        ]
        assert len(matching) == 1, "the ServiceMonitor must select only the metrics Service"
        ports = {p["name"] for p in matching[0]["spec"]["ports"]}
        assert {e["port"] for e in monitor["spec"]["endpoints"]} <= ports


@pytest.mark.parametrize(("chart", "ci"), ci_cases())
def test_test_hook_pod(chart: str, ci: str) -> None:
    (pod,) = render(chart, ci_values(chart, ci)).all("Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    volumes = pod["spec"].get("volumes", [])
    # A public CA certificate (to verify a TLS endpoint) is the only Secret item allowed.
    exposed = [
        item["path"]
        for v in volumes
        if "secret" in v
        for item in v["secret"].get("items", [{"path": "<whole secret>"}])
    ]
    assert all(path == "ca.crt" for path in exposed), "test pods never get the keys"


@pytest.mark.parametrize("chart", CHARTS)
def test_packaged_chart_renders_like_the_directory(chart: str, tmp_path: Path) -> None:
    """`helm package` keeps everything the chart needs (README, schema, templates)."""
    archive = helm_python.package(chart_dir(chart), destination=tmp_path)
    values = ci_values(chart, "minimal-values.yaml")
    with helm_python.Chart.load(archive) as packaged:
        assert {"README.md"} <= {f["name"] for f in packaged.files}
        assert packaged.schema == load_chart(chart).schema
        from_archive = packaged.render(values, name="t", namespace="avs", is_install=True)
    from_dir = load_chart(chart).render(values, name="t", namespace="avs", is_install=True)
    assert from_archive == from_dir


@pytest.mark.parametrize("chart", CHARTS)
def test_network_policy_admits_only_the_named_ports_of_the_workload(chart: str) -> None:
    rendered = render(chart, ci_values(chart, "monitoring-values.yaml"))
    policy = rendered.one("NetworkPolicy")
    workload = rendered.one("StatefulSet")
    pod = workload["spec"]["template"]
    assert selects(policy["spec"]["podSelector"]["matchLabels"], pod["metadata"]["labels"])
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    container_ports = {p["name"] for c in pod["spec"]["containers"] for p in c["ports"]}
    admitted = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert admitted == container_ports
    scrape = [
        r for r in policy["spec"]["ingress"] if {"port": "metrics", "protocol": "TCP"} in r["ports"]
    ]
    assert (
        scrape[0]["from"]
        == ci_values(chart, "monitoring-values.yaml")["networkPolicy"]["scrapeFrom"]
    )
    assert not render(chart, ci_values(chart, "minimal-values.yaml")).all("NetworkPolicy")
