"""Task-type discovery through the ``avs.task_types`` entry-point group.

The built-in types (``onnx-classify``, ``int-mlp``) are declared in edge-avs's own
``pyproject.toml`` exactly as a third-party package declares its own, so there is one path
for both. A registry is a plain value built on demand (no global state); tests build one
from explicit classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

import structlog

from avs.errors import TaskError
from avs.tasks.api import TaskType

ENTRY_POINT_GROUP = "avs.task_types"

log = structlog.get_logger(__name__)


class TaskTypeRegistry:
    """Task-type classes by id; instances are created on :meth:`get`."""

    def __init__(self, types: Mapping[str, type[TaskType]] | None = None) -> None:
        """Start from explicit ``id -> class`` pairs (each id must match the class's id)."""
        self._types: dict[str, type[TaskType]] = {}
        for name, cls in (types or {}).items():
            self.register(cls, name)

    @classmethod
    def from_entry_points(cls, eps: Iterable[EntryPoint] | None = None) -> TaskTypeRegistry:
        """Load every ``avs.task_types`` entry point (or the given ones)."""
        registry = cls()
        for ep in entry_points(group=ENTRY_POINT_GROUP) if eps is None else eps:
            try:
                loaded = ep.load()
            except Exception as exc:  # a broken plug-in must not hide the others' errors
                raise TaskError(
                    f"task type {ep.name!r} ({ep.value}) failed to import: {exc}; "
                    "fix or uninstall the package that declares it"
                ) from exc
            if not (isinstance(loaded, type) and issubclass(loaded, TaskType)):
                raise TaskError(f"entry point {ep.name} = {ep.value} is not a TaskType subclass")
            registry.register(loaded, ep.name)
        return registry

    def register(self, cls: type[TaskType], name: str | None = None) -> None:
        """Add ``cls`` under its id; refuse a name mismatch or a second class for one id."""
        type_id = getattr(cls, "id", None)
        if not isinstance(type_id, str) or not type_id:
            raise TaskError(f"{cls.__qualname__} has no string `id`")
        if name is not None and name != type_id:
            raise TaskError(
                f"entry point {name!r} loads {cls.__qualname__} whose id is {type_id!r}; "
                "the entry-point name must equal the id"
            )
        existing = self._types.get(type_id)
        if existing is not None and existing is not cls:
            raise TaskError(
                f"two task types claim id {type_id!r}: {existing.__module__}."
                f"{existing.__qualname__} and {cls.__module__}.{cls.__qualname__}"
            )
        self._types[type_id] = cls

    def ids(self) -> list[str]:
        """Known ids, sorted."""
        return sorted(self._types)

    def get(self, type_id: str) -> TaskType:
        """A fresh instance of task type ``type_id``; unknown ids list the known ones."""
        cls = self._types.get(type_id)
        if cls is None:
            known = ", ".join(self.ids()) or "none"
            raise TaskError(
                f"unknown task type {type_id!r}; known: {known}. Install the package that "
                "provides it (it must declare an 'avs.task_types' entry point)"
            )
        return cls()

    def __contains__(self, type_id: object) -> bool:
        """Whether ``type_id`` is registered."""
        return type_id in self._types


def load_registry() -> TaskTypeRegistry:
    """The registry of every installed task type."""
    return TaskTypeRegistry.from_entry_points()


def get_task_type(type_id: str) -> TaskType:
    """Shortcut: an instance of installed task type ``type_id``."""
    return load_registry().get(type_id)
