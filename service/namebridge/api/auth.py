"""Who may call: a bearer token checked by a server interceptor, and the token file.

Mutual TLS is the channel's business (``server.server_credentials`` with a client
CA); the token is checked here, on every call but the health service's, which
load balancers and orchestrators must reach without credentials. A call without
the token, or with another one, ends UNAUTHENTICATED before any work is done.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc

#: metadata key and scheme of the token (RFC 6750, "Bearer" in the Authorization header)
AUTHORIZATION = "authorization"
BEARER = "bearer "
#: method prefixes open without a token
OPEN_METHODS = ("/grpc.health.v1.Health/",)


def read_token_file(path: Path | str) -> str:
    """The token in ``path`` (surrounding whitespace and the final newline dropped);
    ``ValueError`` naming the file if it cannot be read or holds no token."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the token file {str(path)!r}: {exc}") from None
    if not token:
        raise ValueError(f"the token file {str(path)!r} is empty")
    if any(c.isspace() or not c.isprintable() for c in token):
        raise ValueError(f"the token in {str(path)!r} holds spaces or control characters")
    return token


def bearer_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    """Call metadata that carries ``token`` (none without a token)."""
    return ((AUTHORIZATION, f"Bearer {token}"),) if token else ()


def _refusal(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """A handler of the same shape as ``handler`` that ends the call UNAUTHENTICATED."""
    message = "missing or wrong bearer token (metadata 'authorization: Bearer <token>')"

    def unary(_request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    def streaming(_request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield  # pragma: no cover - abort raises

    make: Callable[..., grpc.RpcMethodHandler]
    if handler.request_streaming and handler.response_streaming:
        make, behaviour = grpc.stream_stream_rpc_method_handler, streaming
    elif handler.request_streaming:
        make, behaviour = grpc.stream_unary_rpc_method_handler, unary
    elif handler.response_streaming:
        make, behaviour = grpc.unary_stream_rpc_method_handler, streaming
    else:
        make, behaviour = grpc.unary_unary_rpc_method_handler, unary
    return make(behaviour, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)


class TokenInterceptor(grpc.ServerInterceptor):
    """Lets a call through only with ``authorization: Bearer <token>`` (compared in
    constant time); the health service stays open."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    def _authorized(self, metadata: Any) -> bool:
        for key, value in metadata or ():
            if key == AUTHORIZATION and isinstance(value, str) and value[:len(BEARER)].lower() == BEARER:
                if hmac.compare_digest(value[len(BEARER):].encode("utf-8"), self._token):
                    return True
        return False

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(OPEN_METHODS):
            return handler
        if self._authorized(handler_call_details.invocation_metadata):
            return handler
        return _refusal(handler)
