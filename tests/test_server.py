"""The gRPC API through a real server on 127.0.0.1:<ephemeral> and real clients.

The oracle for every answer is the in-process engine on the same name: the
transport must neither lose nor change anything. Bad input is checked on the
wire (status code AND the ``google.rpc.BadRequest`` field), with the raw stub,
so these tests do not rely on the typed client's unpacking.
"""

from __future__ import annotations

import io
import json
import logging
import random
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.protobuf import descriptor_pool
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from grpc_status import rpc_status

from namebridge.api import convert, logs
from namebridge.api.client import NamebridgeClient
from namebridge.matching.engine import Engine
from namebridge.lexicon.loader import load_lexicon
from namebridge.api.metrics import Metrics
from namebridge.api.server import Service, build_service
from namebridge.api.servicer import SERVICE_NAME
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc

pytestmark = pytest.mark.timeout(60)

#: names the seeds are about, in three scripts and with inflections
SEED_NAMES = ("Kazakhstan", "Kassym-Jomart Tokayev", "Тоқаевтың", "توکایف", "Kazakistan'ın",
              "Donald Trump", "Zzyzx Qwertyuiop")


@pytest.fixture(scope="module")
def names(engine: Engine) -> list[str]:
    """Every canonical name and a sample of aliases, plus the seed names: real text."""
    lexicon = load_lexicon(BUNDLED_LEXICON_DIR)
    picked = [e.canonical_name for e in lexicon.entities.values()]
    picked += [a.text for a in random.Random(5).sample(list(lexicon.aliases),
                                                       min(60, len(lexicon.aliases)))]
    picked += SEED_NAMES
    assert len(picked) > 20
    return list(dict.fromkeys(picked))


@pytest.fixture(scope="module")
def expected(engine: Engine, names: list[str]) -> dict[str, dict[str, object]]:
    return {name: engine.resolve(name).to_dict() for name in names}


@pytest.fixture(scope="module")
def service(engine: Engine) -> Iterator[Service]:
    service = build_service("127.0.0.1:0", engine=engine, metrics=Metrics())
    yield service
    service.stop(0).wait(10)



@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[NamebridgeClient]:
    with NamebridgeClient(f"127.0.0.1:{service.port}", timeout=20) as client:
        yield client


def as_dict(message: pb.Resolution) -> dict[str, object]:
    return convert.resolution_from_proto(message).to_dict()


def sample(service: Service, metric: str, **labels: str) -> float:
    return service.metrics.registry.get_sample_value(metric, labels) or 0.0


def wait_for_sample(service: Service, metric: str, timeout: float = 10.0, **labels: str) -> float:
    """Poll until a counter is non-zero (the server records a call after answering it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = sample(service, metric, **labels)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{metric}{labels} never recorded")


# --- every RPC ------------------------------------------------------------------

def test_resolve_answers_what_the_engine_answers(stub, expected):
    for name, answer in expected.items():
        response = stub.Resolve(pb.ResolveRequest(name=name), timeout=10)
        assert as_dict(response.resolution) == answer, name


def test_resolve_seed_names_to_their_entities(stub):
    got = {name: stub.Resolve(pb.ResolveRequest(name=name), timeout=10).resolution
           for name in ("Kazakhstan", "Kassym-Jomart Tokayev")}
    assert got["Kazakhstan"].entity_id == "country:kz"
    assert got["Kazakhstan"].decision == pb.DECISION_MATCH
    assert got["Kassym-Jomart Tokayev"].entity_id == "person:kassym-jomart-tokayev"
    top = got["Kazakhstan"].candidates[0]
    assert top.explanation and top.token_matches and top.features and top.matched_alias
    assert got["Kazakhstan"].lexicon_version and got["Kazakhstan"].query.script == "Latin"


def test_resolve_passes_every_option_to_the_engine(engine, stub):
    request = pb.ResolveRequest(name="Kassym-Jomart Tokayev", entity_types=["country"],
                                max_candidates=2, min_score=0.35, language="en", script="Latin")
    response = stub.Resolve(request, timeout=10)
    local = engine.resolve("Kassym-Jomart Tokayev", entity_types=("country",), max_candidates=2,
                           min_score=0.35, language="en", script="Latin")
    assert as_dict(response.resolution) == local.to_dict()
    assert all(c.entity_type == "country" for c in response.resolution.candidates)
    assert len(response.resolution.candidates) <= 2
    assert all(c.score >= 0.35 for c in response.resolution.candidates)


def test_batch_resolve_keeps_order_and_answers(stub, names, expected):
    shuffled = random.Random(1).sample(names, len(names)) * 3
    response = stub.BatchResolve(pb.BatchResolveRequest(names=shuffled, view=pb.RESOLUTION_VIEW_FULL),
                                 timeout=20)
    assert [as_dict(r) for r in response.resolutions] == [expected[n] for n in shuffled]


def test_batch_resolve_of_nothing_is_nothing(stub):
    assert len(stub.BatchResolve(pb.BatchResolveRequest(), timeout=10).resolutions) == 0


def test_stream_keeps_order_mixes_names_and_batches_and_survives_a_bad_message(stub, names, expected):
    plan: list[str | list[str]] = []
    for i in range(40):
        plan.append(names[i % len(names)] if i % 3 else names[i % len(names):i % len(names) + 4])
    plan.insert(7, "   ")                                      # refused, stream goes on
    plan.insert(20, [names[0], "", names[1]])                   # refused batch

    def requests() -> Iterator[pb.ResolveStreamRequest]:
        for number, item in enumerate(plan):
            message = pb.ResolveStreamRequest(request_id=f"r{number}", view=pb.RESOLUTION_VIEW_FULL)
            if isinstance(item, str):
                message.name = item
            else:
                message.batch.names.extend(item)
            yield message

    responses = list(stub.ResolveStream(requests(), timeout=20))
    assert [r.request_id for r in responses] == [f"r{i}" for i in range(len(plan))]
    for item, response in zip(plan, responses):
        if item == "   ":
            assert (response.error.code, response.error.field) == (grpc.StatusCode.INVALID_ARGUMENT.value[0], "name")
            assert not response.resolutions
        elif item == [names[0], "", names[1]]:
            assert response.error.field == "batch.names[1]" and not response.resolutions
        else:
            wanted = [item] if isinstance(item, str) else item
            assert not response.HasField("error")
            assert [as_dict(r) for r in response.resolutions] == [expected[n] for n in wanted]


def test_stream_message_without_a_query_is_refused_in_stream(stub):
    responses = list(stub.ResolveStream(iter([pb.ResolveStreamRequest(request_id="empty"),
                                              pb.ResolveStreamRequest(request_id="ok", name="Kazakhstan")]),
                                        timeout=10))
    assert responses[0].error.field == "query" and responses[0].request_id == "empty"
    assert responses[1].resolutions[0].entity_id == "country:kz"


def test_transliterate_answers_what_the_engine_answers(engine, stub):
    for text in ("Тоқаев", "توکایف", "Kazakistan'ın"):
        response = stub.Transliterate(pb.TransliterateRequest(text=text), timeout=10)
        assert convert.transliteration_from_proto(response) == engine.transliterate(text)
        assert response.romanized.isascii() or text.isascii() is False


def test_get_entity_returns_the_whole_record(engine, stub):
    response = stub.GetEntity(pb.GetEntityRequest(entity_id="country:kz"), timeout=10)
    entity = response.entity
    assert (entity.id, entity.type, entity.canonical_name) == ("country:kz", "country", "Kazakhstan")
    assert ("iso3166-1", "KZ") in [(x.scheme, x.value) for x in entity.external_ids]
    local = engine.get_entity("country:kz")
    assert [(a.text, a.language, a.kind, a.source, a.tier) for a in entity.aliases] == [
        (a.text, a.language, a.kind, a.source, a.tier) for a in local.aliases]
    assert len(entity.aliases) > 1


def test_lexicon_info_echoes_what_is_loaded(engine, stub):
    response = stub.GetLexiconInfo(pb.GetLexiconInfoRequest(), timeout=10)
    info = engine.info()
    assert response.version == info.version and len(response.version) >= 8
    assert (response.entity_count, response.alias_count) == (info.entity_count, info.alias_count)
    assert dict(response.counts_by_type) == info.counts_by_type
    assert dict(response.counts_by_language) == info.counts_by_language
    assert sum(response.counts_by_type.values()) == response.entity_count
    assert response.max_batch_names == engine.settings.max_batch_names
    assert response.max_name_length == engine.settings.max_name_length
    assert response.settings["match_threshold"] == str(engine.settings.match_threshold)
    assert set(response.entity_types) == set(engine.entity_types)
    assert response.loaded_at.seconds > 0


def test_lexicon_info_names_the_lexicon_without_a_filesystem_path(engine, stub):
    """Issue 13, defect 5: the server's directories are nobody's business."""
    response = stub.GetLexiconInfo(pb.GetLexiconInfoRequest(), timeout=10)
    directory = engine.lexicon.directory
    assert response.lexicon_dir == directory.name and "/" not in response.lexicon_dir
    assert response.settings["lexicon_dir"] == directory.name
    wire = response.SerializeToString()
    assert str(directory.parent).encode() not in wire


# --- bad input: status code and the BadRequest field --------------------------------

def bad_request_field(error: grpc.RpcError) -> str:
    status = rpc_status.from_call(error)
    assert status is not None, "no google.rpc.Status in the trailers"
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return bad.field_violations[0].field
    raise AssertionError("no BadRequest detail")


MAX_NAME = 256     # settings.max_name_length, checked against the server below
MAX_BATCH = 10_000

BAD_CALLS = {
    "empty name": ("Resolve", pb.ResolveRequest(name=""), "INVALID_ARGUMENT", "name"),
    "whitespace name": ("Resolve", pb.ResolveRequest(name=" \t\u3000 "), "INVALID_ARGUMENT", "name"),
    "name too long": ("Resolve", pb.ResolveRequest(name="a" * (MAX_NAME + 1)), "INVALID_ARGUMENT", "name"),
    "unknown entity type": ("Resolve", pb.ResolveRequest(name="Kazakhstan", entity_types=["planet"]),
                            "INVALID_ARGUMENT", "entity_types"),
    "bad name in a batch": ("BatchResolve", pb.BatchResolveRequest(names=["Kazakhstan", "Axios", " "]),
                            "INVALID_ARGUMENT", "names[2]"),
    "too many names": ("BatchResolve", pb.BatchResolveRequest(names=["Kazakhstan"] * (MAX_BATCH + 1)),
                       "INVALID_ARGUMENT", "names"),
    "unknown type in a batch": ("BatchResolve", pb.BatchResolveRequest(names=["Kazakhstan"], entity_types=["x"]),
                                "INVALID_ARGUMENT", "entity_types"),
    "unknown entity id": ("GetEntity", pb.GetEntityRequest(entity_id="person:nobody-at-all"),
                          "NOT_FOUND", "entity_id"),
    "empty text": ("Transliterate", pb.TransliterateRequest(text=" "), "INVALID_ARGUMENT", "text"),
    "unknown language hint": ("Resolve", pb.ResolveRequest(name="Kazakhstan", language="xx-nowhere"),
                              "INVALID_ARGUMENT", "language"),
    "unknown script hint": ("Resolve", pb.ResolveRequest(name="Kazakhstan", script="Klingon"),
                            "INVALID_ARGUMENT", "script"),
    "too many candidates": ("Resolve", pb.ResolveRequest(name="Kazakhstan", max_candidates=10_000),
                            "INVALID_ARGUMENT", "max_candidates"),
    "min score above 1": ("BatchResolve", pb.BatchResolveRequest(names=["Kazakhstan"], min_score=1.5),
                          "INVALID_ARGUMENT", "min_score"),
    "empty entity id": ("GetEntity", pb.GetEntityRequest(entity_id=""), "INVALID_ARGUMENT", "entity_id"),
}


def test_a_malformed_message_is_invalid_argument_not_internal(channel, stub):
    raw = channel.unary_unary(f"/{SERVICE_NAME}/Resolve", request_serializer=bytes,
                              response_deserializer=pb.ResolveResponse.FromString)
    for payload in (b"\x0a\x02\xff\xfe",      # name = two bytes that are not UTF-8
                    b"\x0a\x05ab"):             # name cut short
        with pytest.raises(grpc.RpcError) as caught:
            raw(payload, timeout=10)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert bad_request_field(caught.value) == "request"
    stream = channel.stream_stream(f"/{SERVICE_NAME}/ResolveStream", request_serializer=bytes,
                                   response_deserializer=pb.ResolveStreamResponse.FromString)
    good = pb.ResolveStreamRequest(request_id="after", name="Kazakhstan").SerializeToString()
    responses = list(stream(iter([b"\x0a\x02\xff\xfe", good]), timeout=10))
    assert responses[0].error.field == "request"
    assert responses[1].request_id == "after" and responses[1].resolutions[0].entity_id == "country:kz"


def test_the_limits_in_the_table_are_the_servers(engine):
    assert (engine.settings.max_name_length, engine.settings.max_batch_names) == (MAX_NAME, MAX_BATCH)


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_is_refused_with_code_and_field(stub, service, case):
    method, request, code, field = BAD_CALLS[case]
    with pytest.raises(grpc.RpcError) as caught:
        getattr(stub, method)(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode[code]
    assert bad_request_field(caught.value) == field
    assert field in caught.value.details()
    # and the server is still fine
    assert stub.Resolve(pb.ResolveRequest(name="Kazakhstan"), timeout=10).resolution.entity_id == "country:kz"


def test_a_message_over_the_size_limit_is_refused_cleanly(engine):
    small = build_service("127.0.0.1:0", engine=engine, max_message_bytes=64 * 1024)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{small.port}") as channel:
            stub = pb_grpc.EntityResolverServiceStub(channel)
            with pytest.raises(grpc.RpcError) as caught:
                stub.BatchResolve(pb.BatchResolveRequest(names=["Kazakhstan " * 10] * 1000), timeout=10)
            assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            info = stub.GetLexiconInfo(pb.GetLexiconInfoRequest(), timeout=10)
            assert info.max_message_bytes == 64 * 1024
            assert stub.Resolve(pb.ResolveRequest(name="Kazakhstan"), timeout=10).resolution.entity_id
    finally:
        small.stop(0).wait(10)


# --- deadlines and cancellation -------------------------------------------------------

def made_up_names(count: int, seed: int) -> list[str]:
    """Distinct names (no cache helps), of the shape of real ones."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvyz"
    return [" ".join("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))).title()
                     for _ in range(2)) for _ in range(count)]


def test_a_batch_past_its_deadline_stops_working(stub, service):
    names = made_up_names(MAX_BATCH, seed=2)
    with pytest.raises(grpc.RpcError) as caught:
        stub.BatchResolve(pb.BatchResolveRequest(names=names), timeout=0.3)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for_sample(service, "namebridge_requests_total", method="BatchResolve", code="DEADLINE_EXCEEDED")
    # the server stopped part-way: it did not resolve the whole batch for nobody
    assert sample(service, "namebridge_names_total", method="BatchResolve") < len(names) * 0.9


def test_a_cancelled_stream_stops_working(stub, service):
    answered, release = threading.Event(), threading.Event()

    def requests() -> Iterator[pb.ResolveStreamRequest]:
        yield pb.ResolveStreamRequest(request_id="small", name="Kazakhstan")
        answered.wait(20)            # the server is working on this stream: now the big batch
        yield pb.ResolveStreamRequest(request_id="big", batch=pb.NameBatch(names=made_up_names(MAX_BATCH, 3)))
        release.wait(20)

    call = stub.ResolveStream(requests(), timeout=30)
    assert next(call).request_id == "small"
    answered.set()
    time.sleep(0.3)
    call.cancel()
    release.set()
    with pytest.raises(grpc.RpcError) as caught:
        list(call)
    assert caught.value.code() == grpc.StatusCode.CANCELLED
    wait_for_sample(service, "namebridge_requests_total", method="ResolveStream", code="CANCELLED")
    assert sample(service, "namebridge_names_total", method="ResolveStream") < MAX_BATCH * 0.9


def test_client_deadline_is_reported_as_such(client):
    from namebridge.api.client import RemoteError
    with pytest.raises(RemoteError) as caught:
        client.resolve_many(made_up_names(MAX_BATCH, 4), timeout=0.2)
    assert caught.value.code is grpc.StatusCode.DEADLINE_EXCEEDED


# --- concurrency ---------------------------------------------------------------------

def test_32_clients_200_calls_each_every_answer_right(service, names, expected):
    def one_client(seed: int) -> int:
        order = random.Random(seed)
        wrong = 0
        with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
            stub = pb_grpc.EntityResolverServiceStub(channel)
            for _ in range(200):
                name = order.choice(names)
                resolution = stub.Resolve(pb.ResolveRequest(name=name), timeout=30).resolution
                wrong += as_dict(resolution) != expected[name]
        return wrong

    with ThreadPoolExecutor(max_workers=32) as pool:
        wrong = list(pool.map(one_client, range(32), timeout=55))
    assert wrong == [0] * 32


# --- health, reflection, metrics, logs -------------------------------------------------

def test_health_is_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service_name in ("", SERVICE_NAME):
        status = health.Check(health_pb2.HealthCheckRequest(service=service_name), timeout=10).status
        assert status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as caught:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_reflection_lists_and_describes_the_service(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    assert SERVICE_NAME in services and "grpc.health.v1.Health" in services
    described = descriptor_pool.DescriptorPool(database).FindServiceByName(SERVICE_NAME)
    assert {m.name for m in described.methods} == {
        "Resolve", "ResolveStream", "BatchResolve", "Transliterate", "GetEntity", "GetLexiconInfo",
        "Annotate"}


def test_metrics_endpoint_serves_counters_and_lexicon_size(engine, stub, service):
    stub.Resolve(pb.ResolveRequest(name="Kazakhstan"), timeout=10)
    with pytest.raises(grpc.RpcError):
        stub.Resolve(pb.ResolveRequest(name=""), timeout=10)
    httpd = service.metrics.serve_http(0)
    try:
        port = httpd.server_address[1]
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    finally:
        httpd.shutdown()
    assert 'namebridge_requests_total{code="OK",method="Resolve"}' in text
    assert 'namebridge_requests_total{code="INVALID_ARGUMENT",method="Resolve"}' in text
    assert 'namebridge_request_latency_seconds_bucket{code="OK",le="0.001",method="Resolve"}' in text
    assert f"namebridge_lexicon_entities {float(engine.info().entity_count)}" in text
    assert f'namebridge_lexicon_info{{version="{engine.info().version}"}} 1.0' in text


def test_access_log_is_one_json_line_per_call_without_name_text(stub, service):
    stream = io.StringIO()
    logger = logging.getLogger("namebridge")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logs.configure("INFO", stream=stream)
    try:
        stub.Resolve(pb.ResolveRequest(name="Kassym-Jomart Tokayev"), timeout=10)
        stub.BatchResolve(pb.BatchResolveRequest(names=["Тоқаевтың", "Kazakhstan"]), timeout=10)
        deadline = time.monotonic() + 10
        while stream.getvalue().count("\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    calls = [(x["method"], x["code"], x["names"]) for x in lines if x["logger"] == "namebridge.access"]
    assert ("Resolve", "OK", 1) in calls and ("BatchResolve", "OK", 2) in calls
    assert all(isinstance(x["latency_ms"], float) for x in lines if x["logger"] == "namebridge.access")
    for text in ("Tokayev", "Тоқаев", "Kazakhstan"):
        assert text not in stream.getvalue()


def test_log_names_adds_the_text_when_asked(engine):
    stream = io.StringIO()
    logger = logging.getLogger("namebridge")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logs.configure("INFO", stream=stream)
    asked = build_service("127.0.0.1:0", engine=engine, access_log=logs.AccessLog(log_names=True))
    try:
        with NamebridgeClient(f"127.0.0.1:{asked.port}", timeout=10) as client:
            client.resolve("Тоқаевтың")
            client.resolve_many([f"Name {i}" for i in range(50)])
        deadline = time.monotonic() + 10
        while stream.getvalue().count("\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        asked.stop(0).wait(10)
        logger.handlers[:], logger.level, logger.propagate = saved
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    texts = {x["method"]: x["texts"] for x in lines if x.get("texts")}
    assert texts["Resolve"] == ["Тоқаевтың"]
    assert texts["BatchResolve"] == [f"Name {i}" for i in range(logs.MAX_LOGGED_TEXTS)]
