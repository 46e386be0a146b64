"""avs-operator: what the node actually receives (config, keys, GPU, probes, storage)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from avs.config import load_config
from avs.metrics import OperatorMetrics
from avs_operator.config import OperatorConfig

from .helm_harness import Rendered, chart_dir, ci_values, deep_merge, pod_spec, render

CHART = "avs-operator"
CI = [
    "minimal-values.yaml",
    "gpu-values.yaml",
    "existing-secrets-values.yaml",
    "monitoring-values.yaml",
]
SENTINEL = "SENTINEL-api-key-0123"
PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def _defaults() -> dict[str, Any]:
    loaded = yaml.safe_load((chart_dir(CHART) / "values.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _render(ci: str, extra: dict[str, Any] | None = None) -> Rendered:
    return render(CHART, deep_merge(ci_values(CHART, ci), extra or {}))


def _node(rendered: Rendered) -> dict[str, Any]:
    (container,) = pod_spec(rendered.one("StatefulSet"))["containers"]
    assert isinstance(container, dict)
    return container


def _operator_yaml(rendered: Rendered) -> str:
    text = rendered.one("ConfigMap", "t-avs-operator-config")["data"]["operator.yaml"]
    assert isinstance(text, str)
    return text


def _env(container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the node sees it (Secret refs as placeholders)."""
    env = {}
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", f"<from {var.get('valueFrom')}>")
    return env


def _mount_source(rendered: Rendered, container: dict[str, Any], file: Path) -> dict[str, Any]:
    """The volume (and item path) a file path of the container comes from."""
    spec = pod_spec(rendered.one("StatefulSet"))
    volumes = {v["name"]: v for v in spec["volumes"]}
    templates = rendered.one("StatefulSet")["spec"].get("volumeClaimTemplates", [])
    volumes.update({t["metadata"]["name"]: {"pvc": t} for t in templates})
    for mount in container["volumeMounts"]:
        if file.is_relative_to(mount["mountPath"]):
            return {"volume": volumes[mount["name"]], "path": file.relative_to(mount["mountPath"])}
    raise AssertionError(f"{file} is on no volume")


@pytest.mark.parametrize("ci", CI)
def test_config_map_is_a_valid_operator_config(ci: str, tmp_path: Path) -> None:
    """operator.yaml plus the container's environment load with the node's own config class."""
    rendered = _render(ci)
    config_file = tmp_path / "operator.yaml"
    config_file.write_text(_operator_yaml(rendered))
    node = _node(rendered)
    config = load_config(OperatorConfig, config_file, env=_env(node))
    ports = {p["name"]: p["containerPort"] for p in node["ports"]}
    assert ports == {"node-api": config.node_api_port, "metrics": config.metrics_port}
    assert config.node_api_host == "0.0.0.0"  # noqa: S104 - the kubelet probes the pod IP
    assert node["args"][-4:] == ["operator", "run", "--config", "/config/operator.yaml"]


def test_aggregator_tls_files_come_from_the_secret(tmp_path: Path) -> None:
    rendered = _render("existing-secrets-values.yaml")
    config_file = tmp_path / "operator.yaml"
    config_file.write_text(_operator_yaml(rendered))
    node = _node(rendered)
    config = load_config(OperatorConfig, config_file, env=_env(node))
    assert config.aggregator_tls_ca_file is not None
    assert config.aggregator_tls_cert_file is not None
    assert config.aggregator_tls_key_file is not None
    assert not config.aggregator_plaintext
    mounts = {m["mountPath"]: m["name"] for m in node["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(rendered.one("StatefulSet"))["volumes"]}
    secret = volumes[mounts[str(config.aggregator_tls_ca_file.parent)]]["secret"]
    assert secret["secretName"] == "operator-aggregator-tls"
    items = {item["key"]: item["path"] for item in secret["items"]}
    assert items == {
        "aggregator-ca.pem": config.aggregator_tls_ca_file.name,
        "operator.pem": config.aggregator_tls_cert_file.name,
        "operator-key.pem": config.aggregator_tls_key_file.name,
    }
    plain = _render("minimal-values.yaml", {"aggregatorTls": {"plaintext": True}})
    config_file.write_text(_operator_yaml(plain))
    assert load_config(OperatorConfig, config_file, env=_env(_node(plain))).aggregator_plaintext


def test_several_aggregators_reach_the_node_config(tmp_path: Path) -> None:
    urls = ["agg-a.avs.svc:50051", "agg-b.avs.svc:50051"]
    extra = {"config": {"aggregatorUrl": "", "aggregatorUrls": urls, "blockTimeSeconds": 2}}
    rendered = _render("minimal-values.yaml", extra)
    config_file = tmp_path / "operator.yaml"
    config_file.write_text(_operator_yaml(rendered))
    config = load_config(OperatorConfig, config_file, env=_env(_node(rendered)))
    assert config.aggregators == tuple(urls)
    assert config.block_time == 2
    single = _render("minimal-values.yaml")
    config_file.write_text(_operator_yaml(single))
    config = load_config(OperatorConfig, config_file, env=_env(_node(single)))
    assert config.aggregators == ("avs-aggregator.avs.svc:50051",)


def test_the_watchtower_switch_reaches_the_node_config(tmp_path: Path) -> None:
    config_file = tmp_path / "operator.yaml"
    for value in (True, False):
        rendered = _render("minimal-values.yaml", {"config": {"watchtower": value}})
        config_file.write_text(_operator_yaml(rendered))
        config = load_config(OperatorConfig, config_file, env=_env(_node(rendered)))
        assert config.watchtower is value
        assert config.watchtower_key_file is None  # the chart's watchtower is check-only


@pytest.mark.parametrize("ci", CI)
def test_key_files_come_from_the_existing_secrets(ci: str, tmp_path: Path) -> None:
    rendered = _render(ci)
    values = ci_values(CHART, ci)
    config_file = tmp_path / "operator.yaml"
    config_file.write_text(_operator_yaml(rendered))
    node = _node(rendered)
    config = load_config(OperatorConfig, config_file, env=_env(node))
    files = {
        "bls": (config.bls_key_file, config.bls_password_file),
        "ecdsa": (config.ecdsa_key_file, config.ecdsa_password_file),
    }
    for kind, (key_file, password_file) in files.items():
        ref = deep_merge(_defaults()["keys"][kind], values["keys"][kind])
        for file, secret_key in (
            (key_file, ref["keyFileKey"]),
            (password_file, ref["passwordKey"]),
        ):
            assert file is not None
            source = _mount_source(rendered, node, file)
            secret = source["volume"]["secret"]
            assert secret["secretName"] == ref["existingSecret"]
            assert {"key": secret_key, "path": str(source["path"])} in secret["items"]
            assert secret["defaultMode"] == 0o440
    data_source = _mount_source(rendered, node, config.data_dir / "protection.sqlite")
    if values.get("persistence", {}).get("existingClaim"):
        claim = data_source["volume"]["persistentVolumeClaim"]["claimName"]
        assert claim == values["persistence"]["existingClaim"]
    else:
        assert "pvc" in data_source["volume"], "the protection store must be on a PVC"


def test_no_secret_reaches_a_config_map_or_the_chart_output() -> None:
    """The RPC URL with an API key travels only as a Secret reference; no Secret is rendered."""
    rendered = _render(
        "existing-secrets-values.yaml",
        {"config": {"rpcUrl": f"https://{SENTINEL}@rpc.example.org"}},
    )
    assert not rendered.all("Secret"), "the chart must never create a Secret"
    for config_map in rendered.all("ConfigMap"):
        text = yaml.safe_dump(config_map)
        assert SENTINEL not in text
        assert not re.search(r"password\s*:\s*(?!/secrets/)", text), "only password *paths*"
    env = {v["name"]: v for v in _node(rendered)["env"]}
    assert env["AVS_RPC_URL"]["valueFrom"]["secretKeyRef"] == {"name": "chain-rpc", "key": "url"}
    assert "rpc_url" not in yaml.safe_load(_operator_yaml(rendered))


def test_gpu_values_add_the_gpu_limit_and_the_cuda_image() -> None:
    rendered = _render("gpu-values.yaml")
    node = _node(rendered)
    assert node["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert node["image"].endswith(":0.1.0-cuda")
    providers = yaml.safe_load(_operator_yaml(rendered))["execution_providers"]
    assert providers == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    spec = pod_spec(rendered.one("StatefulSet"))
    assert spec["runtimeClassName"] == "nvidia"
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec[
        "tolerations"
    ]
    (test_pod,) = rendered.all("Pod")
    assert pod_spec(test_pod)["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1


def test_gpu_count_and_resource_name_are_honoured() -> None:
    node = _node(_render("gpu-values.yaml", {"gpu": {"count": 2, "resourceName": "amd.com/gpu"}}))
    assert node["resources"]["limits"]["amd.com/gpu"] == 2
    assert "nvidia.com/gpu" not in node["resources"]["limits"]


def test_selftest_can_leave_the_gpu_to_the_node() -> None:
    (test_pod,) = _render("gpu-values.yaml", {"tests": {"selftest": {"gpu": False}}}).all("Pod")
    assert "nvidia.com/gpu" not in pod_spec(test_pod)["containers"][0]["resources"]["limits"]


@pytest.mark.parametrize("ci", ["minimal-values.yaml", "existing-secrets-values.yaml"])
def test_cpu_values_request_no_gpu(ci: str) -> None:
    rendered = _render(ci)
    assert "nvidia.com/gpu" not in yaml.safe_dump_all(list(rendered.manifests))
    assert _node(rendered)["image"].endswith(
        ("avs-operator:0.1.0", "@sha256:" + "0123456789abcdef" * 4)
    )
    assert yaml.safe_load(_operator_yaml(rendered))["execution_providers"] == [
        "CPUExecutionProvider"
    ]


@pytest.mark.parametrize("ci", CI)
def test_probes_target_the_node_api(ci: str) -> None:
    """Readiness follows node health; startup/liveness only ask whether the API answers."""
    node = _node(_render(ci))
    ports = {p["name"]: p["containerPort"] for p in node["ports"]}
    paths = {kind: node[kind]["httpGet"]["path"] for kind in PROBES}
    assert paths == {
        "startupProbe": "/eigen/node",
        "livenessProbe": "/eigen/node",
        "readinessProbe": "/eigen/node/health",
    }
    expected_port = ci_values(CHART, ci).get("config", {}).get("nodeApiPort", 9010)
    for kind in PROBES:
        assert ports[node[kind]["httpGet"]["port"]] == expected_port
    assert node["livenessProbe"]["failureThreshold"] * node["livenessProbe"]["periodSeconds"] >= 60


def test_hardened_security_context() -> None:
    rendered = _render("minimal-values.yaml")
    spec = pod_spec(rendered.one("StatefulSet"))
    node = _node(rendered)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    assert spec["automountServiceAccountToken"] is False
    ctx = node["securityContext"]
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["capabilities"]["drop"] == ["ALL"]
    assert ctx["seccompProfile"]["type"] == "RuntimeDefault"
    writable = {m["mountPath"] for m in node["volumeMounts"] if not m.get("readOnly")}
    assert writable == {"/data", "/tmp"}


def test_one_signer_and_a_store_that_outlives_the_release() -> None:
    statefulset = _render("minimal-values.yaml").one("StatefulSet")
    assert statefulset["spec"]["replicas"] == 1
    assert statefulset["spec"]["updateStrategy"]["type"] == "RollingUpdate"
    assert statefulset["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    grace = pod_spec(statefulset)["terminationGracePeriodSeconds"]
    config = yaml.safe_load(_operator_yaml(_render("minimal-values.yaml")))
    assert grace >= config["shutdown_grace"] + 10


def test_without_persistence_the_notes_warn_about_the_protection_store() -> None:
    rendered = _render("minimal-values.yaml", {"persistence": {"enabled": False}})
    volumes = {v["name"]: v for v in pod_spec(rendered.one("StatefulSet"))["volumes"]}
    assert "emptyDir" in volumes["data"]
    assert "volumeClaimTemplates" not in rendered.one("StatefulSet")["spec"]
    assert "slashing-protection store" in rendered.notes


def test_notes_show_the_operator_and_how_to_check_it() -> None:
    notes = _render("existing-secrets-values.yaml").notes
    values = ci_values(CHART, "existing-secrets-values.yaml")
    assert values["operator"]["id"] in notes
    assert values["operator"]["address"] in notes
    assert "avs operator register --config /config/operator.yaml" in notes
    assert "/eigen/node/health" in notes
    assert "/metrics" in notes
    assert "helm test t" in notes


def test_selftest_hook_runs_the_selftest_with_the_release_config() -> None:
    (pod,) = _render("minimal-values.yaml").all("Pod")
    (container,) = pod["spec"]["containers"]
    assert container["args"] == [
        "operator",
        "selftest",
        "--json",
        "--config",
        "/config/operator.yaml",
    ]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    node_mounts = {
        m["mountPath"]: m["name"] for m in _node(_render("minimal-values.yaml"))["volumeMounts"]
    }
    assert mounts["/config"] == node_mounts["/config"]  # the node's operator.yaml
    assert container["image"] == _node(_render("minimal-values.yaml"))["image"]


def test_selftest_requires_the_task_types_the_image_carries() -> None:
    extra = {"tests": {"selftest": {"requireTaskTypes": ["acme-detect", "int-mlp"]}}}
    (pod,) = _render("minimal-values.yaml", extra).all("Pod")
    (container,) = pod["spec"]["containers"]
    assert container["args"][-4:] == ["--require", "acme-detect", "--require", "int-mlp"]


def _exported_metric_names() -> set[str]:
    registry = OperatorMetrics.create().registry
    return {sample.name for metric in registry.collect() for sample in metric.samples} | {
        metric.name + "_total" for metric in registry.collect() if metric.type == "counter"
    }


def _alert_metrics() -> dict[str, set[str]]:
    rule = _render("monitoring-values.yaml").one("PrometheusRule")
    found: dict[str, set[str]] = {}
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            names = set(re.findall(r"\b([a-z_][a-z0-9_]*)\{", r["expr"])) - {"up"}
            found[r["alert"]] = names
    return found


def test_alerts_cover_down_sla_and_slashing() -> None:
    assert set(_alert_metrics()) == {
        "AvsOperatorDown",
        "AvsOperatorSigningRateBelowSla",
        "AvsOperatorSlashed",
    }


@pytest.mark.parametrize(
    "alert",
    [
        "AvsOperatorSigningRateBelowSla",
        "AvsOperatorSlashed",
    ],
)
def test_alerts_read_metrics_the_node_exports(alert: str) -> None:
    missing = _alert_metrics()[alert] - _exported_metric_names()
    assert not missing, f"{alert} reads metrics the node does not export: {missing}"
