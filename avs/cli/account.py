"""The account a command signs with: ``--private-key-file`` / ``--password-file``, or on a
devnet (chain id 31337) anvil's first dev account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from avs.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])
DEVNET_CHAIN_ID = 31337


def account_options(role: str, envvar: str | None = None) -> Callable[[F], F]:
    """--private-key-file and --password-file; ``role`` says what the account does and
    ``envvar`` names a variable that may supply the key file instead of the flag."""

    def decorate(fn: F) -> F:
        fn = click.option(
            "--password-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Password of an encrypted --private-key-file.",
        )(fn)
        return click.option(
            "--private-key-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            envvar=envvar,
            help=f"{role}: a geth keystore (with --password-file) or a hex key. Defaults to "
            "anvil's first dev account, on chain id 31337 only.",
        )(fn)

    return decorate


def signing_key(
    chain_id: int, private_key_file: Path | None, password_file: Path | None, role: str
) -> str | bytes:
    """The key from the files, or the devnet default; InputError off a devnet without one."""
    from avs.chain.anvil import DEV_PRIVATE_KEYS
    from avs.chain.keys import load_ecdsa_key

    if private_key_file is not None:
        return load_ecdsa_key(private_key_file, password_file)
    if chain_id == DEVNET_CHAIN_ID:
        return DEV_PRIVATE_KEYS[0]
    raise InputError(f"chain {chain_id} is not a devnet: pass --private-key-file for the {role}")
