"""The typed client against a real server: same objects as in-process, typed errors.

The vector files other tests run in-process (``tests/vectors``) run here
through the client too, so a row the transport would change fails by name.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from namebridge.api import convert
from namebridge.api.client import NamebridgeClient, RemoteError, StreamResult
from conftest import read_vectors
from namebridge.errors import InvalidArgument, NotFound
from namebridge.matching.results import Decision
from namebridge.api.server import Service, create_server, server_credentials

pytestmark = pytest.mark.timeout(60)

NAMES = ["Kazakhstan", "Kassym-Jomart Tokayev", "Тоқаевтың", "توکایف", "Kazakistan'ın", "Zzyzx Qwertyuiop"]



@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[NamebridgeClient]:
    with NamebridgeClient(f"127.0.0.1:{service.port}", timeout=20) as client:
        yield client


def test_protobuf_round_trip_is_lossless(engine):
    for name in NAMES:
        resolution = engine.resolve(name)
        assert convert.resolution_from_proto(convert.resolution_to_proto(resolution)) == resolution
    entity = engine.get_entity("country:kz")
    back = convert.entity_from_proto(convert.entity_to_proto(entity))
    assert back == dataclasses.replace(
        entity, aliases=tuple(dataclasses.replace(a, path="", line=0) for a in entity.aliases))


def test_client_returns_the_engines_objects(engine, client):
    for name in NAMES:
        assert client.resolve(name) == engine.resolve(name)
    assert client.resolve("Kazakhstan").entity_id == "country:kz"
    assert client.resolve_many(NAMES) == engine.resolve_many(NAMES)
    assert client.transliterate("Тоқаев") == engine.transliterate("Тоқаев")
    assert client.get_entity("country:kz").canonical_name == "Kazakhstan"
    options = dict(entity_types=["country"], max_candidates=1, min_score=0.4)
    assert client.resolve("Kassym-Jomart Tokayev", **options) == engine.resolve(
        "Kassym-Jomart Tokayev", entity_types=("country",), max_candidates=1, min_score=0.4)


def test_resolve_all_splits_into_calls_and_keeps_order(engine, client):
    names = NAMES * 4
    assert list(client.resolve_all(iter(names), batch_size=5)) == [engine.resolve(n) for n in names]


def test_resolve_stream_yields_in_order_with_errors_in_place(engine, client):
    results = list(client.resolve_stream(["Kazakhstan", NAMES, "", ["Kazakhstan", "   "]]))
    assert [r.request_id for r in results] == ["0", "1", "2", "3"]
    assert results[0].resolutions == (engine.resolve("Kazakhstan"),)
    assert list(results[1].resolutions) == [engine.resolve(n) for n in NAMES]
    assert isinstance(results[2].error, InvalidArgument) and results[2].error.field == "name"
    assert isinstance(results[3].error, InvalidArgument) and results[3].error.field == "batch.names[1]"
    assert results[3].resolutions == ()


def test_breaking_off_a_stream_early_is_clean(client):
    stream = client.resolve_stream(iter(["Kazakhstan"] * 10_000))
    first = next(stream)
    assert isinstance(first, StreamResult) and first.resolutions[0].decision is Decision.MATCH
    stream.close()                     # cancels the call; the client stays usable
    assert client.resolve("Kazakhstan").entity_id == "country:kz"


def test_refusals_come_back_typed_with_the_field(client):
    cases = [
        (lambda: client.resolve(" "), InvalidArgument, "name"),
        (lambda: client.resolve("Kazakhstan", entity_types=["planet"]), InvalidArgument, "entity_types"),
        (lambda: client.resolve_many(["Kazakhstan", ""]), InvalidArgument, "names[1]"),
        (lambda: client.get_entity("country:atlantis"), NotFound, "entity_id"),
    ]
    for call, kind, field in cases:
        with pytest.raises(kind) as caught:
            call()
        assert type(caught.value) is kind and caught.value.field == field and caught.value.message


def test_lexicon_info_and_health(engine, client):
    info = client.lexicon_info()
    assert info.version == engine.info().version
    assert info.entity_count == engine.info().entity_count
    assert info.max_batch_names == engine.settings.max_batch_names
    assert info.loaded_at.tzinfo is not None
    assert client.health() == "SERVING"


def test_an_unreachable_server_is_a_remote_error_not_a_hang():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with NamebridgeClient(f"127.0.0.1:{port}", timeout=2) as client:
        with pytest.raises(RemoteError) as caught:
            client.resolve("Kazakhstan")
        assert caught.value.code is grpc.StatusCode.UNAVAILABLE


def test_tls_end_to_end(engine, tmp_path: Path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a throw-away certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30)
    server, port = create_server("127.0.0.1:0", engine=engine, credentials=server_credentials(cert, key))
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
        with NamebridgeClient(f"localhost:{port}", credentials=credentials, timeout=10) as client:
            assert client.resolve("Kazakhstan").entity_id == "country:kz"
        with NamebridgeClient(f"127.0.0.1:{port}", timeout=3) as plain:   # plaintext is refused
            with pytest.raises(RemoteError):
                plain.resolve("Kazakhstan")
    finally:
        server.stop(0).wait(10)


# --- the shared vectors, through the wire ---------------------------------------------

OCCURRENCES = read_vectors("seed_occurrences.tsv", ("seed", "text", "entity_id"))
TRANSLIT = [(language, *row) for language in ("ar", "fa", "kk", "ru", "uk", "uz-Cyrl")
            for row in read_vectors(f"translit_{language}.tsv", ("input", "expected"))]


@pytest.fixture(scope="module")
def occurrences_remote(client: NamebridgeClient) -> dict[str, object]:
    texts = [text for _, text, _ in OCCURRENCES]
    return dict(zip(texts, client.resolve_many(texts)))


@pytest.mark.parametrize("seed, text, entity_id", OCCURRENCES, ids=[r[1] for r in OCCURRENCES])
def test_seed_occurrence_through_the_client(engine, occurrences_remote, seed, text, entity_id):
    """Whatever the engine answers (tests/test_lexicon_content.py judges that),
    the wire answers the same, to the last token match."""
    remote = occurrences_remote[text]
    assert remote == engine.resolve(text), f"{text!r} from {seed} ({entity_id})"


@pytest.mark.parametrize("language, text, expected", TRANSLIT, ids=[f"{r[0]}:{r[1]}" for r in TRANSLIT])
def test_translit_vector_through_the_client(engine, client, language, text, expected):
    remote = client.transliterate(text, language=language)
    assert remote == engine.transliterate(text, language=language)
    assert remote.romanized == expected
