"""The ``EntityResolverService`` implementation: a thin transport over the engine.

Each method reads its request, calls the engine, converts the returned
candidates to protobuf and records one metric sample and one access-log line.
``status_for`` is the one place a ``NamebridgeError`` becomes a gRPC status
with a ``google.rpc.BadRequest`` field violation.

Batches and streams check ``context.is_active()`` between names, so a call
whose deadline passed or whose client went away stops costing CPU at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from namebridge.api import convert
from namebridge.api.views import BASIC, FULL, Options, ResolutionMessages, checked_view
from namebridge.errors import InvalidArgument, NamebridgeError
from namebridge.api.fairness import BatchGate, default_batch_calls
from namebridge.api.logs import MAX_LOGGED_TEXTS, AccessLog
from namebridge.api.metrics import Metrics
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc

if TYPE_CHECKING:
    from namebridge.annotation.annotator import Annotator
    from namebridge.matching.engine import Engine

log = logging.getLogger("namebridge.server")

#: threads assumed when no gate is given (the server passes its own)
DEFAULT_GATE_THREADS = 32

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["EntityResolverService"].full_name
#: characters of an Annotate text that --log-names writes (a text may be 1 MB)
MAX_LOGGED_TEXT_CHARS = 200


# --- errors: the one mapping ---------------------------------------------------

def status_for(exc: NamebridgeError) -> status_pb2.Status:
    """A ``google.rpc.Status`` for an error: its code, its text, and a
    ``BadRequest`` field violation when the error names a field."""
    code = getattr(code_pb2, exc.grpc_code, code_pb2.INTERNAL)
    status = status_pb2.Status(code=code, message=str(exc))
    field = getattr(exc, "field", None)
    if field:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=field, description=getattr(exc, "message", str(exc))),
        ]))
        status.details.append(detail)
    return status


def request_error_for(exc: NamebridgeError) -> pb.RequestError:
    """The in-stream form of the same error (ResolveStream keeps going)."""
    return pb.RequestError(code=getattr(code_pb2, exc.grpc_code, code_pb2.INTERNAL),
                           field=getattr(exc, "field", "") or "",
                           message=getattr(exc, "message", str(exc)))


class MalformedRequest:
    """What a request that does not parse becomes (bad protobuf, a string that is
    not UTF-8); the servicer answers INVALID_ARGUMENT instead of gRPC's INTERNAL."""

    __slots__ = ("type_name", "reason")

    def __init__(self, type_name: str, reason: str) -> None:
        self.type_name = type_name
        self.reason = reason

    def error(self) -> InvalidArgument:
        return InvalidArgument("request", f"is not a valid {self.type_name} "
                                          f"(strings must be UTF-8): {self.reason}")


def _lenient_parser(message_type: Any) -> Any:
    type_name = message_type.DESCRIPTOR.full_name

    def parse(data: bytes) -> Any:
        try:
            return message_type.FromString(data)
        except DecodeError as exc:
            return MalformedRequest(type_name, str(exc))
    return parse


def method_handlers(servicer: "EntityResolverServicer") -> dict[str, grpc.RpcMethodHandler]:
    """The service's method handlers by name, built from the proto descriptor,
    with request parsers that turn a malformed message into ``MalformedRequest``
    (what the generated ``add_..._to_server`` does, but with strict parsing)."""
    handlers = {}
    for method in pb.DESCRIPTOR.services_by_name["EntityResolverService"].methods:
        request_type = getattr(pb, method.input_type.name)
        response_type = getattr(pb, method.output_type.name)
        make = (grpc.stream_stream_rpc_method_handler if method.client_streaming
                else grpc.unary_unary_rpc_method_handler)
        handlers[method.name] = make(getattr(servicer, method.name),
                                     request_deserializer=_lenient_parser(request_type),
                                     response_serializer=response_type.SerializeToString)
    return handlers


class _Stopped(Exception):
    """The client cancelled or the deadline passed; stop working."""

    def __init__(self, done: int = 0, requested: int = 0) -> None:
        super().__init__(f"stopped after {done} of {requested} names")
        self.done = done
        self.requested = requested


def _stopped_code(context: grpc.ServicerContext) -> str:
    remaining = context.time_remaining()
    return "DEADLINE_EXCEEDED" if remaining is not None and remaining <= 0 else "CANCELLED"


def _texts_of(request: Any) -> list[str]:
    """The free text a request carries, for ``--log-names`` only."""
    if isinstance(request, MalformedRequest):
        return []
    if isinstance(request, pb.AnnotateRequest):
        return [request.text[:MAX_LOGGED_TEXT_CHARS]]
    if hasattr(request, "names"):
        return list(request.names[:MAX_LOGGED_TEXTS])
    if hasattr(request, "batch") and request.HasField("batch"):
        return list(request.batch.names[:MAX_LOGGED_TEXTS])
    for field in ("name", "text", "entity_id"):
        if hasattr(request, field):
            return [getattr(request, field)]
    return []


def _with_prefix(exc: InvalidArgument, prefix: str) -> InvalidArgument:
    """``name`` -> ``names[3]``: point a per-name error at the item that caused it."""
    field = prefix if exc.field == "name" else exc.field
    return InvalidArgument(field, exc.message)


# --- the servicer --------------------------------------------------------------

class EntityResolverServicer(pb_grpc.EntityResolverServiceServicer):
    """Serves one loaded ``Engine``; safe to call from many threads."""

    def __init__(self, engine: "Engine", *, metrics: Metrics | None = None,
                 access_log: AccessLog | None = None, max_message_bytes: int = 0,
                 batch_gate: BatchGate | None = None) -> None:
        self.engine = engine
        #: what batches may take from this process (fairness.py)
        self.batch_gate = batch_gate or BatchGate(calls=default_batch_calls(DEFAULT_GATE_THREADS))
        self.settings = engine.settings
        self.metrics = metrics or Metrics()
        self.access = access_log or AccessLog()
        self.messages = ResolutionMessages(engine, cache_size=self.settings.resolution_cache_size)
        info = engine.info()
        self.metrics.set_lexicon(version=info.version, entities=info.entity_count,
                                 aliases=info.alias_count)
        # the answer never changes while the process lives: build it once
        self._info = convert.info_to_proto(
            info, entity_types=engine.entity_types,
            max_batch_names=self.settings.max_batch_names,
            max_name_length=self.settings.max_name_length,
            max_message_bytes=max_message_bytes)
        # the mention automaton is built on the first Annotate call, once (servers that
        # never annotate do not pay for it)
        self._annotator: "Annotator | None" = None
        self._annotator_lock = threading.Lock()

    # -- bookkeeping shared by every method

    def _finish(self, method: str, code: str, started: float, *, names: int = 0,
                requested: int | None = None, texts: list[str] | None = None) -> None:
        elapsed = time.perf_counter() - started
        self.metrics.observe(method, code, elapsed, names)
        self.access.call(method, code, elapsed, names=names, requested=requested, texts=texts)

    def _unary(self, method: str, context: grpc.ServicerContext, work: Any, request: Any) -> Any:
        """Run ``work(context, request)``; map errors; record the call. ``work``
        returns ``(response, names_resolved)``."""
        started = time.perf_counter()
        texts = _texts_of(request) if self.access.log_names else None
        names = 0
        try:
            if isinstance(request, MalformedRequest):
                raise request.error()
            if not context.is_active():   # queued past its deadline under load: skip the work
                raise _Stopped()
            response, names = work(context, request)
        except NamebridgeError as exc:
            self._finish(method, exc.grpc_code, started, texts=texts)
            context.abort_with_status(rpc_status.to_status(status_for(exc)))
        except _Stopped as stop:
            self._finish(method, _stopped_code(context), started, names=stop.done,
                         requested=stop.requested, texts=texts)
            context.abort(grpc.StatusCode.CANCELLED, "stopped: call no longer active")
        except Exception:
            log.exception("internal error", extra={"method": method})
            self._finish(method, "INTERNAL", started, texts=texts)
            context.abort(grpc.StatusCode.INTERNAL, "internal error; see the server log")
        self._finish(method, "OK", started, names=names, texts=texts)
        return response

    def _options(self, request: Any) -> Options:
        """The option fields every resolve request shares, in ``Engine.resolve`` keyword order."""
        return (request.language or None, request.script or None, tuple(request.entity_types),
                request.max_candidates or None,
                request.min_score if request.HasField("min_score") else None)

    def _check_batch_size(self, count: int, field: str) -> None:
        limit = self.settings.max_batch_names
        if count > limit:
            raise InvalidArgument(field, f"{count} names in one call; the limit is {limit} "
                                         "(max_batch_names): split the batch")

    def _resolve_names(self, context: grpc.ServicerContext, names: Any, options: Options,
                       view: int, field: str) -> list[pb.Resolution]:
        """Resolve in order, a slice per turn of the batch gate, stopping as soon as the
        call is no longer active."""
        message = self.messages.message
        is_active = context.is_active
        out: list[pb.Resolution] = []
        step = self.batch_gate.slice_names
        for start in range(0, len(names), step):
            with self.batch_gate.turn():
                for index in range(start, min(start + step, len(names))):
                    if not is_active():
                        raise _Stopped(index, len(names))
                    try:
                        out.append(message(names[index], options, view))
                    except InvalidArgument as exc:
                        raise _with_prefix(exc, f"{field}[{index}]") from None
        return out

    # -- the RPCs

    def Resolve(self, request: pb.ResolveRequest, context: grpc.ServicerContext) -> pb.ResolveResponse:
        return self._unary("Resolve", context, self._resolve, request)

    def _resolve(self, context: grpc.ServicerContext,
                 request: pb.ResolveRequest) -> tuple[pb.ResolveResponse, int]:
        view = checked_view(request.view, default=FULL)
        return pb.ResolveResponse(resolution=self.messages.message(request.name, self._options(request), view)), 1

    def BatchResolve(self, request: pb.BatchResolveRequest,
                     context: grpc.ServicerContext) -> pb.BatchResolveResponse:
        return self._unary("BatchResolve", context, self._batch_resolve, request)

    def _batch_resolve(self, context: grpc.ServicerContext,
                       request: pb.BatchResolveRequest) -> tuple[pb.BatchResolveResponse, int]:
        names = request.names
        self._check_batch_size(len(names), "names")
        view = checked_view(request.view, default=BASIC)
        with self.batch_gate.admitted():
            resolutions = self._resolve_names(context, names, self._options(request), view, "names")
        return pb.BatchResolveResponse(resolutions=resolutions), len(resolutions)

    def ResolveStream(self, request_iterator: Iterator[pb.ResolveStreamRequest],
                      context: grpc.ServicerContext) -> Iterator[pb.ResolveStreamResponse]:
        started = time.perf_counter()
        names = 0
        code = "OK"
        texts: list[str] | None = [] if self.access.log_names else None
        try:
            for request in request_iterator:
                if not context.is_active():
                    raise _Stopped()
                if texts is not None and len(texts) < MAX_LOGGED_TEXTS:
                    texts.extend(_texts_of(request))
                if isinstance(request, MalformedRequest):
                    response = pb.ResolveStreamResponse(error=request_error_for(request.error()))
                    yield response
                    continue
                response = pb.ResolveStreamResponse(request_id=request.request_id)
                try:
                    query = request.WhichOneof("query")
                    options = self._options(request)
                    view = checked_view(request.view, default=BASIC)
                    if query == "name":
                        response.resolutions.append(self.messages.message(request.name, options, view))
                    elif query == "batch":
                        batch = request.batch.names
                        self._check_batch_size(len(batch), "batch.names")
                        response.resolutions.extend(
                            self._resolve_names(context, batch, options, view, "batch.names"))
                    else:
                        raise InvalidArgument("query", "set either name or batch")
                except NamebridgeError as exc:
                    response.ClearField("resolutions")
                    response.error.CopyFrom(request_error_for(exc))
                names += len(response.resolutions)
                yield response
        except _Stopped as stop:
            names += stop.done
            code = _stopped_code(context)
        except GeneratorExit:      # the client went away while we were yielding
            code = _stopped_code(context)
            raise
        except grpc.RpcError:      # reading the requests failed: the call is over
            code = _stopped_code(context)
        except Exception:
            log.exception("internal error", extra={"method": "ResolveStream"})
            code = "INTERNAL"
            context.abort(grpc.StatusCode.INTERNAL, "internal error; see the server log")
        finally:
            if code == "OK" and not context.is_active():
                code = _stopped_code(context)
            self._finish("ResolveStream", code, started, names=names, texts=texts)

    def Transliterate(self, request: pb.TransliterateRequest,
                      context: grpc.ServicerContext) -> pb.TransliterateResponse:
        return self._unary("Transliterate", context, self._transliterate, request)

    def _transliterate(self, context: grpc.ServicerContext,
                       request: pb.TransliterateRequest) -> tuple[pb.TransliterateResponse, int]:
        try:
            result = self.engine.transliterate(request.text, language=request.language or None)
        except InvalidArgument as exc:     # the engine checks it as a name; on the wire it is "text"
            raise _with_prefix(exc, "text") from None
        return convert.transliteration_to_proto(result), 0

    def GetEntity(self, request: pb.GetEntityRequest,
                  context: grpc.ServicerContext) -> pb.GetEntityResponse:
        return self._unary("GetEntity", context, self._get_entity, request)

    def _get_entity(self, context: grpc.ServicerContext,
                    request: pb.GetEntityRequest) -> tuple[pb.GetEntityResponse, int]:
        entity = self.engine.get_entity(request.entity_id)
        return pb.GetEntityResponse(entity=convert.entity_to_proto(entity)), 0

    def Annotate(self, request: pb.AnnotateRequest, context: grpc.ServicerContext) -> pb.AnnotateResponse:
        return self._unary("Annotate", context, self._annotate, request)

    def _annotate(self, context: grpc.ServicerContext,
                  request: pb.AnnotateRequest) -> tuple[pb.AnnotateResponse, int]:
        mentions = self.annotator().annotate(request.text, language=request.language or None)
        return pb.AnnotateResponse(mentions=[convert.mention_to_proto(m) for m in mentions],
                                   lexicon_version=self.engine.lexicon.version), len(mentions)

    def annotator(self) -> "Annotator":
        """The engine's annotator, built on first use (one automaton per process)."""
        with self._annotator_lock:
            if self._annotator is None:
                from namebridge.annotation.annotator import Annotator
                self._annotator = Annotator(self.engine)
            return self._annotator

    def GetLexiconInfo(self, request: pb.GetLexiconInfoRequest,
                       context: grpc.ServicerContext) -> pb.GetLexiconInfoResponse:
        return self._unary("GetLexiconInfo", context, lambda _ctx, _request: (self._info, 0), request)
