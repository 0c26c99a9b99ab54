"""``namebridge serve`` as an operator runs it: a real process, real signals.

Each test starts the console script on a free 127.0.0.1 port, talks to it
with the typed client and stops it with SIGTERM; every wait has a timeout so
a hung server fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from namebridge.api.client import NamebridgeClient, RemoteError
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc

pytestmark = pytest.mark.timeout(90)

NAMEBRIDGE = Path(sys.executable).with_name("namebridge")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def start() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``namebridge serve ARGS``; any server still running when the test
    ends (it failed half-way) is killed, so none outlives the suite."""
    started: list[subprocess.Popen[str]] = []

    def launch(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        command = [str(NAMEBRIDGE)] if NAMEBRIDGE.exists() else [
            sys.executable, "-c", "from namebridge.cli import main; main()"]
        process = subprocess.Popen([*command, "serve", *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
        started.append(process)
        return process

    yield launch
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, then the exit code and stderr (kill after 30 s so nothing lingers)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate(timeout=10)
        raise AssertionError(f"server did not stop within 30 s after SIGTERM:\n{err[-3000:]}")
    return process.returncode, err


def ready_client(port: int, process: subprocess.Popen[str]) -> NamebridgeClient:
    client = NamebridgeClient(f"127.0.0.1:{port}", timeout=20)
    try:
        client.wait_ready(timeout=60)
    except RemoteError:
        process.kill()
        raise AssertionError(f"server never became ready:\n{process.communicate(timeout=10)[1][-3000:]}")
    return client


def log_lines(stderr: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_sigterm_finishes_every_accepted_call_and_exits_0(start, request):
    port = free_port()
    process = start("--port", str(port), "--grace", "20", env={"NAMEBRIDGE_LOG_LEVEL": "INFO"})
    with ready_client(port, process) as client:
        assert client.health() == "SERVING"
        stub = pb_grpc.EntityResolverServiceStub(client.channel)
        # four streams, each accepted (first answer received) before the signal
        feeds: list[queue.Queue] = [queue.Queue() for _ in range(4)]
        request.addfinalizer(lambda: [feed.put(None) for feed in feeds])  # never leave a stream waiting
        calls = []
        for number, feed in enumerate(feeds):
            feed.put(pb.ResolveStreamRequest(request_id=f"{number}-first", name="Kazakhstan"))
            calls.append(stub.ResolveStream(iter(feed.get, None), timeout=60))
        for call in calls:
            assert next(call).resolutions[0].entity_id == "country:kz"
        process.send_signal(signal.SIGTERM)
        # the streams keep going after the signal: more names, a batch, then close
        for number, feed in enumerate(feeds):
            for i in range(20):
                feed.put(pb.ResolveStreamRequest(request_id=f"{number}-{i}", name="Kassym-Jomart Tokayev"))
            feed.put(pb.ResolveStreamRequest(request_id=f"{number}-batch",
                                             batch=pb.NameBatch(names=["Kazakhstan"] * 500)))
            feed.put(None)
        for number, call in enumerate(calls):
            rest = list(call)
            assert [r.request_id for r in rest] == [f"{number}-{i}" for i in range(20)] + [f"{number}-batch"]
            assert all(r.resolutions[0].entity_id == "person:kassym-jomart-tokayev" for r in rest[:20])
            assert [r.entity_id for r in rest[-1].resolutions] == ["country:kz"] * 500
            assert call.code() == grpc.StatusCode.OK
        code, err = stop(process)
        # and once stopped, a new call is refused, not lost in silence
        with pytest.raises(RemoteError) as caught:
            client.resolve("Kazakhstan", timeout=2)
        assert caught.value.code is grpc.StatusCode.UNAVAILABLE
    assert code == 0, err[-3000:]
    messages = [line["msg"] for line in log_lines(err)]
    assert "serving" in messages and "stopping" in messages and "stopped" in messages
    streams = [line for line in log_lines(err) if line.get("method") == "ResolveStream"]
    assert [line["code"] for line in streams] == ["OK"] * 4
    assert sum(line["names"] for line in streams) == 4 * (1 + 20 + 500)


def test_workers_share_the_port_and_stop_together_configured_by_environment(start):
    port, metrics_port = free_port(), free_port()
    while metrics_port + 1 == port:
        metrics_port = free_port()
    # configured through the environment this time, as a container would
    process = start(env={"NAMEBRIDGE_PORT": str(port), "NAMEBRIDGE_WORKERS": "2",
                         "NAMEBRIDGE_METRICS_PORT": str(metrics_port)})
    answers = []
    try:
        for _ in range(8):      # a fresh connection each time, so the kernel spreads them
            with ready_client(port, process) as client:
                answers.append(client.resolve("Kazakhstan").entity_id)
        totals = 0.0
        for worker_port in (metrics_port, metrics_port + 1):
            text = urllib.request.urlopen(f"http://127.0.0.1:{worker_port}/metrics", timeout=10).read().decode()
            for line in text.splitlines():
                if line.startswith('namebridge_requests_total{code="OK",method="Resolve"}'):
                    totals += float(line.split()[-1])
    finally:
        code, err = stop(process)
    assert answers == ["country:kz"] * 8
    assert totals == 8
    assert code == 0, err[-3000:]
    pids = {line["pid"] for line in log_lines(err) if line.get("msg") == "stopped"}
    assert len(pids) == 2


def test_tls_needs_both_files_and_says_so(start):
    process = start("--port", str(free_port()), "--tls-cert", "/nonexistent/cert.pem")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--tls-key" in err


def test_a_busy_port_is_a_clear_error(start):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = start("--port", str(busy.getsockname()[1]))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "cannot listen" in err and "--port" in err
