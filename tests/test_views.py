"""Response views through a real server on 127.0.0.1:<ephemeral>.

BASIC carries the verdict (decision, entity, canonical name, type, score,
matched alias) and nothing of the explanation; FULL everything. The oracle is
the in-process engine on the same name: each view must be exactly its share of
the engine's answer, whatever the method, and a repeated name (answered from
the message cache) must get the same message as the first time.
"""

from __future__ import annotations

import random

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from namebridge.api import convert
from namebridge.api.client import NamebridgeClient
from namebridge.lexicon.loader import load_lexicon
from namebridge.matching.results import Decision, Resolution
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.v1 import resolver_pb2 as pb

pytestmark = pytest.mark.timeout(60)

BASIC, FULL = pb.RESOLUTION_VIEW_BASIC, pb.RESOLUTION_VIEW_FULL

#: names in three scripts, MATCH, AMBIGUOUS and NO_MATCH among them
SEED_NAMES = ["Kazakhstan", "Kassym-Jomart Tokayev", "Тоқаевтың", "توکایف", "Kazakistan'ın",
              "Donald Trump", "Zzyzx Qwertyuiop", "الاحتلال"]


@pytest.fixture(scope="module")
def names() -> list[str]:
    lexicon = load_lexicon(BUNDLED_LEXICON_DIR)
    picked = [a.text for a in random.Random(7).sample(list(lexicon.aliases), min(80, len(lexicon.aliases)))]
    return list(dict.fromkeys(picked + SEED_NAMES))




def basic_of(resolution: Resolution) -> dict[str, object]:
    """What the BASIC view must carry of an in-process answer."""
    return {
        "decision": resolution.decision.value,
        "entity_id": resolution.entity_id or "",
        "score": resolution.score,
        "lexicon_version": resolution.lexicon_version,
        "candidates": [(c.entity_id, c.canonical_name, c.entity_type, c.score, c.matched_alias)
                       for c in resolution.candidates],
    }


def basic_from_message(message: pb.Resolution) -> dict[str, object]:
    return {
        "decision": pb.Decision.Name(message.decision).removeprefix("DECISION_"),
        "entity_id": message.entity_id,
        "score": message.score,
        "lexicon_version": message.lexicon_version,
        "candidates": [(c.entity_id, c.canonical_name, c.entity_type, c.score, c.matched_alias)
                       for c in message.candidates],
    }


def assert_basic(message: pb.Resolution, resolution: Resolution) -> None:
    assert basic_from_message(message) == basic_of(resolution)
    assert not message.HasField("query")
    for candidate in message.candidates:
        assert not (candidate.explanation or candidate.token_matches or candidate.features
                    or candidate.alias_language or candidate.alias_kind or candidate.alias_source)


def test_the_names_cover_every_decision(engine, names):
    assert {engine.resolve(n).decision for n in names} == {Decision.MATCH, Decision.AMBIGUOUS, Decision.NO_MATCH}


def test_batch_resolve_defaults_to_basic_and_repeats_give_the_same_message(engine, stub, names):
    asked = names * 2
    for request in (pb.BatchResolveRequest(names=asked),
                    pb.BatchResolveRequest(names=asked, view=BASIC)):
        response = stub.BatchResolve(request, timeout=20)
        assert len(response.resolutions) == len(asked)
        for name, message in zip(asked, response.resolutions):
            assert_basic(message, engine.resolve(name))


def test_batch_resolve_full_is_the_whole_answer(engine, stub, names):
    response = stub.BatchResolve(pb.BatchResolveRequest(names=names * 2, view=FULL), timeout=20)
    assert [convert.resolution_from_proto(m) for m in response.resolutions] == engine.resolve_many(names * 2)
    assert any(c.token_matches and c.features and c.explanation
               for m in response.resolutions for c in m.candidates)


def test_resolve_defaults_to_full_and_can_ask_for_basic(engine, stub, names):
    for name in names:
        full = stub.Resolve(pb.ResolveRequest(name=name), timeout=10).resolution
        assert convert.resolution_from_proto(full) == engine.resolve(name)
        basic = stub.Resolve(pb.ResolveRequest(name=name, view=BASIC), timeout=10).resolution
        assert_basic(basic, engine.resolve(name))


def test_options_and_view_are_both_part_of_the_cached_answer(engine, stub):
    """The same name asked with other options or another view is not answered from
    the first request's message."""
    name = "Kassym-Jomart Tokayev"
    for view in (BASIC, FULL, BASIC):
        for types, limit in (((), 0), (("country",), 2), (("person",), 1)):
            request = pb.BatchResolveRequest(names=[name], entity_types=types, max_candidates=limit, view=view)
            message = stub.BatchResolve(request, timeout=10).resolutions[0]
            local = engine.resolve(name, entity_types=types, max_candidates=limit or None)
            if view == BASIC:
                assert_basic(message, local)
            else:
                assert convert.resolution_from_proto(message) == local


def test_stream_defaults_to_basic_for_names_and_batches(engine, stub, names):
    requests = [pb.ResolveStreamRequest(request_id="one", name=names[0]),
                pb.ResolveStreamRequest(request_id="many", batch=pb.NameBatch(names=names)),
                pb.ResolveStreamRequest(request_id="full", name=names[0], view=FULL)]
    one, many, full = list(stub.ResolveStream(iter(requests), timeout=20))
    assert_basic(one.resolutions[0], engine.resolve(names[0]))
    for name, message in zip(names, many.resolutions, strict=True):
        assert_basic(message, engine.resolve(name))
    assert convert.resolution_from_proto(full.resolutions[0]) == engine.resolve(names[0])


def test_an_undefined_view_is_invalid_argument_naming_view(stub):
    with pytest.raises(grpc.RpcError) as caught:
        stub.BatchResolve(pb.BatchResolveRequest(names=["Kazakhstan"], view=7), timeout=10)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    detail = rpc_status.from_call(caught.value).details[0]
    violations = error_details_pb2.BadRequest()
    detail.Unpack(violations)
    assert violations.field_violations[0].field == "view"
    stream = list(stub.ResolveStream(iter([pb.ResolveStreamRequest(request_id="x", name="Kazakhstan", view=9)]),
                                     timeout=10))
    assert stream[0].error.field == "view" and not stream[0].resolutions


def test_client_view_basic_returns_the_verdict(engine, service, names):
    with NamebridgeClient(f"127.0.0.1:{service.port}", timeout=20) as client:
        got = client.resolve_many(names, view="basic")
        for name, resolution in zip(names, got, strict=True):
            local = engine.resolve(name)
            assert (resolution.decision, resolution.entity_id, resolution.score) == \
                   (local.decision, local.entity_id, local.score)
            assert [(c.entity_id, c.canonical_name, c.matched_alias) for c in resolution.candidates] == \
                   [(c.entity_id, c.canonical_name, c.matched_alias) for c in local.candidates]
        with pytest.raises(ValueError, match="basic, full"):
            client.resolve("Kazakhstan", view="short")
