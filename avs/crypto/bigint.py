"""The big-integer type of the fast BN254 arithmetic: gmpy2's ``mpz`` when present, else int.

Every fast module (:mod:`avs.crypto.fast_fields` and the modules built on it) reduces
modulo the :data:`P` defined here. When it is an ``mpz``, the first reduction turns an
int into an ``mpz`` and all further arithmetic runs on GMP, about 2x faster for these
254-bit numbers; ``mpz`` compares and hashes equal to the same int, so cached keys,
results and tests are unchanged. Values leaving the fast path for the public point types
are turned back into ints (:func:`plain`).

gmpy2 is an optional extra (``pip install 'edge-avs[fast]'``). ``AVS_BIGINT=python``
forces plain ints (the tests run that path as well), ``AVS_BIGINT=gmpy2`` requires gmpy2;
the default ``auto`` takes gmpy2 when it imports.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from avs.crypto import points

ENV = "AVS_BIGINT"
"""Environment variable choosing the backend: ``auto`` (default), ``gmpy2`` or ``python``."""


def _select(choice: str) -> tuple[str, Callable[[int], int]]:
    """(backend name, int -> backend integer) for an ``AVS_BIGINT`` value."""
    if choice not in ("auto", "gmpy2", "python"):
        raise ValueError(f"{ENV}={choice!r}: use auto, gmpy2 or python")
    if choice != "python":
        try:
            mpz: Callable[[int], int] = importlib.import_module("gmpy2").mpz
        except ImportError:
            if choice == "gmpy2":
                raise
        else:
            return "gmpy2", mpz
    return "python", int


BACKEND, to_backend = _select(os.environ.get(ENV, "auto").strip().lower() or "auto")
"""The backend in use (``gmpy2`` or ``python``) and the conversion from int to it."""

P: int = to_backend(points.P)
"""The BN254 base-field modulus in the backend's integer type."""


def plain(value: int) -> int:
    """``value`` as a Python int (for the public point types and byte encodings)."""
    return int(value)


__all__ = ["BACKEND", "ENV", "P", "plain", "to_backend"]
