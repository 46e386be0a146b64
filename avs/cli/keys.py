"""``avs keys``: create, inspect and use BLS key files (eigenlayer-cli compatible).

Every user error (wrong password, corrupt file, malformed message) is an AvsError, which
the root ``avs`` group prints as one ``error: ...`` line with a non-zero exit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from avs.crypto.bls import KeyPair, verify
from avs.crypto.jsonfmt import (
    g1_from_json,
    g1_json,
    g2_from_json,
    parse_message,
    public_json,
    word,
)
from avs.crypto.keystore import (
    STANDARD_SCRYPT_N,
    decrypt_keystore,
    read_keystore_document,
    save_keystore,
)
from avs.errors import InputError, KeystoreError

_PWFILE_HELP = (
    "File holding the key password (one trailing newline is stripped; an empty file "
    "means the empty password). Without it the password is prompted for."
)


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(f"cannot read {what} {path}: {reason}") from None


def _password(password_file: str | None, *, confirm: bool = False) -> str:
    if password_file is not None:
        text = _read_text(password_file, "password file")
        # Only one newline: a password may itself end in whitespace.
        if text.endswith("\r\n"):
            return text[:-2]
        return text.removesuffix("\n")
    prompt = "Password for the new key file" if confirm else "Key file password"
    value: str = click.prompt(
        prompt, hide_input=True, confirmation_prompt=confirm, default="", show_default=False
    )
    return value


def _load_json(path: str, what: str) -> Any:
    try:
        return json.loads(_read_text(path, what))
    except ValueError:
        raise InputError(f"{what} {path} is not valid JSON") from None


def _emit(obj: dict[str, Any]) -> None:
    click.echo(json.dumps(obj, indent=2))


@click.group()
def keys() -> None:
    """Create, show and use BLS (BN254) operator keys.

    Key files use the layout eigenlayer-cli writes, so keys move both ways unchanged.
    """


@keys.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Key file.")
@click.option("--password-file", type=click.Path(dir_okay=False), help=_PWFILE_HELP)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@click.option("--json", "as_json", is_flag=True, help="Print the public key as JSON.")
@click.option("--scrypt-n", type=int, default=STANDARD_SCRYPT_N, hidden=True)
def create(out: str, password_file: str | None, force: bool, as_json: bool, scrypt_n: int) -> None:
    """Generate a new BLS key and write it, encrypted, to --out."""
    if Path(out).exists() and not force:
        raise KeystoreError(f"key file {out} already exists; use --force to overwrite it")
    password = _password(password_file, confirm=True)
    keypair = KeyPair.generate()
    save_keystore(out, keypair, password, scrypt_n=scrypt_n)
    if as_json:
        _emit({"path": out, **public_json(keypair)})
    else:
        click.echo(f"wrote {out}")
        click.echo(f"operator id: 0x{keypair.operator_id.hex()}")


@keys.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--password-file", type=click.Path(dir_okay=False), help=_PWFILE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (0x hex numbers).")
def show(path: str, password_file: str | None, as_json: bool) -> None:
    """Decrypt a key file and print its operator id and G1/G2 public keys."""
    document = read_keystore_document(path)  # a bad path fails before the password prompt
    keypair = decrypt_keystore(document, _password(password_file), source=path)
    info = public_json(keypair)
    if as_json:
        _emit(info)
        return
    g1, g2 = info["pubkey_g1"], info["pubkey_g2"]
    click.echo(f"key file:    {path}")
    click.echo(f"operator id: {info['operator_id']}")
    click.echo(f"pubkey G1:   X {g1['x']}")
    click.echo(f"             Y {g1['y']}")
    click.echo("pubkey G2 (EVM order [imag, real]):")
    click.echo(f"             X [{g2['x'][0]}, {g2['x'][1]}]")
    click.echo(f"             Y [{g2['y'][0]}, {g2['y'][1]}]")


@keys.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--password-file", type=click.Path(dir_okay=False), help=_PWFILE_HELP)
@click.option("--message", required=True, help="0x + 64 hex digits: the digest to sign.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (0x hex numbers).")
def sign(path: str, password_file: str | None, message: str, as_json: bool) -> None:
    """Sign a 32-byte message digest: sigma = sk * hash_to_g1(message)."""
    digest = parse_message(message)  # before the (slow) key decryption
    document = read_keystore_document(path)
    keypair = decrypt_keystore(document, _password(password_file), source=path)
    signature = keypair.sign(digest)
    if as_json:
        _emit({"message": "0x" + digest.hex(), "signature": g1_json(signature)})
    else:
        click.echo(f"message:   0x{digest.hex()}")
        click.echo(f"signature: X {word(signature.x)}")
        click.echo(f"           Y {word(signature.y)}")


@keys.command(name="verify")
@click.option("--pubkey-json", required=True, type=click.Path(dir_okay=False),
              help="Output of `avs keys show --json` (or just its pubkey_g2 object).")  # fmt: skip
@click.option("--message", required=True, help="0x + 64 hex digits: the signed digest.")
@click.option("--signature-json", required=True, type=click.Path(dir_okay=False),
              help="Output of `avs keys sign --json` (or just its {x, y} object).")  # fmt: skip
def verify_cmd(pubkey_json: str, message: str, signature_json: str) -> None:
    """Check a signature; exit 0 if valid, 1 if not."""
    digest = parse_message(message)
    pub = _load_json(pubkey_json, "public key file")
    if isinstance(pub, dict) and "pubkey_g2" in pub:
        pub = pub["pubkey_g2"]
    sig = _load_json(signature_json, "signature file")
    if isinstance(sig, dict) and "signature" in sig:
        sig = sig["signature"]
    pubkey = g2_from_json(pub, "pubkey_g2")
    signature = g1_from_json(sig, "signature")
    if verify(pubkey, digest, signature):
        click.echo("valid")
        return
    click.echo("invalid: the signature does not match this public key and message", err=True)
    raise SystemExit(1)
