"""Task types are discovered through entry points; mistakes give actionable errors."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from avs.errors import TaskError
from avs.tasks import TaskTypeRegistry, get_task_type, load_registry
from avs.tasks.int_mlp import IntMlp
from avs.tasks.onnx_classify import OnnxClassify

GROUP = "avs.task_types"


def test_builtin_types_come_from_installed_entry_points() -> None:
    registry = load_registry()
    assert {"onnx-classify", "int-mlp"} <= set(registry.ids())
    assert isinstance(registry.get("onnx-classify"), OnnxClassify)
    assert isinstance(get_task_type("int-mlp"), IntMlp)


def test_unknown_id_lists_known_ones() -> None:
    with pytest.raises(
        TaskError, match=r"unknown task type 'nope'; known: .*int-mlp.*onnx-classify"
    ):
        load_registry().get("nope")


def test_entry_point_name_must_equal_id() -> None:
    ep = EntryPoint("wrong-name", "avs.tasks.int_mlp:IntMlp", GROUP)
    with pytest.raises(TaskError, match="must equal the id"):
        TaskTypeRegistry.from_entry_points([ep])


def test_entry_point_must_load_a_task_type() -> None:
    ep = EntryPoint("json", "json:loads", GROUP)
    with pytest.raises(TaskError, match="not a TaskType subclass"):
        TaskTypeRegistry.from_entry_points([ep])


def test_broken_plugin_import_names_the_package_to_fix() -> None:
    ep = EntryPoint("ghost", "avs_no_such_plugin.types:Ghost", GROUP)
    with pytest.raises(TaskError, match=r"'ghost'.*failed to import"):
        TaskTypeRegistry.from_entry_points([ep])


def test_two_classes_cannot_claim_one_id() -> None:
    class Impostor(IntMlp):
        pass

    registry = TaskTypeRegistry({"int-mlp": IntMlp})
    registry.register(IntMlp)  # the same class again is harmless
    with pytest.raises(TaskError, match="two task types claim id 'int-mlp'"):
        registry.register(Impostor)
