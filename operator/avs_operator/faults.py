"""DEVNET FAULT INJECTION: make an operator sign wrong results on purpose.

Only for demonstrating slashing on a devnet (``devnet_fault: wrong_label`` in the config).
A node with a fault configured logs a warning at start and on every faulty signature.
"""

from __future__ import annotations

from avs.protocol import ABSTAIN

WRONG_LABEL = "wrong_label"
FAULTS = ("", WRONG_LABEL)


def inject_fault(fault: str, result: bytes) -> bytes:
    """``result`` altered as ``fault`` demands (unchanged when ``fault`` is empty).

    ``wrong_label`` moves every non-abstain label to ``(label + 1) % 10``: deterministic, so a
    faulty node equivocates only if its fault setting changes between signatures.
    """
    if not fault:
        return result
    if fault == WRONG_LABEL:
        return bytes(b if b == ABSTAIN else (b + 1) % 10 for b in result)
    raise ValueError(f"unknown devnet fault {fault!r}; known: {', '.join(FAULTS[1:])}")
