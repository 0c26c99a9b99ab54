"""A typed client for the Namebridge gRPC API, for pipelines to import.

    from namebridge.api.client import NamebridgeClient

    with NamebridgeClient("127.0.0.1:50051", timeout=5.0) as client:
        resolution = client.resolve("Тоқаевтың")      # a namebridge.matching.results.Resolution
        resolution.entity_id                          # "person:kassym-jomart-tokayev"

Methods return the same ``namebridge.matching.results`` objects the engine returns
in-process. A refused request raises ``InvalidArgument`` / ``NotFound`` with
the field the server named (unpacked from the ``google.rpc.BadRequest``
detail); any other failure raises ``RemoteError`` carrying the gRPC code.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from namebridge.annotation.mentions import Mention
from namebridge.api import convert
from namebridge.api.auth import bearer_metadata, read_token_file  # noqa: F401 - for batch --server
from namebridge.errors import InvalidArgument, NamebridgeError, NotFound
from namebridge.lexicon.model import Entity
from namebridge.matching.results import LexiconInfo, Resolution, Transliteration
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc


class RemoteError(NamebridgeError):
    """A call failed for a reason other than a bad field (unavailable, deadline...)."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.grpc_code = code.name
        self.message = message


@dataclass(frozen=True, slots=True)
class ServerInfo(LexiconInfo):
    """What ``GetLexiconInfo`` says the server has loaded, and its limits."""

    entity_types: tuple[str, ...]
    max_batch_names: int
    max_name_length: int
    max_message_bytes: int


@dataclass(frozen=True, slots=True)
class StreamResult:
    """One ``ResolveStream`` answer: the caller's id, and resolutions or an error."""

    request_id: str
    resolutions: tuple[Resolution, ...]
    error: InvalidArgument | NotFound | RemoteError | None = None


#: the views a caller can ask for, by the name the client takes (``view="basic"``)
VIEWS = {"basic": pb.RESOLUTION_VIEW_BASIC, "full": pb.RESOLUTION_VIEW_FULL}


def view_number(view: str) -> int:
    """``"basic"`` / ``"full"`` -> the ``ResolutionView`` value; ValueError names the choices."""
    try:
        return VIEWS[view]
    except KeyError:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}") from None


def error_from_rpc(exc: grpc.RpcError) -> NamebridgeError:
    """The typed error for a failed call: the field from a BadRequest detail if any."""
    status = rpc_status.from_call(exc) if isinstance(exc, grpc.Call) else None
    code = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = (exc.details() if isinstance(exc, grpc.Call) else str(exc)) or ""
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                if bad.field_violations:
                    violation = bad.field_violations[0]
                    return _field_error(code, violation.field, violation.description)
    return RemoteError(code, message)


def _field_error(code: grpc.StatusCode, field: str, description: str) -> NamebridgeError:
    if code is grpc.StatusCode.NOT_FOUND:
        return NotFound(field, description)
    if code is grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument(field, description)
    return RemoteError(code, f"{field}: {description}")


_CODES_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def _request_error(message: pb.RequestError) -> NamebridgeError:
    code = _CODES_BY_NUMBER.get(message.code, grpc.StatusCode.UNKNOWN)
    return _field_error(code, message.field, message.message) if message.field else RemoteError(
        code, message.message)


def tls_credentials(*, ca: Path | str | None = None, cert: Path | str | None = None,
                    key: Path | str | None = None) -> grpc.ChannelCredentials:
    """TLS channel credentials from PEM files: ``ca`` the server's CA (default: the
    system's roots), ``cert`` and ``key`` this client's certificate for mutual TLS."""
    if (cert is None) != (key is None):
        raise ValueError("a client certificate needs both its certificate and its key")

    def read(path: Path | str | None) -> bytes | None:
        if path is None:
            return None
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read TLS file {str(path)!r}: {exc.strerror or exc}") from None

    return grpc.ssl_channel_credentials(root_certificates=read(ca), private_key=read(key),
                                        certificate_chain=read(cert))


#: a BatchResolve refused because the server is busy with batches is sent again this
#: many times, after 0.1, 0.2, 0.4 ... seconds
BUSY_RETRIES = 6
BUSY_FIRST_WAIT_S = 0.1


class NamebridgeClient:
    """A channel to one Namebridge server. Thread-safe; reuse one per process.

    ``timeout`` (seconds) is the default deadline of every call; each method
    takes ``timeout=`` to override it. ``credentials`` enables TLS
    (``tls_credentials(ca=..., cert=..., key=...)``; with a client certificate for
    mutual TLS); ``token`` is sent as ``authorization: Bearer <token>`` on every call.
    """

    def __init__(self, target: str = "127.0.0.1:50051", *, timeout: float | None = 30.0,
                 credentials: grpc.ChannelCredentials | None = None, token: str | None = None,
                 options: Sequence[tuple[str, Any]] = ()) -> None:
        channel_options = [("grpc.max_receive_message_length", -1), *options]
        self.channel = (grpc.secure_channel(target, credentials, options=channel_options)
                        if credentials is not None
                        else grpc.insecure_channel(target, options=channel_options))
        self.stub = pb_grpc.EntityResolverServiceStub(self.channel)
        self.timeout = timeout
        self.metadata = bearer_metadata(token)

    # -- lifecycle

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "NamebridgeClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Block until the channel is connected; raise ``RemoteError`` after ``timeout``."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError as exc:
            raise RemoteError(grpc.StatusCode.UNAVAILABLE,
                              f"server not ready within {timeout} s") from exc

    def _call(self, method: Any, request: Any, timeout: float | None) -> Any:
        try:
            return method(request, timeout=self.timeout if timeout is None else timeout,
                          metadata=self.metadata)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None

    # -- the API

    def resolve(self, name: str, *, language: str | None = None, script: str | None = None,
                entity_types: Iterable[str] = (), max_candidates: int | None = None,
                min_score: float | None = None, view: str = "full",
                timeout: float | None = None) -> Resolution:
        """Resolve one name (``Resolve``). ``view="basic"`` asks only for the verdict
        (see ``VIEWS``): the query analysis and explanations come back empty."""
        request = pb.ResolveRequest(name=name, language=language or "", script=script or "",
                                    entity_types=list(entity_types),
                                    max_candidates=max_candidates or 0, view=view_number(view))
        if min_score is not None:
            request.min_score = min_score
        response = self._call(self.stub.Resolve, request, timeout)
        return convert.resolution_from_proto(response.resolution)

    def resolve_many(self, names: Sequence[str], *, language: str | None = None,
                     script: str | None = None, entity_types: Iterable[str] = (),
                     max_candidates: int | None = None, min_score: float | None = None,
                     view: str = "full", timeout: float | None = None) -> list[Resolution]:
        """Resolve names in order with one ``BatchResolve`` call (the caller keeps
        within the server's ``max_batch_names``; see ``resolve_all`` for more).
        The client asks for the full view unless told ``view="basic"``. A server busy
        with other batches (RESOURCE_EXHAUSTED) is asked again a few times, waiting
        longer each time, before the error is raised."""
        request = pb.BatchResolveRequest(names=list(names), language=language or "",
                                         script=script or "", entity_types=list(entity_types),
                                         max_candidates=max_candidates or 0, view=view_number(view))
        if min_score is not None:
            request.min_score = min_score
        for attempt in range(BUSY_RETRIES + 1):
            try:
                response = self._call(self.stub.BatchResolve, request, timeout)
                break
            except RemoteError as exc:
                if exc.code is not grpc.StatusCode.RESOURCE_EXHAUSTED or attempt == BUSY_RETRIES:
                    raise
                time.sleep(BUSY_FIRST_WAIT_S * 2 ** attempt)
        return [convert.resolution_from_proto(r) for r in response.resolutions]

    def resolve_all(self, names: Iterable[str], *, batch_size: int = 1000,
                    **options: Any) -> Iterator[Resolution]:
        """Resolve any number of names in order, ``batch_size`` per call."""
        iterator = iter(names)
        while chunk := list(itertools.islice(iterator, batch_size)):
            yield from self.resolve_many(chunk, **options)

    def resolve_stream(self, requests: Iterable[str | Sequence[str]], *,
                       language: str | None = None, script: str | None = None,
                       entity_types: Iterable[str] = (), max_candidates: int | None = None,
                       min_score: float | None = None, view: str = "full",
                       timeout: float | None = None) -> Iterator[StreamResult]:
        """Push names over one ``ResolveStream``: each item is a name (a str) or a
        batch (a list of names); results come back in order with request ids
        ``"0"``, ``"1"``... A refused item yields a result with ``error`` set."""
        types = list(entity_types)
        view_value = view_number(view)

        def messages() -> Iterator[pb.ResolveStreamRequest]:
            for number, item in enumerate(requests):
                message = pb.ResolveStreamRequest(
                    request_id=str(number), language=language or "", script=script or "",
                    entity_types=types, max_candidates=max_candidates or 0, view=view_value)
                if isinstance(item, str):
                    message.name = item
                else:
                    message.batch.names.extend(item)
                if min_score is not None:
                    message.min_score = min_score
                yield message

        call = self.stub.ResolveStream(messages(), timeout=self.timeout if timeout is None else timeout,
                                       metadata=self.metadata)
        try:
            for response in call:
                yield StreamResult(
                    request_id=response.request_id,
                    resolutions=tuple(convert.resolution_from_proto(r) for r in response.resolutions),
                    error=_request_error(response.error) if response.HasField("error") else None,
                )
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None
        finally:
            call.cancel()   # no-op once finished; stops the server if the caller broke off

    def transliterate(self, text: str, *, language: str | None = None,
                      timeout: float | None = None) -> Transliteration:
        """Romanize a text for display (``Transliterate``)."""
        response = self._call(self.stub.Transliterate,
                              pb.TransliterateRequest(text=text, language=language or ""), timeout)
        return convert.transliteration_from_proto(response)

    def annotate(self, text: str, *, language: str | None = None,
                 timeout: float | None = None) -> list[Mention]:
        """Every mention of a lexicon entity in ``text``, in text order (``Annotate``);
        ``InvalidArgument("text")`` for a text over the server's ``max_annotate_chars``."""
        response = self._call(self.stub.Annotate, pb.AnnotateRequest(text=text, language=language or ""), timeout)
        return [convert.mention_from_proto(m) for m in response.mentions]

    def get_entity(self, entity_id: str, *, timeout: float | None = None) -> Entity:
        """One lexicon record with its aliases (``GetEntity``); ``NotFound`` if unknown."""
        response = self._call(self.stub.GetEntity, pb.GetEntityRequest(entity_id=entity_id), timeout)
        return convert.entity_from_proto(response.entity)

    def lexicon_info(self, *, timeout: float | None = None) -> ServerInfo:
        """What the server has loaded, with which settings and limits (``GetLexiconInfo``)."""
        r = self._call(self.stub.GetLexiconInfo, pb.GetLexiconInfoRequest(), timeout)
        return ServerInfo(
            version=r.version, entity_count=r.entity_count, alias_count=r.alias_count,
            counts_by_type=dict(r.counts_by_type), counts_by_language=dict(r.counts_by_language),
            loaded_at=convert.loaded_at_from_proto(r), lexicon_dir=r.lexicon_dir,
            settings=dict(r.settings), entity_types=tuple(r.entity_types),
            max_batch_names=r.max_batch_names, max_name_length=r.max_name_length,
            max_message_bytes=r.max_message_bytes,
        )

    def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """The health status name (``SERVING``, ``NOT_SERVING``...) from ``grpc.health.v1``."""
        stub = health_pb2_grpc.HealthStub(self.channel)
        response = self._call(stub.Check, health_pb2.HealthCheckRequest(service=service), timeout)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
