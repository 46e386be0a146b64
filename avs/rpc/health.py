"""Ask a gRPC server whether it is serving (``grpc.health.v1``), with a deadline."""

from __future__ import annotations

from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from avs.rpc.tls import ClientTls, channel_credentials, sync_channel


def serving_problem(
    target: str,
    timeout_s: float = 3.0,
    tls: ClientTls | None = None,
    plaintext: bool = False,
    server_name: str | None = None,
) -> str | None:
    """None when ``target`` (host:port) answers SERVING within ``timeout_s``, else why not
    (over TLS unless :func:`avs.rpc.tls.channel_credentials` says plaintext; the server's
    certificate must name ``server_name`` when given, else the target's host)."""
    options: list[tuple[str, Any]] = []
    if server_name is not None:
        options.append(("grpc.ssl_target_name_override", server_name))
    channel: Any = sync_channel(target, channel_credentials(target, tls, plaintext), options)
    try:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout_s)
    except grpc.RpcError as exc:
        code = exc.code() if hasattr(exc, "code") else None
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return f"no answer within {timeout_s:g} s"
        if code == grpc.StatusCode.UNAVAILABLE:
            return "unavailable (nothing listening, or the connection was refused)"
        return f"health check failed ({getattr(code, 'name', code)})"
    finally:
        channel.close()
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return f"reports {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}"
    return None
