"""Shared test helpers: vector files read relative to this folder, one engine per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property tests on a fixed sequence of examples, so a run is
# reproducible; on a developer's machine they explore new examples each time.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

from namebridge.tsv import read_table_strict

VECTORS = Path(__file__).parent / "vectors"


def read_vectors(name: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Rows of ``tests/vectors/<name>`` as tuples; fails if the file has no rows."""
    rows = read_table_strict(VECTORS / name, columns)
    assert rows, f"no rows read from {VECTORS / name}"
    return [tuple(r[c] for c in columns) for r in rows]


@pytest.fixture(scope="session")
def engine():
    """The engine on the bundled lexicon, loaded once for the whole session."""
    from namebridge.matching.engine import Engine

    return Engine.load()


@pytest.fixture(scope="module")
def service(engine):
    """A real server on a free port of 127.0.0.1 over the bundled engine (a module may
    define its own, with metrics or credentials)."""
    from namebridge.api.server import build_service

    service = build_service("127.0.0.1:0", engine=engine)
    yield service
    service.stop(0).wait(10)


@pytest.fixture(scope="module")
def channel(service):
    """A channel to the module's ``service`` fixture (a real server on 127.0.0.1)."""
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{service.port}",
                               options=[("grpc.max_receive_message_length", -1)]) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    """The generated stub on ``channel``."""
    from namebridge.v1 import resolver_pb2_grpc as pb_grpc

    return pb_grpc.EntityResolverServiceStub(channel)
