"""Bench section "grpc": what the transport costs, as ratios measured in one run.

Two servers run in their own processes (so the client never steals their
GIL), built with the same gRPC options and thread pool:

- **namebridge**: the real ``EntityResolverService`` over an engine loaded from
  a synthetic lexicon;
- **echo**: ``namebridge.bench.Echo``, a generic-handler service with the same
  request and response message types (``ResolveRequest`` -> ``ResolveResponse``
  ...) that answers every name with the very ``Resolution`` message the real
  server would send, prepared before the clock starts. Same bytes on the
  wire, no engine work: the ratio namebridge/echo is the share of a call's
  time that is not the work.

Figures (names per second; a unary call is one name), each in the view the
method defaults to unless named (Resolve FULL, ResolveStream and BatchResolve
BASIC; ``namebridge.api.views``), the echo server sending the same view's
messages: unary Resolve sequential and with 64 calls in flight; ResolveStream
with one name per message and with a batch per message; BatchResolve with 1000
names a call in both views, against echo. The server answers repeated names from its answer cache,
as it does for pipelines that repeat names; a third server with the answer
cache off gives the same unary figure without it, and BatchResolve against the
in-process engine on the same names, both with the cache off: what the
transport costs next to the work. Engines are warmed on the same names first.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import BenchOptions

#: the figures the issue sets as targets (ratio, what it is a ratio to)
UNARY_TARGET = 0.6
UNARY_SEQUENTIAL_TARGET = 0.7
BATCH_TARGET = 0.5
IN_FLIGHT = 64
BATCH_NAMES = 1000
STREAM_BATCH = 100
#: seconds each figure is measured for (after a warm-up pass)
SECONDS = 2.0
#: lexicon size used when the harness's sizes include it
PREFERRED_SIZE = 10_000
QUERIES = 1000
ECHO_SERVICE = "namebridge.bench.Echo"
RESOLVER_SERVICE = "namebridge.v1.EntityResolverService"


# --- the two servers, each in its own process ------------------------------------

def _server_options(max_message_bytes: int) -> list[tuple[str, Any]]:
    return [("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", -1), ("grpc.so_reuseport", 0)]


def _engine(lexicon_dir: str, cached: bool) -> Any:
    """An engine on the lexicon; ``cached=False`` turns the answer cache off (the work is redone)."""
    from namebridge.matching.engine import Engine
    from namebridge.settings import Settings

    return Engine.load(lexicon_dir, settings=Settings() if cached else Settings(resolution_cache_size=1))


def _serve_namebridge(lexicon_dir: str, cached: bool, ports: Any, stop: Any) -> None:
    from namebridge.api.server import build_service

    service = build_service("127.0.0.1:0", engine=_engine(lexicon_dir, cached))
    ports.put(service.port)
    stop.wait()
    service.server.stop(0).wait(10)


def _serve_echo(canned_bytes: dict[tuple[str, int], bytes], ports: Any, stop: Any) -> None:
    import grpc

    from namebridge.api.server import DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_THREADS
    from namebridge.v1 import resolver_pb2 as pb

    # (name, view) -> the message the real server sends for it; an unspecified
    # view is the method's default, as on the real server
    canned = {key: pb.Resolution.FromString(data) for key, data in canned_bytes.items()}
    full, basic = pb.RESOLUTION_VIEW_FULL, pb.RESOLUTION_VIEW_BASIC

    def resolve(request: Any, _context: Any) -> Any:
        return pb.ResolveResponse(resolution=canned[request.name, request.view or full])

    def batch_resolve(request: Any, _context: Any) -> Any:
        view = request.view or basic
        return pb.BatchResolveResponse(resolutions=[canned[n, view] for n in request.names])

    def resolve_stream(requests: Any, _context: Any) -> Iterator[Any]:
        for request in requests:
            names = [request.name] if request.WhichOneof("query") == "name" else request.batch.names
            view = request.view or basic
            yield pb.ResolveStreamResponse(request_id=request.request_id,
                                           resolutions=[canned[n, view] for n in names])

    handler = grpc.method_handlers_generic_handler(ECHO_SERVICE, {
        "Resolve": grpc.unary_unary_rpc_method_handler(
            resolve, request_deserializer=pb.ResolveRequest.FromString,
            response_serializer=pb.ResolveResponse.SerializeToString),
        "BatchResolve": grpc.unary_unary_rpc_method_handler(
            batch_resolve, request_deserializer=pb.BatchResolveRequest.FromString,
            response_serializer=pb.BatchResolveResponse.SerializeToString),
        "ResolveStream": grpc.stream_stream_rpc_method_handler(
            resolve_stream, request_deserializer=pb.ResolveStreamRequest.FromString,
            response_serializer=pb.ResolveStreamResponse.SerializeToString),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=DEFAULT_THREADS),
                         options=_server_options(DEFAULT_MAX_MESSAGE_BYTES))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    ports.put(port)
    stop.wait()
    server.stop(0).wait(10)


def _measure_in_process(lexicon_dir: str, chunks: list[list[str]], seconds: float, results: Any,
                        _stop: Any) -> None:
    """The in-process baseline, in a fresh process like the server's (same heap, same GC),
    with the answer cache off as on the server it is compared with."""
    engine = _engine(lexicon_dir, cached=False)
    _in_process(engine, chunks)(0)              # warm the token caches, as the server's are
    results.put(_timed(_in_process(engine, chunks), seconds))


@dataclass
class _Process:
    process: Any
    stop: Any
    #: the first thing the process put on its queue: its port, or a measured rate
    reply: Any

    def close(self) -> None:
        self.stop.set()
        self.process.join(30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)


def _start(target: Callable[..., None], *args: Any) -> _Process:
    context = multiprocessing.get_context("spawn")     # a fresh interpreter: no gRPC state inherited
    replies, stop = context.Queue(), context.Event()
    process = context.Process(target=target, args=(*args, replies, stop), daemon=True)
    process.start()
    return _Process(process, stop, replies.get(timeout=300))


# --- the client side --------------------------------------------------------------

class _Calls:
    """Resolve / BatchResolve / ResolveStream callables for one service on one channel."""

    def __init__(self, channel: Any, service: str) -> None:
        from namebridge.v1 import resolver_pb2 as pb

        self.resolve = channel.unary_unary(
            f"/{service}/Resolve", request_serializer=pb.ResolveRequest.SerializeToString,
            response_deserializer=pb.ResolveResponse.FromString)
        self.batch_resolve = channel.unary_unary(
            f"/{service}/BatchResolve", request_serializer=pb.BatchResolveRequest.SerializeToString,
            response_deserializer=pb.BatchResolveResponse.FromString)
        self.resolve_stream = channel.stream_stream(
            f"/{service}/ResolveStream", request_serializer=pb.ResolveStreamRequest.SerializeToString,
            response_deserializer=pb.ResolveStreamResponse.FromString)


def _timed(unit: Callable[[int], int], seconds: float) -> float:
    """Call ``unit(round)`` (returns names done) until ``seconds`` have passed; names/s."""
    done, rounds, started = 0, 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += unit(rounds)
        rounds += 1
    return done / elapsed


def _cycle(items: Sequence[Any], size: int, round_: int) -> list[Any]:
    """The ``round_``-th slice of ``size`` items, wrapping around, so every item gets its turn."""
    first = (round_ * size) % len(items)
    return [items[(first + i) % len(items)] for i in range(size)]


def _unary_sequential(calls: _Calls, requests: Sequence[Any]) -> Callable[[int], int]:
    def unit(round_: int) -> int:
        for request in _cycle(requests, 20, round_):
            calls.resolve(request, timeout=30)
        return 20
    return unit


def _unary_in_flight(calls: _Calls, requests: Sequence[Any], depth: int) -> Callable[[int], int]:
    def unit(round_: int) -> int:
        slots = threading.BoundedSemaphore(depth)
        failures: list[BaseException] = []

        def finished(future: Any) -> None:
            if future.exception() is not None:
                failures.append(future.exception())
            slots.release()

        chosen = _cycle(requests, 4 * depth, round_)
        for request in chosen:
            slots.acquire()
            calls.resolve.future(request, timeout=30).add_done_callback(finished)
        for _ in range(depth):                  # wait for the last calls
            slots.acquire()
        if failures:
            raise RuntimeError(f"{len(failures)} calls failed: {failures[0]}")
        return len(chosen)
    return unit


def _stream(calls: _Calls, messages: Sequence[Any], per_round: int) -> Callable[[int], int]:
    def unit(round_: int) -> int:
        chosen = _cycle(messages, per_round, round_)
        wanted = sum(1 if m.WhichOneof("query") == "name" else len(m.batch.names) for m in chosen)
        got = sum(len(r.resolutions) for r in calls.resolve_stream(iter(chosen), timeout=120))
        if got != wanted:
            raise RuntimeError(f"stream answered {got} of {wanted} names")
        return got
    return unit


def _batches(calls: _Calls, requests: Sequence[Any]) -> Callable[[int], int]:
    def unit(round_: int) -> int:
        return len(calls.batch_resolve(requests[round_ % len(requests)], timeout=120).resolutions)
    return unit


def _in_process(engine: Any, chunks: Sequence[Sequence[str]]) -> Callable[[int], int]:
    def unit(round_: int) -> int:
        return len(engine.resolve_many(chunks[round_ % len(chunks)]))
    return unit


# --- the section --------------------------------------------------------------------

def _workload(options: BenchOptions, workdir: Path) -> tuple[Path, list[str], str]:
    from benchmarks.synthetic import make_queries, write_synthetic_lexicon

    size = PREFERRED_SIZE if PREFERRED_SIZE in options.sizes else min(options.sizes)
    lexicon = write_synthetic_lexicon(workdir / "lexicon", aliases=size, seed=options.seed)
    names = list(dict.fromkeys(q.text for q in make_queries(lexicon, n=QUERIES, seed=options.seed)))
    return lexicon.directory, names, f"synthetic lexicon of {size} aliases (seed {options.seed})"


def _row(label: str, value: float, baseline: float, baseline_name: str, target: float | None) -> str:
    ratio = value / baseline if baseline else float("nan")
    verdict = "" if target is None else ("  ok" if ratio >= target else f"  BELOW target {target}")
    return (f"  {label:<34} {value:>10,.0f}/s   {baseline_name} {baseline:>10,.0f}/s"
            f"   ratio {ratio:5.2f}{verdict}")


def run(options: BenchOptions) -> None:
    """Print the grpc figures (see the module docstring)."""
    import grpc

    from namebridge.api import views
    from namebridge.matching.engine import Engine
    from namebridge.v1 import resolver_pb2 as pb

    with tempfile.TemporaryDirectory(prefix="namebridge-grpc-bench-") as tmp:
        lexicon_dir, names, what = _workload(options, Path(tmp))
        engine = Engine.load(lexicon_dir)
        canned = {(n, view): build(engine.resolve(n)).SerializeToString() for n in names
                  for view, build in ((pb.RESOLUTION_VIEW_FULL, views.resolution_to_proto),
                                      (pb.RESOLUTION_VIEW_BASIC, views.basic_resolution_to_proto))}
        print(f"grpc: {what}, {len(names)} distinct queries; servers in their own processes, "
              f"about {SECONDS:.0f} s per figure, engines warmed on the same names first")
        servers = [_start(_serve_namebridge, str(lexicon_dir), True), _start(_serve_echo, canned),
                   _start(_serve_namebridge, str(lexicon_dir), False)]
        try:
            channels = [grpc.insecure_channel(f"127.0.0.1:{s.reply}",
                                              options=[("grpc.max_receive_message_length", -1)])
                        for s in servers]
            for channel in channels:
                grpc.channel_ready_future(channel).result(timeout=60)
            real, echo = _Calls(channels[0], RESOLVER_SERVICE), _Calls(channels[1], ECHO_SERVICE)
            uncached = _Calls(channels[2], RESOLVER_SERVICE)

            full = pb.RESOLUTION_VIEW_FULL
            unary = [pb.ResolveRequest(name=n) for n in names]          # FULL, the default
            unary_basic = [pb.ResolveRequest(name=n, view=pb.RESOLUTION_VIEW_BASIC) for n in names]
            singles = [pb.ResolveStreamRequest(request_id=str(i), name=n) for i, n in enumerate(names)]
            grouped = [pb.ResolveStreamRequest(request_id=str(i), batch=pb.NameBatch(names=names[i:i + STREAM_BATCH]))
                       for i in range(0, len(names), STREAM_BATCH)]
            chunks = [names[i:i + BATCH_NAMES] for i in range(0, len(names), BATCH_NAMES)]
            batches = [pb.BatchResolveRequest(names=chunk) for chunk in chunks]   # BASIC, the default
            batches_full = [pb.BatchResolveRequest(names=chunk, view=full) for chunk in chunks]

            figures = [
                ("unary Resolve FULL, sequential", lambda c: _unary_sequential(c, unary), UNARY_SEQUENTIAL_TARGET),
                (f"unary Resolve FULL, {IN_FLIGHT} in flight", lambda c: _unary_in_flight(c, unary, IN_FLIGHT),
                 UNARY_TARGET),
                ("unary Resolve BASIC, sequential", lambda c: _unary_sequential(c, unary_basic), None),
                ("ResolveStream BASIC, 1 name/message", lambda c: _stream(c, singles, 200), None),
                (f"ResolveStream BASIC, {STREAM_BATCH} names/message", lambda c: _stream(c, grouped, 2), None),
                (f"BatchResolve BASIC, {BATCH_NAMES} names/call", lambda c: _batches(c, batches), BATCH_TARGET),
                (f"BatchResolve FULL, {BATCH_NAMES} names/call", lambda c: _batches(c, batches_full), None),
            ]
            # warm both engines (token caches) on every name before any clock starts
            _batches(real, batches)(0)
            results: dict[str, float] = {}
            for label, make, target in figures:
                value, baseline = _timed(make(real), SECONDS), _timed(make(echo), SECONDS)
                results[label] = value
                print(_row(label, value, baseline, "echo", target), flush=True)
            # transport against work: both engines redo every answer (answer cache off)
            print("  answer cache off on both sides (the engine redoes every name; token caches warm):")
            _batches(uncached, batches)(0)
            print(_row("unary Resolve, sequential", _timed(_unary_sequential(uncached, unary), SECONDS),
                       _timed(_unary_sequential(echo, unary), SECONDS), "echo", None), flush=True)
            remote = _timed(_batches(uncached, batches), SECONDS)
            local_process = _start(_measure_in_process, str(lexicon_dir), chunks, SECONDS)
            local_process.close()
            print(_row(f"BatchResolve, {BATCH_NAMES} names/call", remote,
                       local_process.reply, "in-process engine", BATCH_TARGET))
            one, grouped_rate = (results["ResolveStream BASIC, 1 name/message"],
                                 results[f"ResolveStream BASIC, {STREAM_BATCH} names/message"])
            print(f"  ResolveStream: {STREAM_BATCH} names/message is {grouped_rate / one:.2f}x "
                  f"one name/message")
            for channel in channels:
                channel.close()
        finally:
            for server in servers:
                server.close()


if __name__ == "__main__":
    run(BenchOptions())
