"""The wire version every avs.v1 message carries in field 1."""

from __future__ import annotations

from avs.errors import InputError

WIRE_VERSION = 1
"""Major version of the avs.v1 messages this node writes and reads."""


def check_version(version: int, message: str) -> None:
    """Reject a message whose version this node does not speak (0 = sender forgot it)."""
    if version != WIRE_VERSION:
        raise InputError(
            f"{message} has wire version {version}; this node speaks {WIRE_VERSION} "
            "(upgrade the older side, or set the version field)"
        )
