"""A name of only invisible characters is refused like a blank one (issue 13, defect 6).

Invariant: a name whose every character is whitespace, a format character
(Unicode category Cf: bidi marks, ZWJ, ZWNJ, zero-width space, BOM, soft
hyphen) or a control is INVALID_ARGUMENT on field ``name``, in process and
through a real server; a name that also holds a letter is still resolved.
"""

from __future__ import annotations


import grpc
import pytest

from namebridge.api.server import Service
from namebridge.errors import InvalidArgument
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc

INVISIBLE = [
    "\u200f",                    # right-to-left mark
    "\u200d\u200c",              # ZWJ, ZWNJ
    " \u200e\u2067\u2069 ",      # LRM, isolates, spaces around
    "\ufeff\u200b",              # BOM, zero-width space
    "\u061c\u00ad",              # Arabic letter mark, soft hyphen
]


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_only_is_refused_in_process(engine, name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        engine.resolve(name)
    assert caught.value.field == "name"
    with pytest.raises(InvalidArgument):
        engine.resolve("   ")   # the whitespace-only case it must match


def test_a_visible_letter_among_marks_is_still_a_name(engine) -> None:
    assert engine.resolve("\u200fIsrael\u200e").decision.value in ("MATCH", "AMBIGUOUS", "NO_MATCH")



@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_only_is_invalid_argument_through_the_server(service: Service, name: str) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        stub = pb_grpc.EntityResolverServiceStub(channel)
        for call in (lambda: stub.Resolve(pb.ResolveRequest(name=name), timeout=10),
                     lambda: stub.Resolve(pb.ResolveRequest(name=" \t "), timeout=10)):
            with pytest.raises(grpc.RpcError) as caught:
                call()
            assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
            assert caught.value.details().startswith("name:")
