"""Fuzzing in the suite (issue 13): arbitrary Unicode and arbitrary bytes, bounded.

Through a real server on 127.0.0.1:0, to every RPC: every call ends OK or
INVALID_ARGUMENT (NOT_FOUND for an entity ID that is not in the lexicon) -
never INTERNAL, UNKNOWN or a hang; a stream answers every message it is sent.
Raw bytes go on the wire as the request body, so malformed protobuf and
strings that are not UTF-8 reach the server's parser.

To the batch readers: arbitrary bytes after a header never raise anything but
the documented ``BatchInputError``, and every input line is accounted for: a
text file gives one row per line, NDJSON one row per non-blank line, CSV/TSV one
row per line when no quote joins lines (and never more rows than lines).

Bounded: a fixed number of examples per test, no deadline per example; CI
loads the derandomized profile (tests/conftest.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from namebridge.batch.formats import BatchInputError, Format, open_reader
from namebridge.v1 import resolver_pb2 as pb

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OK_OR_INVALID = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT}
SERVICE = "/namebridge.v1.EntityResolverService/"
UNARY = ["Resolve", "BatchResolve", "Transliterate", "GetEntity", "GetLexiconInfo"]

names = st.text(max_size=300)
short_texts = st.text(max_size=40)




def code_of(call) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


# --- arbitrary Unicode in every field that takes text -------------------------------


@FUZZ
@given(name=names, language=short_texts, script=short_texts, types=st.lists(short_texts, max_size=3))
def test_resolve_any_unicode(stub, name: str, language: str, script: str, types: list[str]) -> None:
    request = pb.ResolveRequest(name=name, language=language, script=script, entity_types=types)
    assert code_of(lambda: stub.Resolve(request, timeout=30)) in OK_OR_INVALID
    assert code_of(lambda: stub.Resolve(pb.ResolveRequest(name=name), timeout=30)) in OK_OR_INVALID


@FUZZ
@given(batch=st.lists(names, max_size=8), language=short_texts)
def test_batch_resolve_any_unicode(stub, batch: list[str], language: str) -> None:
    request = pb.BatchResolveRequest(names=batch, language=language)
    try:
        response = stub.BatchResolve(request, timeout=30)
    except grpc.RpcError as exc:
        assert exc.code() is grpc.StatusCode.INVALID_ARGUMENT
    else:
        assert len(response.resolutions) == len(batch)


@FUZZ
@given(items=st.lists(st.one_of(names, st.lists(names, max_size=4)), min_size=1, max_size=6))
def test_resolve_stream_answers_every_message(stub, items: list) -> None:  # type: ignore[type-arg]
    requests = []
    for i, item in enumerate(items):
        message = pb.ResolveStreamRequest(request_id=str(i))
        if isinstance(item, str):
            message.name = item
        else:
            message.batch.names.extend(item)
        requests.append(message)
    answers = list(stub.ResolveStream(iter(requests), timeout=60))
    assert [a.request_id for a in answers] == [str(i) for i in range(len(items))]
    for answer in answers:
        if answer.HasField("error"):
            assert answer.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]


@FUZZ
@given(text=names, language=short_texts, entity_id=names)
def test_transliterate_and_get_entity_any_unicode(stub, text: str, language: str, entity_id: str) -> None:
    request = pb.TransliterateRequest(text=text, language=language)
    assert code_of(lambda: stub.Transliterate(request, timeout=30)) in OK_OR_INVALID
    assert code_of(lambda: stub.GetEntity(pb.GetEntityRequest(entity_id=entity_id), timeout=30)) in (
        OK_OR_INVALID | {grpc.StatusCode.NOT_FOUND})


# --- arbitrary bytes as the request body --------------------------------------------


@FUZZ
@given(body=st.binary(max_size=400))
def test_every_unary_rpc_any_bytes(channel, body: bytes) -> None:
    for method in UNARY:
        call = channel.unary_unary(SERVICE + method)     # bytes in, bytes out: no (de)serializer
        allowed = OK_OR_INVALID | ({grpc.StatusCode.NOT_FOUND} if method == "GetEntity" else set())
        assert code_of(lambda: call(body, timeout=30)) in allowed, method


@FUZZ
@given(bodies=st.lists(st.binary(max_size=200), min_size=1, max_size=6))
def test_resolve_stream_any_bytes(channel, bodies: list[bytes]) -> None:
    call = channel.stream_stream(SERVICE + "ResolveStream")
    answers = list(call(iter(bodies), timeout=60))
    assert len(answers) == len(bodies)                  # one answer (or in-stream error) each
    for raw in answers:
        answer = pb.ResolveStreamResponse.FromString(raw)
        if answer.HasField("error"):
            assert answer.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]


# --- the batch readers ---------------------------------------------------------------


def _rows(path: Path, fmt: Format, chunk_size: int) -> int:
    reader = open_reader(str(path), fmt, "name", chunk_size)
    try:
        return sum(chunk.frame.height for chunk in reader.chunks())
    finally:
        reader.close()


def _physical(data: bytes) -> list[bytes]:
    """Physical lines as the readers count them (a last line without newline counts)."""
    out = data.split(b"\n")
    return out[:-1] if out and out[-1] == b"" else out


@FUZZ
@given(data=st.binary(max_size=600), chunk_size=st.integers(1, 7))
def test_text_reader_one_row_per_line(data: bytes, chunk_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.txt"
        path.write_bytes(data)
        # a line of only a byte-order mark is still a line (an empty name)
        assert _rows(path, Format.TEXT, chunk_size) == len(_physical(data))


@FUZZ
@given(data=st.binary(max_size=600), chunk_size=st.integers(1, 7))
def test_ndjson_reader_one_row_per_non_blank_line(data: bytes, chunk_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.ndjson"
        path.write_bytes(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]      # the BOM is no content: a line of only a BOM is blank
        blank = sum(1 for line in _physical(data) if not line.decode("utf-8", "replace").strip())
        try:
            rows = _rows(path, Format.NDJSON, chunk_size)
        except BatchInputError:
            return
        assert rows == len(_physical(data)) - blank


@FUZZ
@given(body=st.binary(max_size=600), chunk_size=st.integers(1, 7), separator=st.sampled_from([Format.CSV, Format.TSV]))
def test_delimited_reader_accounts_for_every_line(body: bytes, chunk_size: int, separator: Format) -> None:
    sep = b"," if separator is Format.CSV else b"\t"
    data = b"name" + sep + b"x\n" + body
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        try:
            rows = _rows(path, separator, chunk_size)
        except BatchInputError:
            return
        lines = len(_physical(body))
        if b'"' not in body and b"\r" not in body:
            assert rows == lines
        else:
            assert rows <= lines
