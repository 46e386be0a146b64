"""``avs task-type new``: write a ready task-type package from the templates.

The package passes its own conformance suite as generated: its model, golden case and
sample inputs are built by the package's own ``build_model.py`` (run here in a child
Python), and the golden file's Keccak-256 is pinned in the generated class.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from avs.errors import InputError
from avs.models.hashing import content_hash, hash_hex

TEMPLATES = "avs.cli.templates"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
WIDTH, CLASSES = 4, 3


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What ``avs task-type new`` wrote."""

    root: Path
    """The package directory."""
    type_id: str
    module: str
    """Python import name of the package."""
    files: tuple[Path, ...]
    """Every file written, relative to ``root``."""
    model_id: str
    """Keccak-256 of the generated model.onnx (its on-chain model id)."""
    golden_keccak256: str


def names(type_id: str) -> dict[str, str]:
    """Template values derived from the task-type id."""
    if not ID_PATTERN.match(type_id) or type_id.endswith("-") or "--" in type_id:
        raise InputError(
            f"task type name {type_id!r} must be lower-case letters, digits and single dashes, "
            "starting with a letter (e.g. 'sentiment' or 'fraud-score')"
        )
    module = type_id.replace("-", "_")
    return {
        "type_id": type_id,
        "module": module,
        "dist_name": f"avs-task-{type_id}",
        "class_name": "".join(part.capitalize() for part in type_id.split("-")),
        "width": str(WIDTH),
        "classes": str(CLASSES),
    }


def _render(name: str, values: dict[str, str]) -> str:
    text = resources.files(TEMPLATES).joinpath(name).read_text()
    return Template(text).substitute(values)


def scaffold(type_id: str, parent: Path, exact: bool) -> Scaffold:
    """Write package ``type_id`` under ``parent`` and build its model and golden case."""
    values = names(type_id)
    root = parent / type_id
    if root.exists() and any(root.iterdir()):
        raise InputError(f"{root} exists and is not empty; pick another --dir or name")
    module = values["module"]
    pkg = root / module
    variant = "_exact" if exact else ""
    plan = {
        Path("pyproject.toml"): "pyproject.toml.tmpl",
        Path("README.md"): "README.md.tmpl",
        Path(module) / "__init__.py": "init.py.tmpl",
        Path(module) / "build_model.py": f"build_model{variant}.py.tmpl",
        Path("tests") / "test_conformance.py": "test_conformance.py.tmpl",
    }
    (root / "tests").mkdir(parents=True, exist_ok=True)
    pkg.mkdir(parents=True, exist_ok=True)
    for rel, template in plan.items():
        (root / rel).write_text(_render(template, values))
    (pkg / "py.typed").write_text("")
    _build(root, module)
    golden = hash_hex(content_hash((pkg / "golden.json").read_bytes()))
    values["golden_keccak256"] = golden
    (pkg / "task_type.py").write_text(_render(f"task_type{variant}.py.tmpl", values))
    written = [
        *plan,
        Path(module) / "py.typed",
        Path(module) / "task_type.py",
        Path(module) / "model.onnx",
        Path(module) / "golden.json",
        Path("sample_inputs.jsonl"),
    ]
    model_id = hash_hex(content_hash((pkg / "model.onnx").read_bytes()))
    return Scaffold(root, type_id, module, tuple(sorted(written)), model_id, golden)


def _build(root: Path, module: str) -> None:
    """Run the package's build_model.py in a child Python (nothing is imported here)."""
    proc = subprocess.run(
        [sys.executable, "-m", f"{module}.build_model"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InputError(f"building the model of {root} failed: {tail[0]}")
