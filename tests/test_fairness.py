"""Fair service under load (issue 13): big batches do not starve single names and streams.

Through a real server with few threads: several callers keep sending large
``BatchResolve`` calls of distinct names (nothing cached) while single-name
``Resolve`` calls and a ``ResolveStream`` run. Invariant: every single-name call
and every stream message is answered within a generous deadline; each batch call
ends OK or RESOURCE_EXHAUSTED (refused at once, to be retried), never hangs.
"""

from __future__ import annotations

import random
import threading
import time

import grpc

from namebridge.api.server import build_service
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc

THREADS = 4
BATCH_CALLERS = 6
BATCH_NAMES = 5000
#: one deadline for all the single-name calls and the stream together: generous (20
#: names take milliseconds each; with fair service the whole lot takes a few seconds),
#: starved they queue behind whole batches of seconds each
DEADLINE_S = 30.0
_SYLLABLES = ["ka", "to", "mar", "zen", "ba", "li", "ov", "sha", "ran", "dor", "vi", "el", "qu", "nur"]


def _distinct_names(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice(_SYLLABLES) for _ in range(3)).title() for _ in range(2)) + f" {seed}x{i}"
            for i in range(n)]


def test_single_names_and_streams_are_answered_while_big_batches_run(engine) -> None:
    service = build_service("127.0.0.1:0", engine=engine, threads=THREADS)
    target = f"127.0.0.1:{service.port}"
    stop = threading.Event()
    codes: list[grpc.StatusCode] = []
    in_flight = threading.Event()

    def batch_caller(number: int) -> None:
        with grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", -1)]) as channel:
            stub = pb_grpc.EntityResolverServiceStub(channel)
            for attempt in range(50):                    # bounded
                if stop.is_set():
                    return
                future = stub.BatchResolve.future(
                    pb.BatchResolveRequest(names=_distinct_names(number * 100 + attempt, BATCH_NAMES)),
                    timeout=300)
                in_flight.set()
                while not future.done() and not stop.is_set():
                    time.sleep(0.05)
                if not future.done():
                    future.cancel()
                    return
                code = future.code()
                codes.append(code)
                if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
                    time.sleep(0.2)

    callers = [threading.Thread(target=batch_caller, args=(i,), daemon=True) for i in range(BATCH_CALLERS)]
    for caller in callers:
        caller.start()
    try:
        assert in_flight.wait(60)
        time.sleep(1.0)                                   # let the batches take the threads
        end = time.monotonic() + DEADLINE_S

        def left() -> float:
            return max(0.1, end - time.monotonic())

        with grpc.insecure_channel(target) as channel:
            stub = pb_grpc.EntityResolverServiceStub(channel)
            names = _distinct_names(999_999, 20)
            for name in names:
                answer = stub.Resolve(pb.ResolveRequest(name=name), timeout=left())
                assert answer.resolution.query.original == name
            requests = [pb.ResolveStreamRequest(request_id=str(i), name=n) for i, n in enumerate(names)]
            answers = list(stub.ResolveStream(iter(requests), timeout=left()))
            assert [a.request_id for a in answers] == [str(i) for i in range(len(names))]
            assert all(not a.HasField("error") for a in answers)
    finally:
        stop.set()
        for caller in callers:
            caller.join(timeout=60)
        service.stop(0).wait(10)
    assert not any(c.is_alive() for c in callers)
    assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED}
