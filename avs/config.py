"""Role configuration: one YAML file per role plus ``AVS_*`` environment overrides.

A role declares its settings as a frozen dataclass; :func:`load_config` reads the YAML
file, applies overrides (``AVS_RPC_URL`` sets ``rpc_url``; ``AVS_METRICS__PORT`` sets
``metrics.port``), converts and validates every field, and raises :class:`ConfigError`
naming the field and the fix. Secrets are never values here, only file paths.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from avs.errors import ConfigError

T = TypeVar("T")
ENV_PREFIX = "AVS_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def load_config(
    cls: type[T], path: Path | None, env: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX
) -> T:
    """Build ``cls`` from the YAML file at ``path`` (optional) and environment overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        raw = _read_yaml(path)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    _apply_env(raw, os.environ if env is None else env, prefix, known)
    return from_mapping(cls, raw, where=str(path) if path else "environment")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data


def _apply_env(raw: dict[str, Any], env: Mapping[str, str], prefix: str, known: set[str]) -> None:
    for name, value in env.items():
        if not name.startswith(prefix) or len(name) == len(prefix):
            continue
        parts = name[len(prefix) :].lower().split("__")
        # Other AVS_* variables are not ours to judge: Kubernetes injects service links
        # such as AVS_AGGREGATOR_PORT into every pod of the namespace.
        if parts[0] not in known:
            continue
        target = raw
        for part in parts[:-1]:
            nested = target.setdefault(part, {})
            if not isinstance(nested, dict):
                raise ConfigError(f"environment {name} overrides {part!r}, which is not a section")
            target = nested
        target[parts[-1]] = value


def from_mapping(cls: type[T], raw: Mapping[str, Any], where: str = "config") -> T:
    """Convert a mapping to the dataclass ``cls``, checking names and types."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(fields))}"
        )
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in raw:
            values[name] = _convert(hints[name], raw[name], f"{where}: {name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(
                f"{where}: missing required setting {name!r}{_how_to_set(name, where)}"
            )
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _how_to_set(name: str, where: str) -> str:
    if ": " in where:  # a nested section: its file is named already
        return ""
    return (
        f"; set it in the YAML file given with --config (`config init` writes one with every "
        f"setting) or as {ENV_PREFIX}{name.upper()}"
    )


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _convert(inner[0], value, where)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be a mapping")
        return from_mapping(hint, value, where)
    if origin is tuple or origin is list:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{where} must be a list")
        item_hint = args[0] if args else Any
        converted = [_convert(item_hint, item, where) for item in items]
        return tuple(converted) if origin is tuple else converted
    return _scalar(hint, value, where)


def _scalar(hint: Any, value: Any, where: str) -> Any:
    if hint is Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if hint is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        try:
            return int(value, 0) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be an integer, got {value!r}") from None
    if hint is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a number, got {value!r}") from None
    if hint is str:
        if isinstance(value, dict | list):
            raise ConfigError(f"{where} must be a string")
        return str(value)
    if hint is Path:
        if not isinstance(value, str | Path):
            raise ConfigError(f"{where} must be a file path")
        return Path(value).expanduser()
    return value
