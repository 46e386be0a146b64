"""Config references generated from the config dataclasses themselves.

Every role's settings are a frozen dataclass whose fields carry a docstring; this module
reads them (names, types, defaults, docstrings) and writes a commented YAML file
(``avs operator config init``) and a Markdown reference (docs/config.md). Nothing is listed
by hand, so a setting added to a class shows up in both without further edits.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from avs.config import ENV_PREFIX

EXAMPLES: Mapping[str, Any] = {
    "rpc_url": "http://127.0.0.1:8545",
    "deployment": "deployment.json",
    "bls_key_file": "keys/bls.key.json",
    "ecdsa_key_file": "keys/ecdsa.key.json",
    "aggregator_url": "127.0.0.1:50051",
    "data_dir": "data",
}
"""Placeholder values for required settings in a generated file (the user replaces them),
and for an optional one when a config needs one of several (``aggregator_url``)."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented setting of a config class."""

    path: tuple[str, ...]
    """Name, with the enclosing sections for nested settings."""
    type_name: str
    """Readable type (``string``, ``list of integer``, ``section``...)."""
    required: bool
    """No default: the file or the environment must give it."""
    default: Any
    """Default value in YAML-ready form (None when required or null)."""
    doc: str
    """The field's docstring."""
    section: type | None = None
    """The nested dataclass of a ``section`` setting."""

    @property
    def env(self) -> str:
        """The environment variable that overrides it."""
        return ENV_PREFIX + "__".join(self.path).upper()

    @property
    def name(self) -> str:
        """Dotted name."""
        return ".".join(self.path)


def field_docs(cls: type) -> dict[str, str]:
    """Field name -> docstring (the string literal right after the field), from the source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, following in zip(body, [*body[1:], None], strict=True):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            text = " ".join(following.value.value.split())
            docs[node.target.id] = text.replace("``", "`")  # reST literals read as Markdown
    return docs


def type_name(hint: Any) -> str:
    """How a type reads in a reference."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        suffix = " or null" if len(inner) < len(args) else ""
        return " or ".join(type_name(a) for a in inner) + suffix
    if origin in (tuple, list):
        return f"list of {type_name(args[0]) if args else 'values'}"
    if dataclasses.is_dataclass(hint):
        return "section"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def settings(cls: type, prefix: tuple[str, ...] = ()) -> list[Setting]:
    """Every setting of ``cls`` in declaration order, nested sections expanded after theirs."""
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    out: list[Setting] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.default is not dataclasses.MISSING:
            default = _plain(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = _plain(f.default_factory())
        else:
            default = None
        section = hint if dataclasses.is_dataclass(hint) and isinstance(hint, type) else None
        path = (*prefix, f.name)
        out.append(Setting(path, type_name(hint), required, default, docs.get(f.name, ""), section))
        if section is not None:
            out += settings(section, path)
    return out


def _yaml_value(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def config_template(cls: type, role: str) -> str:
    """A commented YAML file with every setting of ``cls`` and its default."""
    lines = [
        f"# {role}.yaml: every setting of the {role}, with its default.",
        f"# Generated by `avs {role} config init`; any setting can also be given as an",
        f"# environment variable ({ENV_PREFIX}<SETTING>; in a section: "
        f"{ENV_PREFIX}<SECTION>__<SETTING>).",
        "# Secrets never go in this file: settings ending in _file name files holding them.",
        "",
    ]
    for s in settings(cls):
        indent = "  " * (len(s.path) - 1)
        for doc_line in textwrap.wrap(s.doc, 88 - len(indent)) or [""]:
            lines.append(f"{indent}# {doc_line}".rstrip())
        status = "REQUIRED" if s.required else f"default: {_yaml_value(s.default)}"
        lines.append(f"{indent}# ({s.type_name}; {status}; env {s.env})")
        if s.section is not None:
            lines.append(f"{indent}{s.path[-1]}:")
            continue
        # An example also stands in for an optional setting that one of several must give
        # (aggregator_url, or aggregator_urls).
        value = EXAMPLES.get(s.name, "" if s.required else s.default)
        lines.append(f"{indent}{s.path[-1]}: {_yaml_value(value)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def config_markdown(roles: Mapping[str, type]) -> str:
    """The Markdown reference of every role's settings."""
    out = [
        "# Configuration reference",
        "",
        "<!-- Generated by tools/gen_docs.py from the config classes. Do not edit. -->",
        "",
        "Each role reads one YAML file (`--config FILE`, or `AVS_CONFIG`) and then `AVS_*`",
        "environment variables, which win over the file: `AVS_RPC_URL` sets `rpc_url`,",
        "`AVS_SECTION__SETTING` a setting of a section. Lists can be given as comma-separated",
        "text. Secrets are never values: settings ending in `_file` name files that hold them.",
        "Unknown settings in the file are refused, so a typo never goes unnoticed.",
        "",
        "Write a commented file with every setting and its default:",
        "",
        "```bash",
        *[f"avs {role} config init --out {role}.yaml" for role in roles],
        "```",
    ]
    for role, cls in roles.items():
        out += [
            "",
            f"## {role}",
            "",
            "| setting | type | default | environment | meaning |",
            "|---|---|---|---|---|",
        ]
        for s in settings(cls):
            default = "**required**" if s.required else f"`{_yaml_value(s.default)}`"
            out.append(
                f"| `{s.name}` | {s.type_name} | {_cell(default)} | `{s.env}` | {_cell(s.doc)} |"
            )
    return "\n".join(out) + "\n"
