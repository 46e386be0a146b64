"""JSON shapes of keys and signatures as ``avs keys`` prints and reads them.

Numbers are 0x-prefixed, zero-padded 32-byte hex; G2 coordinates are in EVM (EIP-197)
order ``[imag, real]`` so they can be pasted into contract calls unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from avs.crypto.bls import KeyPair
from avs.crypto.bn254 import g1_from_evm, g2_from_evm, g2_to_evm
from avs.crypto.points import G1Point, G2Point
from avs.errors import CryptoError, InputError

_MESSAGE = re.compile(r"^0x[0-9a-fA-F]{64}$")


def word(value: int) -> str:
    """An integer as 0x + 64 lowercase hex digits."""
    return f"0x{value:064x}"


def parse_word(value: object, what: str) -> int:
    """Parse a 0x-hex string (or a JSON integer) into an int, raising InputError."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        try:
            return int(value[2:], 16)
        except ValueError:
            pass
    raise InputError(f"{what} must be a 0x-prefixed hex number, got {value!r}")


def parse_message(text: str) -> bytes:
    """Parse a ``0x`` + 64 hex digit message digest (what operators sign)."""
    if not isinstance(text, str) or not _MESSAGE.match(text.strip()):
        raise InputError(
            f"message must be 0x followed by 64 hex digits (a 32-byte digest), got {text!r}"
        )
    return bytes.fromhex(text.strip()[2:])


def g1_json(p: G1Point) -> dict[str, str]:
    """{"x": "0x..", "y": "0x.."}."""
    return {"x": word(p.x), "y": word(p.y)}


def g2_json(p: G2Point) -> dict[str, list[str]]:
    """{"x": ["0x<imag>", "0x<real>"], "y": ["0x<imag>", "0x<real>"]} (EIP-197 order)."""
    (xi, xr), (yi, yr) = g2_to_evm(p)
    return {"x": [word(xi), word(xr)], "y": [word(yi), word(yr)]}


def public_json(keypair: KeyPair) -> dict[str, Any]:
    """The public part of a key, as ``avs keys show --json`` prints it."""
    return {
        "operator_id": "0x" + keypair.operator_id.hex(),
        "pubkey_g1": g1_json(keypair.pubkey_g1),
        "pubkey_g2": g2_json(keypair.pubkey_g2),
    }


def g1_from_json(obj: object, what: str) -> G1Point:
    """Parse {"x","y"} into a validated, non-infinity G1 point."""
    if not isinstance(obj, dict) or "x" not in obj or "y" not in obj:
        raise InputError(f"{what} must be a JSON object with 'x' and 'y'")
    coords = (parse_word(obj["x"], f"{what}.x"), parse_word(obj["y"], f"{what}.y"))
    try:
        return g1_from_evm(coords)
    except CryptoError as exc:
        raise CryptoError(f"{what}: {exc}") from None


def g2_from_json(obj: object, what: str) -> G2Point:
    """Parse {"x": [imag, real], "y": [imag, real]} into a validated G2 point."""
    if not isinstance(obj, dict) or "x" not in obj or "y" not in obj:
        raise InputError(f"{what} must be a JSON object with 'x' and 'y'")
    coords = []
    for axis in ("x", "y"):
        pair = obj[axis]
        if not isinstance(pair, list) or len(pair) != 2:
            raise InputError(f"{what}.{axis} must be a list [imag, real] of two hex numbers")
        coords.append(tuple(parse_word(v, f"{what}.{axis}") for v in pair))
    try:
        return g2_from_evm(coords)
    except CryptoError as exc:
        raise CryptoError(f"{what}: {exc}") from None
