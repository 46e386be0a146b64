"""TLS between operators and the aggregator: real certificates, real gRPC on 127.0.0.1:0."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from avs.devnet.certs import ThrowawayCa
from avs.errors import ConfigError, RpcError
from avs.models import BlobStore
from avs.protocol import Task
from avs.rpc.blob_client import BlobClient
from avs.rpc.client import AggregatorClient
from avs.rpc.health import serving_problem
from avs.rpc.messages import ResponseSubmission, SubmitResult, SubscribeRequest, TaskHints
from avs.rpc.server import create_server
from avs.rpc.tls import ClientTls, ServerTls, channel_credentials, check_server_security

pytestmark = pytest.mark.integration


class Idle:
    """A backend with no tasks: these tests are about the transport."""

    async def submit(self, submission: ResponseSubmission) -> SubmitResult:
        raise AssertionError("not reached")

    async def subscribe(self, request: SubscribeRequest) -> AsyncIterator[tuple[Task, TaskHints]]:
        raise AssertionError("not reached")
        yield  # pragma: no cover - makes this an async generator


async def healthy(channel: grpc.aio.Channel) -> bool:
    stub = health_pb2_grpc.HealthStub(channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def reachable(target: str, credentials: object | None) -> bool:
    channel = (
        grpc.aio.insecure_channel(target)
        if credentials is None
        else grpc.aio.secure_channel(target, credentials)
    )
    async with channel:
        try:
            return await healthy(channel)
        except grpc.aio.AioRpcError:
            return False


def test_operators_verify_the_aggregator_and_may_need_client_certificates(tmp_path: Path) -> None:
    ca = ThrowawayCa.create(tmp_path / "ca")
    server_cert = ca.issue("aggregator", server=True, hosts=("localhost", "127.0.0.1"))
    client_cert = ca.issue("operator-0", server=False)
    stranger_ca = ThrowawayCa.create(tmp_path / "other-ca")

    async def scenario(client_ca: Path | None) -> dict[str, bool]:
        tls = ServerTls(server_cert.cert_file, server_cert.key_file, client_ca)
        server, port = create_server(
            "127.0.0.1:0", Idle(), BlobStore(tmp_path / "b"), 1 << 20, tls=tls
        )
        await server.start()
        target = f"127.0.0.1:{port}"
        try:
            with_cert = ClientTls(ca.ca_file, client_cert.cert_file, client_cert.key_file)
            return {
                "plaintext": await reachable(target, None),
                "system roots": await reachable(target, ClientTls().credentials()),
                "other CA": await reachable(target, ClientTls(stranger_ca.ca_file).credentials()),
                "our CA": await reachable(target, ClientTls(ca.ca_file).credentials()),
                "our CA + client cert": await reachable(target, with_cert.credentials()),
            }
        finally:
            await server.stop(0)

    one_way = asyncio.run(scenario(None))
    assert one_way == {
        "plaintext": False,
        "system roots": False,
        "other CA": False,
        "our CA": True,
        "our CA + client cert": True,
    }
    mutual = asyncio.run(scenario(ca.ca_file))
    assert mutual["our CA"] is False  # no client certificate: refused
    assert mutual["our CA + client cert"] is True


def test_the_operator_client_speaks_tls_to_a_tls_aggregator(tmp_path: Path) -> None:
    ca = ThrowawayCa.create(tmp_path / "ca")
    cert = ca.issue("aggregator", server=True, hosts=("127.0.0.1",))

    async def scenario() -> None:
        server, port = create_server(
            "127.0.0.1:0", Idle(), BlobStore(tmp_path / "b"), 1 << 20,
            tls=ServerTls(cert.cert_file, cert.key_file),
        )  # fmt: skip
        await server.start()
        try:
            client = AggregatorClient(f"127.0.0.1:{port}", tls=ClientTls(ca.ca_file))
            assert client.secure
            await client.wait_connected(10)
            await client.close()
            plain = AggregatorClient(f"127.0.0.1:{port}")  # loopback default: plaintext
            assert not plain.secure
            with pytest.raises(RpcError):
                await plain.wait_connected(2)
            await plain.close()
        finally:
            await server.stop(0)

    asyncio.run(scenario())


def test_plaintext_only_on_loopback_or_by_explicit_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no TLS certificate"):
        check_server_security("0.0.0.0:50051", None, allow_plaintext=False)
    check_server_security("0.0.0.0:50051", None, allow_plaintext=True)
    check_server_security("127.0.0.1:50051", None, allow_plaintext=False)
    check_server_security("[::1]:50051", None, allow_plaintext=False)
    assert channel_credentials("127.0.0.1:1", None, plaintext=False) is None
    assert channel_credentials("aggregator.example:443", None, plaintext=False) is not None
    assert channel_credentials("aggregator.example:443", None, plaintext=True) is None
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(ConfigError, match="not PEM"):
        ClientTls(tmp_path / "junk.pem").credentials()


def test_blob_commands_and_health_checks_speak_tls_too(tmp_path: Path) -> None:
    ca = ThrowawayCa.create(tmp_path / "ca")
    cert = ca.issue("aggregator", server=True, hosts=("127.0.0.1",))
    blobs = BlobStore(tmp_path / "b")

    async def scenario() -> None:
        tls = ServerTls(cert.cert_file, cert.key_file)
        server, port = create_server("127.0.0.1:0", Idle(), blobs, 1 << 20, tls=tls)
        await server.start()
        target = f"127.0.0.1:{port}"

        def use() -> None:
            assert serving_problem(target, tls=ClientTls(ca.ca_file)) is None
            assert serving_problem(target) is not None  # plaintext to a TLS port fails
            with BlobClient(target, tls=ClientTls(ca.ca_file)) as client:
                stored = client.put(b"over tls")
                assert client.get(stored.content_hash, max_size=100) == b"over tls"

        try:
            await asyncio.to_thread(use)
        finally:
            await server.stop(0)

    asyncio.run(scenario())
