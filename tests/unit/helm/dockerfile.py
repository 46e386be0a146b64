"""A small Dockerfile reader for the image tests: instructions, stages, .dockerignore.

Docker cannot run on the CI machines, so the tests read the Dockerfiles instead: this parses
the instruction syntax the project's Dockerfiles use (line continuations, comments, exec-form
JSON arguments, ``FROM ... AS name``) and answers which paths a build context keeps.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction, e.g. ``RUN`` with its argument text."""

    keyword: str
    """Upper-case instruction name."""
    args: str
    """Everything after the keyword, continuation lines joined."""

    def exec_form(self) -> list[str]:
        """The JSON exec-form argument list (``["avs", ...]``); raises if shell form."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = text.split("CMD", 1)[1]
        loaded = json.loads(text.strip())
        assert isinstance(loaded, list)
        return [str(item) for item in loaded]


@dataclass(slots=True)
class Stage:
    """One build stage: its base (``FROM``), optional name and instructions."""

    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        """Instructions with ``keyword``, in order."""
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile: global ARGs (before the first FROM) and the stages."""

    global_args: dict[str, str]
    stages: tuple[Stage, ...]

    @classmethod
    def parse(cls, path: Path) -> Dockerfile:
        """Parse ``path``."""
        global_args: dict[str, str] = {}
        stages: list[Stage] = []
        for ins in _instructions(path.read_text()):
            if ins.keyword == "FROM":
                m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", ins.args, re.IGNORECASE)
                assert m, f"bad FROM {ins.args!r}"
                stages.append(Stage(m.group(1), m.group(2)))
            elif not stages:
                assert ins.keyword == "ARG", f"{ins.keyword} before the first FROM"
                name, _, default = ins.args.partition("=")
                global_args[name.strip()] = default.strip()
            else:
                stages[-1].instructions.append(ins)
        return cls(global_args, tuple(stages))

    def stage(self, name: str) -> Stage:
        """The stage called ``name``."""
        (found,) = [s for s in self.stages if s.name == name]
        return found

    @property
    def final(self) -> Stage:
        """The last stage: what ``docker build`` produces."""
        return self.stages[-1]

    def ancestry(self, stage: Stage, args: dict[str, str]) -> list[Stage]:
        """``stage`` and every earlier stage it is built FROM, with ARG values ``args``."""
        chain = [stage]
        base = expand(stage.base, {**self.global_args, **args})
        names = {s.name: s for s in self.stages if s.name}
        while base in names:
            chain.append(names[base])
            base = expand(names[base].base, {**self.global_args, **args})
        return chain

    def external_base(self, args: dict[str, str]) -> str:
        """The image reference (not a stage) the final stage builds on, with ``args``."""
        chain = self.ancestry(self.final, args)
        return expand(chain[-1].base, {**self.global_args, **args})


def _instructions(text: str) -> list[Instruction]:
    found: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        found.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return found


def expand(text: str, args: dict[str, str]) -> str:
    """Docker variable substitution: ``$x``, ``${x}``, ``${x:-word}``, ``${x:+word}``."""

    def sub(m: re.Match[str]) -> str:
        name, op, word = m.group(1) or m.group(4), m.group(2), m.group(3)
        value = args.get(name, "")
        if op == ":-":
            return value or word
        if op == ":+":
            return word if value else ""
        return value

    return re.sub(r"\$\{(\w+)(?:(:[-+])([^}]*))?\}|\$(\w+)", sub, text)


@dataclass(frozen=True, slots=True)
class DockerIgnore:
    """The patterns of a ``.dockerignore``; the last matching pattern decides."""

    patterns: tuple[tuple[bool, str], ...]
    """(negated, pattern) in file order."""

    @classmethod
    def parse(cls, path: Path) -> DockerIgnore:
        """Parse ``path``."""
        patterns = []
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            patterns.append((negated, line.lstrip("!").strip("/")))
        return cls(tuple(patterns))

    def excluded(self, path: str) -> bool:
        """Whether ``path`` (relative to the context) is left out of the build context."""
        parts = path.strip("/").split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict = False
        for negated, pattern in self.patterns:
            if any(_match(pattern, c) for c in candidates):
                verdict = not negated
        return verdict


def _match(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        rest = pattern[3:]
        segments = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(segments[i:]), rest) for i in range(len(segments)))
    return fnmatch.fnmatchcase(path, pattern) and path.count("/") == pattern.count("/")
