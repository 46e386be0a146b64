"""avs-aggregator: config the aggregator loads, gRPC probes and Services, keys, alerts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from avs.config import load_config
from avs.metrics import AggregatorMetrics
from avs_aggregator.config import AggregatorConfig

from .helm_harness import Rendered, ci_values, deep_merge, pod_spec, render

CHART = "avs-aggregator"
CI = ["minimal-values.yaml", "existing-secrets-values.yaml", "monitoring-values.yaml"]


def _render(ci: str, extra: dict[str, Any] | None = None) -> Rendered:
    return render(CHART, deep_merge(ci_values(CHART, ci), extra or {}))


def _container(rendered: Rendered) -> dict[str, Any]:
    (container,) = pod_spec(rendered.one("StatefulSet"))["containers"]
    assert isinstance(container, dict)
    return container


def _config(rendered: Rendered, tmp_path: Path) -> AggregatorConfig:
    config_file = tmp_path / "aggregator.yaml"
    config_file.write_text(
        rendered.one("ConfigMap", "t-avs-aggregator-config")["data"]["aggregator.yaml"]
    )
    env = {
        v["name"]: v.get("value", "<from a Secret>") for v in _container(rendered).get("env", [])
    }
    return load_config(AggregatorConfig, config_file, env=env)


@pytest.mark.parametrize("ci", CI)
def test_config_map_is_a_valid_aggregator_config(ci: str, tmp_path: Path) -> None:
    rendered = _render(ci)
    config = _config(rendered, tmp_path)
    container = _container(rendered)
    assert container["args"][-4:] == ["aggregator", "run", "--config", "/config/aggregator.yaml"]
    host, port = config.listen.rsplit(":", 1)
    assert host == "0.0.0.0"  # noqa: S104 - operators and the kubelet connect on the pod IP
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": int(port), "metrics": config.metrics_port}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(rendered.one("StatefulSet"))["volumes"]}
    assert config.ecdsa_password_file is not None
    for file in (config.ecdsa_key_file, config.ecdsa_password_file):
        secret = volumes[mounts[str(file.parent)]]["secret"]
        expected = deep_merge({"existingSecret": ""}, ci_values(CHART, ci)["keys"]["ecdsa"])
        assert secret["secretName"] == expected["existingSecret"]
        assert file.name in {item["path"] for item in secret["items"]}
    assert mounts[str(config.data_dir)] == "data"


@pytest.mark.parametrize("ci", CI)
def test_probes_check_the_listen_port(ci: str, tmp_path: Path) -> None:
    rendered = _render(ci)
    config = _config(rendered, tmp_path)
    container = _container(rendered)
    port = {"port": int(config.listen.rsplit(":", 1)[1])}
    # The kubelet's native gRPC probe speaks no TLS: a TCP check when the port is TLS.
    kind_of_check = "grpc" if config.tls is None else "tcpSocket"
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[kind][kind_of_check] == port


@pytest.mark.parametrize("ci", CI)
def test_tls_files_come_from_the_secret_or_plaintext_is_explicit(ci: str, tmp_path: Path) -> None:
    rendered = _render(ci)
    config = _config(rendered, tmp_path)
    tls = ci_values(CHART, ci).get("tls", {})
    if not tls.get("existingSecret"):
        assert config.tls is None
        assert config.allow_plaintext is tls.get("allowPlaintext")
        return
    assert config.tls is not None
    assert not config.allow_plaintext
    mounts = {m["mountPath"]: m["name"] for m in _container(rendered)["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(rendered.one("StatefulSet"))["volumes"]}
    secret = volumes[mounts[str(config.tls.cert_file.parent)]]["secret"]
    assert secret["secretName"] == tls["existingSecret"]
    items = {item["key"]: item["path"] for item in secret["items"]}
    assert items[tls.get("certKey", "tls.crt")] == config.tls.cert_file.name
    assert items[tls.get("keyKey", "tls.key")] == config.tls.key_file.name
    if tls.get("clientCaKey"):
        assert config.tls.client_ca_file is not None
        assert items[tls["clientCaKey"]] == config.tls.client_ca_file.name


def test_neither_tls_nor_explicit_plaintext_fails_the_install() -> None:
    values = deep_merge(ci_values(CHART, "minimal-values.yaml"), {"tls": {"existingSecret": ""}})
    with pytest.raises(Exception, match=r"tls\.existingSecret"):
        render(CHART, values)


def test_grpc_service_and_test_pod_agree() -> None:
    rendered = _render("minimal-values.yaml")
    service = rendered.one("Service", "t-avs-aggregator")
    (port,) = service["spec"]["ports"]
    assert port["appProtocol"] == "grpc"
    assert port["targetPort"] == "grpc"
    assert "metrics" not in {p["name"] for p in service["spec"]["ports"]}
    (pod,) = rendered.all("Pod")
    assert pod["spec"]["containers"][0]["command"][-1] == f"t-avs-aggregator.avs.svc:{port['port']}"


def test_load_balancer_for_operators_outside_the_cluster() -> None:
    rendered = _render("monitoring-values.yaml", {"service": {"nodePort": 30051}})
    spec = rendered.one("Service", "t-avs-aggregator")["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert spec["externalTrafficPolicy"] == "Local"
    assert spec["ports"][0]["nodePort"] == 30051
    headless = rendered.one("Service", "t-avs-aggregator-headless")["spec"]
    assert headless["clusterIP"] == "None"


def test_no_secret_is_rendered_and_the_rpc_url_secret_stays_a_reference() -> None:
    rendered = _render("existing-secrets-values.yaml", {"config": {"rpcUrl": "https://k@rpc"}})
    assert not rendered.all("Secret")
    for config_map in rendered.all("ConfigMap"):
        assert "k@rpc" not in yaml.safe_dump(config_map)
    env = {v["name"]: v for v in _container(rendered)["env"]}
    assert env["AVS_RPC_URL"]["valueFrom"]["secretKeyRef"] == {"name": "chain-rpc", "key": "url"}


def test_hardened_and_single_replica() -> None:
    rendered = _render("minimal-values.yaml")
    statefulset = rendered.one("StatefulSet")
    assert statefulset["spec"]["replicas"] == 1
    spec = pod_spec(statefulset)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["automountServiceAccountToken"] is False
    ctx = _container(rendered)["securityContext"]
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["capabilities"]["drop"] == ["ALL"]


def test_alerts_read_metrics_the_aggregator_exports() -> None:
    registry = AggregatorMetrics.create().registry
    exported = {m.name + "_total" for m in registry.collect() if m.type == "counter"}
    exported |= {s.name for m in registry.collect() for s in m.samples}
    rule = _render("monitoring-values.yaml").one("PrometheusRule")
    alerts = {}
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            alerts[r["alert"]] = set(re.findall(r"\b([a-z_][a-z0-9_]*)\{", r["expr"])) - {"up"}
    assert set(alerts) == {
        "AvsAggregatorDown",
        "AvsAggregatorCertificatesFailing",
        "AvsAggregatorTasksExpiring",
    }
    for alert, names in alerts.items():
        assert names <= exported, f"{alert} reads metrics the aggregator does not export"


@pytest.mark.parametrize("ci", CI)
def test_peer_aggregators_and_their_ca_reach_the_config(ci: str, tmp_path: Path) -> None:
    rendered = _render(ci)
    config = _config(rendered, tmp_path)
    values = ci_values(CHART, ci)
    assert list(config.peer_aggregators) == values.get("config", {}).get("peerAggregators", [])
    peer_tls = values.get("peerTls", {})
    if not peer_tls.get("existingSecret"):
        assert config.peer_tls is None
        return
    assert config.peer_tls is not None
    assert config.peer_tls.ca_file is not None
    mounts = {m["mountPath"]: m["name"] for m in _container(rendered)["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(rendered.one("StatefulSet"))["volumes"]}
    secret = volumes[mounts[str(config.peer_tls.ca_file.parent)]]["secret"]
    assert secret["secretName"] == peer_tls["existingSecret"]
    (item,) = secret["items"]
    assert (item["key"], item["path"]) == (peer_tls["caKey"], config.peer_tls.ca_file.name)


def test_a_peer_that_is_not_host_port_fails_the_install() -> None:
    values = deep_merge(
        ci_values(CHART, "minimal-values.yaml"), {"config": {"peerAggregators": ["no port"]}}
    )
    with pytest.raises(Exception, match="peerAggregators"):
        render(CHART, values)
