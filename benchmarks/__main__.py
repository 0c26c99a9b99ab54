"""``python -m benchmarks`` (``make bench``): run the benchmark sections in order.

    python -m benchmarks                        # engine, grpc, batch; sizes 1k 10k 100k 1M
    python -m benchmarks --only engine --sizes 1k,10k,100k
    python -m benchmarks --profile-load          # also profile Engine.load and resolve at the largest size

Each section is the module ``benchmarks.<name>_bench`` with
``run(options)``; a missing module is reported as "not available" and the
others still run. Everything printed is also written to ``.bench/last.txt``
(git-ignored) at the top of the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from benchmarks import DEFAULT_SIZES, SECTIONS, BenchOptions

#: where the last run's output is kept
LAST_RUN = Path(__file__).resolve().parents[1] / ".bench" / "last.txt"

_MULTIPLIERS = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    cleaned = text.strip().lower().replace("_", "")
    factor = _MULTIPLIERS.get(cleaned[-1:], 1)
    digits = cleaned[:-1] if factor != 1 else cleaned
    try:
        value = int(float(digits) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 1k, 10k, 1M)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return value


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(parse_size(part) for part in text.split(",") if part.strip())


def _sections(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown section(s) {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(SECTIONS)}")
    return names


class _Tee:
    """Writes to several streams (the terminal and the run file)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def run_sections(options: BenchOptions, sections: tuple[str, ...]) -> int:
    """Run each section; return the number of sections that raised."""
    failed = 0
    for name in sections:
        print(f"\n=== section {name} ===", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}_bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}_bench":
                raise
            print(f"section {name}: not available")
            continue
        start = time.perf_counter()
        try:
            module.run(options)
        except Exception:       # one broken section must not hide the others' figures
            failed += 1
            print(f"section {name}: FAILED\n{traceback.format_exc()}")
        print(f"--- section {name}: {time.perf_counter() - start:.0f} s", flush=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=_sections, default=SECTIONS,
                        help=f"comma-separated sections to run (default: {','.join(SECTIONS)})")
    parser.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES,
                        help="comma-separated lexicon sizes in aliases (default: 1k,10k,100k,1M)")
    parser.add_argument("--queries", type=int, default=BenchOptions().queries,
                        help="timed queries per size (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile-load", action="store_true",
                        help="profile Engine.load and resolve at the largest size (done anyway when 1M misses the load or growth target)")
    args = parser.parse_args(argv)
    if args.queries < 1:
        parser.error("--queries must be positive")
    options = BenchOptions(sizes=args.sizes, seed=args.seed, queries=args.queries,
                           profile_load=args.profile_load)

    LAST_RUN.parent.mkdir(parents=True, exist_ok=True)
    with LAST_RUN.open("w", encoding="utf-8") as record, \
            contextlib.redirect_stdout(_Tee(sys.stdout, record)):
        print(f"namebridge bench {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}  python {sys.version.split()[0]}  "
              f"sections {','.join(args.only)}")
        failed = run_sections(options, args.only)
        print(f"\n(this output is also in {LAST_RUN})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
