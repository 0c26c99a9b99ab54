"""``make soak``: mixed RPCs at 80% of measured capacity against a real server, for a bounded time.

    python -m benchmarks.soak                     # 6 minutes' warm-up, then 5 measured
    SOAK_WARMUP_SECONDS=30 SOAK_SECONDS=60 python -m benchmarks.soak

1. starts ``namebridge serve`` (one process, the bundled lexicon) on a free port of
   127.0.0.1 and waits until its health service says SERVING;
2. measures capacity: for ``SOAK_PROBE_SECONDS`` (15), closed-loop callers send the
   mix as fast as the server answers; calls/s is the capacity;
3. drives the same mix open-loop at ``SOAK_LOAD`` (0.8) of that rate for a
   warm-up of ``SOAK_WARMUP_SECONDS`` (360: the bounded caches take about five
   minutes to fill at this load) and then ``SOAK_SECONDS`` (300) more: a call is
   started on schedule whether or not earlier ones returned, so a slow server
   shows up as latency, not as a lower rate;
4. reports per minute the calls, errors and p50/p99 latency, and the server's
   RSS at the end of the warm-up and at the end; then stops the server
   (SIGTERM) and exits 1 if any call failed or RSS grew more than 5% after
   warm-up, else 0.

The mix (shares of calls): Resolve 70%, BatchResolve of 50 names 8%, a
ResolveStream of 10 names 8%, Transliterate 7%, GetEntity 5%, GetLexiconInfo
2%. Half of the names are aliases of the lexicon, half made-up names drawn from
about 13 million two-word combinations of 3,600 made-up words (the
answer cache, 65,536 names, can serve few of them): every call does real work,
with a vocabulary that is finite as a real one is.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import grpc
import psutil

from namebridge.api.client import NamebridgeClient, RemoteError
from namebridge.errors import NamebridgeError
from namebridge.lexicon.loader import load_lexicon
from namebridge.settings import BUNDLED_LEXICON_DIR

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
PROBE_SECONDS = float(os.environ.get("SOAK_PROBE_SECONDS", "15"))
LOAD = float(os.environ.get("SOAK_LOAD", "0.8"))
#: the server's bounded caches (answers, token analyses and keys) fill in about five minutes
#: at this load; growth before that is the caches, not a leak, so the measured window
#: (SOAK_SECONDS) comes after this warm-up
WARMUP_SECONDS = float(os.environ.get("SOAK_WARMUP_SECONDS", "360"))
#: callers in the capacity probe, and threads that carry the open-loop calls
PROBE_CALLERS = 8
LOAD_THREADS = 48
#: RSS growth after warm-up that fails the soak
MAX_RSS_GROWTH = 0.05
_SYLLABLES = ["ka", "to", "mar", "zen", "ba", "li", "ov", "sha", "ran", "dor", "vi", "el", "qu", "nur", "as"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mix:
    """Draws the next call of the mix; thread-safe (one lock around the generator)."""

    def __init__(self, seed: int = 13) -> None:
        lexicon = load_lexicon(BUNDLED_LEXICON_DIR)
        self.aliases = sorted({a.text for a in lexicon.aliases if len(a.text) <= 60})
        self.entity_ids = sorted(lexicon.entities)
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def name(self) -> str:
        with self.lock:
            if self.rng.random() < 0.5:
                return self.rng.choice(self.aliases)
            return " ".join("".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3))).title()
                            for _ in range(2))

    def call(self, client: NamebridgeClient) -> tuple[str, Callable[[], Any]]:
        with self.lock:
            r = self.rng.random()
            entity_id = self.rng.choice(self.entity_ids)
        if r < 0.70:
            name = self.name()
            return "Resolve", lambda: client.resolve(name)
        if r < 0.78:
            names = [self.name() for _ in range(50)]
            return "BatchResolve", lambda: client.resolve_many(names)
        if r < 0.86:
            names = [self.name() for _ in range(10)]

            def stream() -> None:
                results = list(client.resolve_stream(names))
                bad = [x.error for x in results if x.error is not None]
                if len(results) != len(names) or bad:
                    raise RuntimeError(f"stream: {len(results)} answers for {len(names)}, errors {bad[:3]}")
            return "ResolveStream", stream
        if r < 0.93:
            text = self.name()
            return "Transliterate", lambda: client.transliterate(text)
        if r < 0.98:
            return "GetEntity", lambda: client.get_entity(entity_id)
        return "GetLexiconInfo", lambda: client.lexicon_info()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _probe(client: NamebridgeClient, mix: Mix) -> float:
    """Calls per second the server answers with closed-loop callers."""
    end = time.monotonic() + PROBE_SECONDS
    done = [0] * PROBE_CALLERS

    def caller(i: int) -> None:
        while time.monotonic() < end:
            _, call = mix.call(client)
            call()
            done[i] += 1

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(PROBE_CALLERS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def main() -> int:
    port = _free_port()
    exe = Path(sys.executable).parent / "namebridge"
    server = subprocess.Popen([str(exe), "serve", "--port", str(port), "--log-level", "WARNING"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc = psutil.Process(server.pid)
    client = NamebridgeClient(f"127.0.0.1:{port}", timeout=60)
    try:
        for _ in range(600):                                  # at most 60 s to load and bind
            try:
                if client.health(timeout=1) == "SERVING":
                    break
            except NamebridgeError:
                pass
            if server.poll() is not None:
                raise SystemExit(f"soak: the server exited: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.1)
        mix = Mix()
        capacity = _probe(client, mix)
        rate = capacity * LOAD
        print(f"soak: server pid {server.pid} on 127.0.0.1:{port}; capacity {capacity:,.0f} calls/s "
              f"({PROBE_SECONDS:.0f} s closed loop, {PROBE_CALLERS} callers); driving {rate:,.0f} calls/s "
              f"({LOAD:.0%}): warm-up {WARMUP_SECONDS:.0f} s, then {SOAK_SECONDS:.0f} s measured", flush=True)

        lock = threading.Lock()
        latencies: dict[int, list[float]] = defaultdict(list)
        errors: Counter[str] = Counter()
        by_method: Counter[str] = Counter()
        rss: list[tuple[float, int]] = []
        started = time.monotonic()

        def run(method: str, call: Callable[[], Any]) -> None:
            t0 = time.monotonic()
            try:
                call()
                failed = None
            except (RemoteError, NamebridgeError, grpc.RpcError, RuntimeError) as exc:
                failed = f"{method}: {type(exc).__name__}: {str(exc)[:120]}"
            elapsed = time.monotonic() - t0
            with lock:
                latencies[int((t0 - started) // 60)].append(elapsed)
                by_method[method] += 1
                if failed:
                    errors[failed] += 1

        pool = ThreadPoolExecutor(LOAD_THREADS)
        next_rss = started
        issued = 0
        late = 0
        while True:
            now = time.monotonic()
            if now - started >= WARMUP_SECONDS + SOAK_SECONDS:
                break
            if now >= next_rss:
                rss.append((now - started, proc.memory_info().rss))
                next_rss += 5.0
            due = started + issued / rate
            if due > now:
                time.sleep(min(due - now, 0.05))
                continue
            if now - due > 1.0:
                late += 1
            method, call = mix.call(client)
            pool.submit(run, method, call)
            issued += 1
        pool.shutdown(wait=True)
        rss.append((time.monotonic() - started, proc.memory_info().rss))

        total = sum(len(v) for v in latencies.values())
        duration = WARMUP_SECONDS + SOAK_SECONDS
        print(f"soak: {total:,} calls in {duration:.0f} s ({total / duration:,.0f}/s); "
              + ", ".join(f"{m} {n:,}" for m, n in by_method.most_common()))
        print("minute  calls   p50 ms   p99 ms   RSS MiB (end of minute)")
        for minute in sorted(latencies):
            values = latencies[minute]
            at_end = [r for t, r in rss if t <= (minute + 1) * 60] or [rss[0][1]]
            print(f"{minute + 1:>6} {len(values):>6} {_percentile(values, 0.5) * 1000:>8.1f} "
                  f"{_percentile(values, 0.99) * 1000:>8.1f} {at_end[-1] / 2**20:>9.1f}")
        after_warmup = [r for t, r in rss if t >= WARMUP_SECONDS] or [rss[-1][1]]
        base, end = after_warmup[0], rss[-1][1]
        growth = (end - base) / base
        print(f"RSS: start {rss[0][1] / 2**20:,.1f} MiB, after warm-up {base / 2**20:,.1f} MiB, "
              f"end {end / 2**20:,.1f} MiB, peak {max(r for _, r in rss) / 2**20:,.1f} MiB; "
              f"growth after warm-up {growth:+.2%}")
        print(f"errors: {sum(errors.values())}" + "".join(f"\n  {n} x {e}" for e, n in errors.most_common(10)))
        if late:
            print(f"note: {late:,} calls started more than 1 s behind schedule (the load side fell behind)")
        return 1 if errors or growth > MAX_RSS_GROWTH else 0
    finally:
        client.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
