"""``avs task-type new``: scaffold a task-type package that passes its conformance suite."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("task-type")
def task_type() -> None:
    """Create a new task type (a Python package edge-avs discovers by entry point)."""


@task_type.command()
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Create the package directory NAME inside this directory.",
)
@click.option(
    "--exact",
    is_flag=True,
    help="An exact (integer-only, bit-identical, never abstaining) type instead of a float "
    "classifier that abstains near ties. Registering its models needs an on-chain verifier "
    "contract that re-executes them ('avs models register --verifier ADDR').",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def new(name: str, parent: Path, exact: bool, as_json: bool) -> None:
    """Write package NAME: pyproject with the entry point, the task-type class, a model
    builder with its model and golden case, a conformance test and a README.

    NAME is the task type's id (lower case, digits, dashes). The package installs with
    'pip install -e DIR/NAME' and passes 'pytest --avs-task-type=NAME' as generated.
    """
    from avs.cli.scaffold import scaffold

    made = scaffold(name, parent, exact)
    if as_json:
        body = {
            "path": str(made.root),
            "type_id": made.type_id,
            "module": made.module,
            "exact": exact,
            "files": [str(f) for f in made.files],
            "model_id": made.model_id,
            "golden_keccak256": made.golden_keccak256,
        }
        click.echo(json.dumps(body, indent=2))
        return
    click.echo(f"created task type {made.type_id} in {made.root}:")
    for rel in made.files:
        click.echo(f"  {rel}")
    click.echo(f"model id {made.model_id}")
    click.echo("next:")
    click.echo(f"  pip install -e {made.root}")
    click.echo(f"  pytest --avs-task-type={made.type_id}")
