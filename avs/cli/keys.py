"""``avs keys``: create, import, list, inspect and use key files (eigenlayer-cli compatible).

Every user error (wrong password, corrupt file, malformed message) is an AvsError, which
the root ``avs`` group prints as one ``error: ...`` line with a non-zero exit.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import click
from eth_account import Account

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
    write_key_file,
)
from avs.crypto.points import R as BLS_ORDER
from avs.errors import InputError, KeystoreError
from avs.keyfiles import ecdsa_keystore, key_file_summary, parse_secret

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
DEFAULT_KEY_DIR = Path("~/.eigenlayer/operator_keys")

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
    """Create, import, list, show and use operator keys (BLS BN254 and ECDSA).

    Key files use the layouts eigenlayer-cli writes, so keys move both ways unchanged.
    """


_TYPE = click.option(
    "--type",
    "key_type",
    type=click.Choice(["bls", "ecdsa"]),
    default="bls",
    show_default=True,
    help="bls: the BN254 key that signs results; ecdsa: the operator's Ethereum account key.",
)
_OUT = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Key file to write."
)
_NAME = click.option(
    "--name",
    help="Instead of --out: write DIR/NAME.<type>.key.json, as eigenlayer-cli names keys.",
)
_DIR = click.option(
    "--dir",
    "key_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_KEY_DIR,
    show_default=True,
    help="Key directory (eigenlayer-cli's).",
)


def _target(out: Path | None, name: str | None, key_dir: Path, key_type: str, force: bool) -> Path:
    if (out is None) == (name is None):
        raise InputError("give either --out FILE or --name NAME")
    path = out if out is not None else key_dir.expanduser() / f"{name}.{key_type}.key.json"
    if path.exists() and not force:
        raise KeystoreError(f"key file {path} already exists; use --force to overwrite it")
    return path


def _write(path: Path, key_type: str, secret: int, password: str, scrypt_n: int) -> dict[str, Any]:
    """Encrypt and write the key; its public identity (operator id or address)."""
    if key_type == "bls":
        keypair = KeyPair.from_secret(secret)
        save_keystore(path, keypair, password, scrypt_n=scrypt_n)
        return {"path": str(path), "type": "bls", **public_json(keypair)}
    raw = secret.to_bytes(32, "big")
    write_key_file(path, ecdsa_keystore(raw, password, scrypt_n))
    return {"path": str(path), "type": "ecdsa", "address": Account.from_key(raw).address}


def _report(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit(info)
        return
    click.echo(f"wrote {info['path']}")
    if info["type"] == "bls":
        click.echo(f"operator id: {info['operator_id']}")
    else:
        click.echo(f"address: {info['address']}")


@keys.command()
@_TYPE
@_OUT
@_NAME
@_DIR
@click.option("--password-file", type=click.Path(dir_okay=False), help=_PWFILE_HELP)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@click.option("--json", "as_json", is_flag=True, help="Print the public key as JSON.")
@click.option("--scrypt-n", type=int, default=STANDARD_SCRYPT_N, hidden=True)
def create(
    key_type: str,
    out: Path | None,
    name: str | None,
    key_dir: Path,
    password_file: str | None,
    force: bool,
    as_json: bool,
    scrypt_n: int,
) -> None:
    """Generate a new key and write it, encrypted, to --out (or DIR/NAME.<type>.key.json).

    BLS files use eigenlayer-cli's layout; ECDSA files are Web3 Secret Storage (geth v3).
    """
    path = _target(out, name, key_dir, key_type, force)
    password = _password(password_file, confirm=True)
    limit = BLS_ORDER if key_type == "bls" else SECP256K1_ORDER
    _report(_write(path, key_type, secrets.randbelow(limit - 1) + 1, password, scrypt_n), as_json)


@keys.command("import")
@_TYPE
@_OUT
@_NAME
@_DIR
@click.option(
    "--private-key-file",
    type=click.Path(exists=True, dir_okay=False),
    help="File holding the private key (0x hex, or decimal as eigenlayer-cli prints BLS keys). "
    "Without it the key is prompted for; it is never taken on the command line.",
)
@click.option("--password-file", type=click.Path(dir_okay=False), help=_PWFILE_HELP)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@click.option("--json", "as_json", is_flag=True, help="Print the public key as JSON.")
@click.option("--scrypt-n", type=int, default=STANDARD_SCRYPT_N, hidden=True)
def import_cmd(
    key_type: str,
    out: Path | None,
    name: str | None,
    key_dir: Path,
    private_key_file: str | None,
    password_file: str | None,
    force: bool,
    as_json: bool,
    scrypt_n: int,
) -> None:
    """Encrypt an existing private key into a key file (like eigenlayer-cli keys import)."""
    path = _target(out, name, key_dir, key_type, force)
    if private_key_file is not None:
        text = _read_text(private_key_file, "private key file")
    else:
        text = click.prompt("Private key", hide_input=True)
    limit = BLS_ORDER if key_type == "bls" else SECP256K1_ORDER
    secret = parse_secret(text, f"the {key_type} private key", limit)
    password = _password(password_file, confirm=True)
    _report(_write(path, key_type, secret, password, scrypt_n), as_json)


@keys.command("list")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_cmd(directory: Path | None, as_json: bool) -> None:
    """List the key files in DIRECTORY (default: eigenlayer-cli's key directory).

    Shows each file's type and public identity (BLS operator id, ECDSA address), read
    without any password.
    """
    where = (directory or DEFAULT_KEY_DIR).expanduser()
    if not where.is_dir():
        raise InputError(f"no key directory {where}; create a key first or name a directory")
    rows = [key_file_summary(p) for p in sorted(where.glob("*.json"))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no key files in {where}")
        return
    width = max(len(Path(r["path"]).name) for r in rows)
    for row in rows:
        click.echo(f"{Path(row['path']).name:{width}}  {row['type']:6}  {row['id']}")


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
