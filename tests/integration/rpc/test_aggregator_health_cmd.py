"""``avs aggregator health`` (the container health check) against the real aggregator gRPC
server, as a real process: SERVING over TLS with the endpoint's own certificate (named for a
host that is not 127.0.0.1) and in plaintext; a clear failure when nothing listens and when
mutual TLS needs a client certificate."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path

import pytest
import yaml

from avs.devnet.certs import ThrowawayCa
from avs.models import BlobStore
from avs.rpc.server import create_server
from avs.rpc.tls import ServerTls

from .test_tls import Idle

pytestmark = pytest.mark.integration


def write_config(tmp_path: Path, listen: str, **tls: str) -> Path:
    path = tmp_path / "aggregator.yaml"
    settings = {
        "rpc_url": "http://127.0.0.1:1",
        "deployment": str(tmp_path / "deployment.json"),
        "ecdsa_key_file": str(tmp_path / "unused.key"),
        "data_dir": str(tmp_path / "data"),
        "listen": listen,
        **tls,
    }
    path.write_text(yaml.safe_dump(settings))
    return path


async def health(config: Path, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "avs", "aggregator", "health", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def serve_and_probe(tmp_path: Path, tls: ServerTls | None, **settings: str) -> tuple[int, str, str]:
    async def scenario() -> tuple[int, str, str]:
        server, port = create_server(
            "127.0.0.1:0", Idle(), BlobStore(tmp_path / "blobs"), 1 << 20, tls=tls
        )
        await server.start()
        try:
            config = write_config(tmp_path, f"127.0.0.1:{port}", **settings)
            return await health(config, "--json")
        finally:
            await server.stop(0)

    return asyncio.run(scenario())


def test_a_tls_aggregator_is_probed_over_tls_with_its_own_certificate(tmp_path: Path) -> None:
    ca = ThrowawayCa.create(tmp_path / "ca")
    # The name operators dial, not the loopback address the probe uses.
    cert = ca.issue("aggregator", server=True, hosts=("aggregator.example.com",))
    files = {"tls_cert_file": str(cert.cert_file), "tls_key_file": str(cert.key_file)}
    code, out, err = serve_and_probe(tmp_path, ServerTls(cert.cert_file, cert.key_file), **files)
    assert (code, err) == (0, "")
    assert json.loads(out)["tls"] is True
    assert json.loads(out)["serving"] is True


def test_a_plaintext_aggregator_is_probed_in_plaintext(tmp_path: Path) -> None:
    code, out, _ = serve_and_probe(tmp_path, None)
    assert code == 0
    assert json.loads(out) == {
        "target": json.loads(out)["target"], "tls": False, "serving": True, "problem": None,
    }  # fmt: skip


def test_nothing_listening_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = asyncio.run(health(write_config(tmp_path, f"0.0.0.0:{port}")))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: aggregator at 127.0.0.1:{port} is not serving: ")
    assert err.count("\n") == 1


def test_mutual_tls_needs_a_client_certificate(tmp_path: Path) -> None:
    ca = ThrowawayCa.create(tmp_path / "ca")
    cert = ca.issue("aggregator", server=True, hosts=("127.0.0.1",))
    probe = ca.issue("probe", server=False)
    files = {
        "tls_cert_file": str(cert.cert_file),
        "tls_key_file": str(cert.key_file),
        "tls_client_ca_file": str(ca.ca_file),
    }
    code, _, err = asyncio.run(health(write_config(tmp_path, "127.0.0.1:50051", **files)))
    assert code == 2
    assert err.startswith("error: the aggregator requires client certificates")
    assert err.count("\n") == 1

    async def scenario() -> tuple[int, str, str]:
        tls = ServerTls(cert.cert_file, cert.key_file, ca.ca_file)
        server, port = create_server(
            "127.0.0.1:0", Idle(), BlobStore(tmp_path / "blobs"), 1 << 20, tls=tls
        )
        await server.start()
        try:
            config = write_config(tmp_path, f"127.0.0.1:{port}", **files)
            client = ("--client-cert", str(probe.cert_file), "--client-key", str(probe.key_file))
            return await health(config, *client)
        finally:
            await server.stop(0)

    code, out, err = asyncio.run(scenario())
    assert (code, err) == (0, "")
    assert out.endswith(": SERVING\n")
