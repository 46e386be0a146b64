"""Key files and config files of the devnet's aggregator and operators.

Keys are written in the same file formats production uses (eigenlayer-cli BLS keystore,
geth v3 ECDSA keystore), with a cheaper scrypt cost so a devnet starts in seconds; the
password is in a file next to them. Devnet keys are derived from public seeds: never fund
them anywhere else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from eth_account import Account

from avs.crypto.bls import KeyPair
from avs.crypto.keystore import save_keystore
from avs.devnet.certs import devnet_server_cert
from avs.devnet.layout import DevnetLayout

DEVNET_SCRYPT_N = 2**12
"""scrypt cost of devnet key files (production files use eigenlayer-cli's 2**18)."""
PASSWORD = "devnet"  # noqa: S105 - devnet keys are public by design


def write_password(directory: Path) -> Path:
    """The devnet password file."""
    path = directory / "password"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    return path


def write_ecdsa_key(directory: Path, private_key: bytes) -> Path:
    """A geth v3 keystore for ``private_key``."""
    document = Account.encrypt(private_key, PASSWORD, kdf="scrypt", iterations=DEVNET_SCRYPT_N)
    path = directory / "ecdsa.key.json"
    path.write_text(json.dumps(document))
    path.chmod(0o600)
    return path


def write_bls_key(directory: Path, keypair: KeyPair) -> Path:
    """An eigenlayer-cli-format BLS keystore for ``keypair``."""
    path = directory / "bls.key.json"
    save_keystore(path, keypair, PASSWORD, scrypt_n=DEVNET_SCRYPT_N)
    return path


def _tls_dir(node_directory: Path) -> Path:
    # Every node directory sits directly in the devnet root (DevnetLayout), next to tls/.
    return DevnetLayout(node_directory.parent).tls_dir


def write_config(path: Path, settings: dict[str, Any]) -> Path:
    """A role's YAML config file."""
    path.write_text(yaml.safe_dump(settings, sort_keys=True))
    return path


def operator_settings(
    directory: Path,
    rpc_url: str,
    deployment: Path,
    aggregator_url: str,
    keypair: KeyPair,
    ecdsa_key: bytes,
    node_api_port: int,
    metrics_port: int,
    faulty: bool,
    block_time: float = 1.0,
) -> dict[str, Any]:
    """Write an operator's key files and return its config settings (a chain mining a
    block every ``block_time`` s)."""
    directory.mkdir(parents=True, exist_ok=True)
    password = write_password(directory)
    ca_file, _cert = devnet_server_cert(_tls_dir(directory))
    return {
        "rpc_url": rpc_url,
        "deployment": str(deployment.resolve()),
        "aggregator_tls_ca_file": str(ca_file.resolve()),
        "bls_key_file": str(write_bls_key(directory, keypair).resolve()),
        "bls_password_file": str(password.resolve()),
        "ecdsa_key_file": str(write_ecdsa_key(directory, ecdsa_key).resolve()),
        "ecdsa_password_file": str(password.resolve()),
        "aggregator_url": aggregator_url,
        "data_dir": str((directory / "data").resolve()),
        "node_api_host": "127.0.0.1",
        "node_api_port": node_api_port,
        "metrics_port": metrics_port,
        "ws_url": ws_url_of(rpc_url),
        "poll_interval": 0.25,
        # Clients create a few tasks per block: none should wait for a free slot.
        "max_concurrent_tasks": 4,
        "block_time": block_time,
        "devnet_fault": "wrong_label" if faulty else "",
    }


def ws_url_of(rpc_url: str) -> str:
    """anvil's websocket endpoint: the same port as its HTTP one."""
    return "ws://" + rpc_url.removeprefix("http://")


def aggregator_settings(
    directory: Path,
    rpc_url: str,
    deployment: Path,
    ecdsa_key: bytes,
    metrics_port: int,
    block_time: float = 1.0,
) -> dict[str, Any]:
    """Write the aggregator's key file and return its config settings (a chain mining a
    block every ``block_time`` s)."""
    directory.mkdir(parents=True, exist_ok=True)
    password = write_password(directory)
    _ca, cert = devnet_server_cert(_tls_dir(directory))
    return {
        "rpc_url": rpc_url,
        "deployment": str(deployment.resolve()),
        "tls_cert_file": str(cert.cert_file.resolve()),
        "tls_key_file": str(cert.key_file.resolve()),
        "ecdsa_key_file": str(write_ecdsa_key(directory, ecdsa_key).resolve()),
        "ecdsa_password_file": str(password.resolve()),
        "data_dir": str((directory / "data").resolve()),
        "listen": "127.0.0.1:0",
        "port_file": str((directory / "port").resolve()),
        "metrics_host": "127.0.0.1",
        "metrics_port": metrics_port,
        "ws_url": ws_url_of(rpc_url),
        "poll_interval": 0.25,
        # Waits only for live operators that have not answered; never a whole block.
        "linger_seconds": min(0.3, block_time / 2),
    }
