"""Bench section "snapshot": loading a compiled snapshot (``.nbx``) against loading the text lexicon.

For each size (100k and 1M aliases when the harness's sizes include them,
else the largest two): a synthetic lexicon is written, compiled with
``namebridge lexicon compile``, and then loaded in fresh processes, from the
directory and from the file, twice each (the best time counts: the first may
find the files out of the page cache). Printed: seconds to a ready engine, the
ratio text/snapshot, peak RSS of each process, and the file's size. The
issue's targets: the 1M snapshot loads in <= 5 s, >= 5x faster than text, with
an RSS no larger.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import BenchOptions

PREFERRED = (100_000, 1_000_000)
LOAD_TARGET_S = 5.0
SPEEDUP_TARGET = 5.0
RUNS = 2

_LOAD = """
import json, resource, sys, time
start = time.perf_counter()
from namebridge.matching.engine import Engine
engine = Engine.load(sys.argv[1])
seconds = time.perf_counter() - start
engine.resolve("Ivan Petrov")
print(json.dumps({"seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "aliases": engine.info().alias_count}))
"""


def _load(path: Path) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if not best or figures["seconds"] < best["seconds"]:
            best = figures
    return best


def run(options: BenchOptions) -> None:
    from benchmarks.synthetic import write_synthetic_lexicon

    sizes = [s for s in PREFERRED if s in options.sizes] or sorted(options.sizes)[-2:]
    namebridge = str(Path(sys.executable).parent / "namebridge")
    print(f"snapshot: load from text vs from the compiled file, fresh process, best of {RUNS}")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="namebridge-snapshot-bench-") as tmp:
            lexicon = write_synthetic_lexicon(Path(tmp) / "lexicon", aliases=size, seed=options.seed)
            nbx = Path(tmp) / "lexicon.nbx"
            started = time.perf_counter()
            subprocess.run([namebridge, "lexicon", "compile", str(lexicon.directory), "-o", str(nbx)],
                           capture_output=True, text=True, check=True)
            compile_s = time.perf_counter() - started
            text, snap = _load(lexicon.directory), _load(nbx)
            ratio = text["seconds"] / snap["seconds"]
            checks = {f"<= {LOAD_TARGET_S:.0f} s": snap["seconds"] <= LOAD_TARGET_S,
                      f">= {SPEEDUP_TARGET:.0f}x": ratio >= SPEEDUP_TARGET, "RSS <= text": snap["rss"] <= text["rss"]}
            verdict = "; ".join(f"{name} {'ok' if met else 'MISSED'}" for name, met in checks.items())
            print(f"  {size:>9,} aliases: text {text['seconds']:6.2f} s RSS {text['rss'] / 2**20:6,.0f} MiB | "
                  f"snapshot {snap['seconds']:6.2f} s RSS {snap['rss'] / 2**20:6,.0f} MiB | {ratio:4.1f}x faster | "
                  f"file {nbx.stat().st_size / 2**20:,.0f} MiB, compiled in {compile_s:.0f} s  {verdict}", flush=True)


if __name__ == "__main__":
    run(BenchOptions())
