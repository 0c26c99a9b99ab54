"""The Annotate RPC through a real server on 127.0.0.1:<ephemeral>, raw stub and typed client.

The oracle is the in-process annotator on the same text: the transport must neither
lose nor change a mention. Bad input is checked on the wire: status code and the
``google.rpc.BadRequest`` field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from namebridge.annotation.annotator import Annotator
from namebridge.api.client import NamebridgeClient
from namebridge.api.server import Service
from namebridge.errors import InvalidArgument
from namebridge.v1 import resolver_pb2 as pb

pytestmark = pytest.mark.timeout(120)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"



@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[NamebridgeClient]:
    with NamebridgeClient(f"127.0.0.1:{service.port}", timeout=60) as client:
        yield client


def field_violation(error: grpc.RpcError) -> str:
    status = rpc_status.from_call(error)
    assert status is not None
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    return bad.field_violations[0].field


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_annotate_answers_what_the_annotator_answers(engine, client, seed):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    local = Annotator(engine).annotate(text)
    assert local
    remote = client.annotate(text)
    assert [(m.start, m.end, m.text, m.entity_id, m.kind) for m in remote] == \
        [(m.start, m.end, m.text, m.entity_id, m.kind) for m in local]
    assert all(text[m.start:m.end] == m.text for m in remote)


def test_offsets_on_the_wire_are_code_points(stub):
    text = "🇰🇿 Kazakistan'ın\r\nلـ\"الشرق\" и Вашингтонға"
    response = stub.Annotate(pb.AnnotateRequest(text=text), timeout=30)
    assert [text[m.start:m.end] for m in response.mentions] == [m.text for m in response.mentions]
    assert [m.text for m in response.mentions] == ["Kazakistan'ın", 'لـ"الشرق', "Вашингтонға"]
    assert response.lexicon_version


def test_an_empty_text_is_an_empty_answer(stub):
    response = stub.Annotate(pb.AnnotateRequest(text=""), timeout=30)
    assert list(response.mentions) == []


def test_a_text_over_the_limit_is_invalid_argument_naming_text(stub, client, engine):
    too_long = "a" * (engine.settings.max_annotate_chars + 1)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Annotate(pb.AnnotateRequest(text=too_long), timeout=30)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violation(caught.value) == "text"
    with pytest.raises(InvalidArgument) as typed:
        client.annotate(too_long)
    assert typed.value.field == "text"


def test_an_unknown_language_is_invalid_argument_naming_language(stub):
    with pytest.raises(grpc.RpcError) as caught:
        stub.Annotate(pb.AnnotateRequest(text="Kazakistan", language="zz-nope"), timeout=30)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violation(caught.value) == "language"


def test_the_limit_is_echoed_by_lexicon_info(stub, engine):
    info = stub.GetLexiconInfo(pb.GetLexiconInfoRequest(), timeout=10)
    assert info.settings["max_annotate_chars"] == str(engine.settings.max_annotate_chars)
