"""The committed artifacts are complete, fresh with respect to the sources, and pinned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from avs.chain.compiled import artifact_names, load_artifact, manifest

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = ROOT / "contracts"
EIP170 = 24_576


def test_every_artifact_loads_and_fits_eip170() -> None:
    names = artifact_names()
    assert {"TaskManager", "OperatorRegistry", "AllocationManager", "SlashingManager"} <= set(names)
    for name in names:
        artifact = load_artifact(name)
        assert artifact.bytecode
        assert artifact.deployed_bytecode
        assert len(artifact.deployed_bytecode) <= EIP170
        entry = manifest()["artifacts"][name]
        assert entry["deployedSize"] == len(artifact.deployed_bytecode)


def test_artifact_files_match_manifest_hashes() -> None:
    directory = ROOT / "avs" / "chain" / "artifacts"
    for name, entry in manifest()["artifacts"].items():
        digest = hashlib.sha256((directory / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{name}.json was edited by hand; run 'make generate'"


def test_our_sources_match_the_manifest() -> None:
    """A Solidity edit without 'make generate' fails here, without running the compiler."""
    recorded = {k: v for k, v in manifest()["sources"].items() if k.startswith("src/")}
    on_disk = {
        str(p.relative_to(CONTRACTS)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((CONTRACTS / "src").rglob("*.sol"))
    }
    assert recorded == on_disk, "contract sources changed: run 'make generate' and commit"


def test_compiler_and_settings_are_pinned() -> None:
    m = manifest()
    pinned = json.loads((CONTRACTS / "package.json").read_text())["dependencies"]["solc"]
    assert m["compiler"]["version"].startswith(pinned + "+commit.")
    assert m["settings"]["evmVersion"] == "prague"
    assert m["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert "do not edit" in m["generatedBy"]


def test_openzeppelin_sources_match_the_installed_package() -> None:
    node_modules = CONTRACTS / "node_modules"
    if not (node_modules / "@openzeppelin").is_dir():
        pytest.skip("contracts/node_modules not installed (run 'make setup')")
    for name, digest in manifest()["sources"].items():
        if name.startswith("@openzeppelin/"):
            assert hashlib.sha256((node_modules / name).read_bytes()).hexdigest() == digest, name
