"""Fixtures of the operator unit tests: a BLS key, the shipped int-mlp golden vector laid out
as files, and tasks that commit to it (helpers live in :mod:`opnode_cases`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from opnode_cases import Fixture, make_case, make_task  # type: ignore[import-not-found]

from avs.crypto.bls import KeyPair
from avs.protocol import Task


@pytest.fixture(scope="session")
def keypair() -> KeyPair:
    """A fixed BLS key (no scrypt: tests that need a key file write their own)."""
    return KeyPair.from_secret(0x5EED_0001)


@pytest.fixture
def case(tmp_path: Path) -> Fixture:
    """int-mlp golden vector: model and inputs as file:// URIs."""
    return make_case(tmp_path)


@pytest.fixture
def task_factory(case: Fixture) -> Callable[..., Task]:
    """``make_task`` bound to this test's files."""
    return lambda *a, **kw: make_task(case, *a, **kw)
