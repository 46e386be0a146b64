"""values.yaml, values.schema.json and validate.yaml: documented, typed, and failing early with
messages that say what to set."""

from __future__ import annotations

import re
from typing import Any

import helm_python
import pytest
import yaml

from .helm_harness import CHARTS, chart_dir, ci_values, deep_merge, load_chart, render
from .helm_params import leaf_paths, lookup, params, readme_block, table

# Shapes of key material that must never sit in a chart's defaults.
_KEY_MATERIAL = re.compile(
    r"(0x)?[0-9a-fA-F]{64}|-----BEGIN|\"ciphertext\"|\"crypto\"|mnemonic", re.IGNORECASE
)


def _defaults(chart: str) -> dict[str, Any]:
    loaded = yaml.safe_load((chart_dir(chart) / "values.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("chart", CHARTS)
def test_every_value_is_documented_and_every_param_exists(chart: str) -> None:
    documented = {p.path for p in params(chart_dir(chart) / "values.yaml")}
    values = _defaults(chart)
    for path in leaf_paths(values):
        parts = path.split(".")
        prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
        assert prefixes & documented, f"{path} has no ## @param"
    for path in documented:
        assert lookup(values, path)[0], f"## @param {path} names no value"


@pytest.mark.parametrize("chart", CHARTS)
def test_schema_types_every_value(chart: str) -> None:
    schema = load_chart(chart).schema
    assert schema is not None
    assert schema["additionalProperties"] is False
    for path in leaf_paths(_defaults(chart)):
        node = schema
        for part in path.split("."):
            props = node.get("properties", {})
            if part in props:
                node = props[part]
            else:
                assert isinstance(node.get("additionalProperties"), dict) or (
                    "additionalProperties" not in node
                ), f"schema has no entry for {path}"
                break


@pytest.mark.parametrize("chart", CHARTS)
def test_readme_parameter_tables_are_current(chart: str) -> None:
    assert readme_block(chart_dir(chart)) == table(chart_dir(chart)), (
        "run: .venv/bin/python tests/unit/helm/helm_params.py --write"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_defaults_hold_no_key_material(chart: str) -> None:
    text = (chart_dir(chart) / "values.yaml").read_text()
    assert not _KEY_MATERIAL.search(text)
    for path in leaf_paths(_defaults(chart)):
        if path.endswith("existingSecret"):
            assert lookup(_defaults(chart), path)[1] == "", f"{path} must default to empty"


BAD_VALUES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown top-level key", {"replicas": 1}, "additional propert"),
    ("unknown nested key", {"image": {"tags": "1.0"}}, "additional propert"),
    ("misspelt key section", {"keys": {"bls": {"secret": "x"}}}, "additional propert"),
    ("wrong type", {"replicaCount": "1"}, "want integer"),
    ("two signers", {"replicaCount": 2}, "replicaCount"),
    ("bad pull policy", {"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
    ("bad digest", {"image": {"digest": "latest"}}, "digest"),
    ("port out of range", {"config": {"metricsPort": 70000}}, "metricsPort"),
    ("bad log level", {"config": {"logLevel": "verbose"}}, "logLevel"),
    ("liveness success threshold", {"livenessProbe": {"successThreshold": 2}}, "successThreshold"),
    ("bad size", {"persistence": {"size": "lots"}}, "size"),
    ("bad secret name", {"keys": {"ecdsa": {"existingSecret": "My_Keys"}}}, "existingSecret"),
    ("bad rpc url", {"config": {"rpcUrl": "localhost:8545"}}, "rpcUrl"),
    ("bad policy peer", {"networkPolicy": {"scrapeFrom": [{"namespace": "mon"}]}}, "scrapeFrom"),
]
OPERATOR_BAD_VALUES: list[tuple[str, dict[str, Any], str]] = [
    ("gpu count type", {"gpu": {"count": "one"}}, "want integer"),
    ("zero gpus", {"gpu": {"count": 0}}, "count"),
    ("bad provider", {"config": {"executionProviders": ["cuda"]}}, "executionProviders"),
    ("bad aggregator url", {"config": {"aggregatorUrl": "http://agg:50051"}}, "aggregatorUrl"),
    ("sla above 1", {"metrics": {"prometheusRule": {"signingRateSla": 95}}}, "signingRateSla"),
    ("bad operator id", {"operator": {"id": "0x1234"}}, "id"),
]


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize(
    ("case", "bad", "fragment"),
    BAD_VALUES,
    ids=[c for c, _, _ in BAD_VALUES],
)
def test_schema_rejects_bad_values(
    chart: str, case: str, bad: dict[str, Any], fragment: str
) -> None:
    values = deep_merge(ci_values(chart, "minimal-values.yaml"), bad)
    with pytest.raises(helm_python.HelmValuesError, match=fragment):
        render(chart, values)


@pytest.mark.parametrize(
    ("case", "bad", "fragment"),
    OPERATOR_BAD_VALUES,
    ids=[c for c, _, _ in OPERATOR_BAD_VALUES],
)
def test_operator_schema_rejects_bad_values(case: str, bad: dict[str, Any], fragment: str) -> None:
    values = deep_merge(ci_values("avs-operator", "minimal-values.yaml"), bad)
    with pytest.raises(helm_python.HelmValuesError, match=fragment):
        render("avs-operator", values)


def test_aggregator_schema_rejects_bad_service_type() -> None:
    values = deep_merge(
        ci_values("avs-aggregator", "minimal-values.yaml"), {"service": {"type": "Ingress"}}
    )
    with pytest.raises(helm_python.HelmValuesError, match="type"):
        render("avs-aggregator", values)


@pytest.mark.parametrize("chart", CHARTS)
def test_defaults_alone_stop_the_install_asking_for_the_secret(chart: str) -> None:
    with pytest.raises(helm_python.HelmRenderError) as info:
        render(chart, {})
    message = str(info.value)
    assert "existingSecret is required" in message
    assert "kubectl create secret generic" in message


INSTALL_ERRORS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "avs-operator",
        "no ECDSA secret",
        {"keys": {"ecdsa": {"existingSecret": ""}}},
        "keys.ecdsa.existingSecret is required",
    ),
    (
        "avs-operator",
        "one Secret key for two files",
        {"keys": {"ecdsa": {"keyFileKey": "bls.key.json"}}},
        "four different Secret keys",
    ),
    ("avs-operator", "no chain", {"config": {"rpcUrl": ""}}, "set config.rpcUrl"),
    (
        "avs-operator",
        "no aggregator",
        {"config": {"aggregatorUrl": ""}},
        "config.aggregatorUrl is required",
    ),
    ("avs-operator", "no deployment", {"deployment": {"contents": ""}}, "deployment JSON"),
    ("avs-operator", "bad deployment", {"deployment": {"contents": "{nope"}}, "not a JSON"),
    (
        "avs-operator",
        "grace too short",
        {"terminationGracePeriodSeconds": 30},
        "terminationGracePeriodSeconds",
    ),
    ("avs-operator", "same ports", {"config": {"metricsPort": 9010}}, "must differ"),
    (
        "avs-operator",
        "both pdb bounds",
        {"pdb": {"minAvailable": 1, "maxUnavailable": 1}},
        "at most one",
    ),
    ("avs-aggregator", "no chain", {"config": {"rpcUrl": ""}}, "set config.rpcUrl"),
    (
        "avs-aggregator",
        "one key for two files",
        {"keys": {"ecdsa": {"passwordKey": "ecdsa.key.json"}}},
        "two Secret keys",
    ),
    ("avs-aggregator", "no deployment", {"deployment": {"contents": ""}}, "deployment JSON"),
    ("avs-aggregator", "node port on ClusterIP", {"service": {"nodePort": 30051}}, "nodePort"),
]


@pytest.mark.parametrize(
    ("chart", "case", "bad", "fragment"),
    INSTALL_ERRORS,
    ids=[f"{chart}-{case}" for chart, case, _, _ in INSTALL_ERRORS],
)
def test_validate_stops_the_install_with_a_clear_message(
    chart: str, case: str, bad: dict[str, Any], fragment: str
) -> None:
    values = deep_merge(ci_values(chart, "minimal-values.yaml"), bad)
    with pytest.raises(helm_python.HelmRenderError, match=re.escape(fragment)):
        render(chart, values)
