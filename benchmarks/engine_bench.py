"""Engine section of ``make bench``: resolve cost as the lexicon grows, against a plain scan.

For each size the parent writes a synthetic lexicon and its labelled queries
into a temporary directory, then runs one child process per size
(``python -m benchmarks.engine_bench --child DIR``), so load time and
peak RSS belong to that size alone. The child loads the engine, times
``Engine.resolve`` on every query, then times the baseline on the same queries:
``rapidfuzz.process.extractOne(q, all_alias_texts,
scorer=JaroWinkler.normalized_similarity)``, a full scan over every alias.
At large sizes the scan runs on an evenly spread subsample (its size is
printed) and the speed-up is computed on that same subsample.

Figures are printed next to their baseline: the scan (speed-up), the 1k
lexicon (growth of per-query time), the issue's budgets (load 30 s, 4 GiB).
Nothing here passes or fails; the closing lines say which targets are met.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import BenchOptions
from benchmarks.synthetic import (QUERY_KINDS, make_queries, read_alias_texts, read_queries,
                                        write_queries, write_synthetic_lexicon)

#: queries resolved before timing starts (not timed, not counted)
WARMUP_QUERIES = 30

#: the scan baseline gets about this many alias comparisons in all; at 1M
#: aliases that is 60 queries (a full scan takes a good part of a second)
SCAN_BUDGET = 60_000_000
MIN_SCAN_QUERIES = 30

#: wrong answers kept per query kind, shown for the largest size
MISSES_SHOWN = 3

#: a scan answer below this Jaro-Winkler similarity counts as "not in the lexicon"
SCAN_NIL_CUTOFF = 0.90

#: the issue's targets
TARGET_SPEEDUP = {100_000: 20.0, 1_000_000: 100.0}
TARGET_GROWTH = 3.0           # per-query time at 1M / at 1k
TARGET_LOAD_SECONDS = 30.0    # 1M aliases
TARGET_PEAK_BYTES = 4 * 1024 ** 3

CHILD_TIMEOUT_SECONDS = 3600
PROFILE_TOP = 15


# --------------------------------------------------------------------------- child

def _peak_rss_bytes() -> int:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def scan_subsample_size(aliases: int, queries: int) -> int:
    return max(MIN_SCAN_QUERIES, min(queries, SCAN_BUDGET // max(aliases, 1)))


def measure_size(directory: Path, queries_path: Path, scan_queries: int) -> dict[str, object]:
    """Load, resolve, scan; all figures of one size as plain JSON-able values."""
    import psutil
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    from namebridge.matching.engine import Engine, QueryStats

    process_info = psutil.Process()
    queries = read_queries(queries_path)
    warmup, timed = queries[:WARMUP_QUERIES], queries[WARMUP_QUERIES:]
    gc.collect()
    rss_before = process_info.memory_info().rss

    start, start_cpu = time.perf_counter(), time.process_time()
    engine = Engine.load(directory)
    load_seconds = time.perf_counter() - start
    load_cpu_seconds = time.process_time() - start_cpu
    rss_after_load = process_info.memory_info().rss
    peak_after_load = _peak_rss_bytes()
    info = engine.info()

    for query in warmup:
        engine.resolve(query.text)
    resolve_ms: list[float] = []
    resolve_wall_ms: list[float] = []
    correct: list[bool] = []
    misses: dict[str, list[list[object]]] = {}
    for query in timed:
        start_wall, start_ns = time.perf_counter_ns(), time.thread_time_ns()
        resolution = engine.resolve(query.text)
        resolve_ms.append((time.thread_time_ns() - start_ns) / 1e6)
        resolve_wall_ms.append((time.perf_counter_ns() - start_wall) / 1e6)
        correct.append(resolution.entity_id == query.expected_id)
        if not correct[-1] and len(misses.setdefault(query.kind, [])) < MISSES_SHOWN:
            top = resolution.candidates[0] if resolution.candidates else None
            misses[query.kind].append([query.text, query.expected_id, resolution.decision.value,
                                       top.entity_id if top else None, round(top.score, 3) if top else None,
                                       top.matched_alias if top else None])
    scored: list[int] = []
    for query in timed:                 # untimed: how many aliases the index let through
        stats = QueryStats()
        engine.resolve(query.text, stats=stats)
        scored.append(stats.aliases_scored)

    # the baseline: a full Jaro-Winkler scan over every alias text
    texts, ids = read_alias_texts(directory)
    step = max(1, len(timed) // scan_queries)
    sample = list(range(0, len(timed), step))[:scan_queries]
    scan_ms: list[float] = []
    scan_correct: list[bool] = []
    for position in sample:
        query = timed[position]
        start_ns = time.thread_time_ns()
        _, score, index = process.extractOne(query.text, texts, scorer=JaroWinkler.normalized_similarity)
        scan_ms.append((time.thread_time_ns() - start_ns) / 1e6)
        answer = ids[index] if score >= SCAN_NIL_CUTOFF else None
        scan_correct.append(answer == query.expected_id)

    kinds = [q.kind for q in timed]
    by_kind = {kind: [c for c, k in zip(correct, kinds) if k == kind] for kind in QUERY_KINDS}
    return {
        "aliases": info.alias_count,
        "entities": info.entity_count,
        "load_seconds": load_seconds,
        "load_cpu_seconds": load_cpu_seconds,
        "rss_before_bytes": rss_before,
        "rss_after_load_bytes": rss_after_load,
        "peak_rss_bytes": peak_after_load,
        "queries": len(timed),
        "resolve_median_ms": statistics.median(resolve_ms),
        "resolve_p99_ms": _percentile(resolve_ms, 0.99),
        "resolve_mean_ms": statistics.fmean(resolve_ms),
        "resolve_wall_median_ms": statistics.median(resolve_wall_ms),
        "resolve_wall_p99_ms": _percentile(resolve_wall_ms, 0.99),
        "misses": misses,
        "aliases_scored_mean": statistics.fmean(scored),
        "aliases_scored_max": max(scored),
        "accuracy": sum(correct) / len(correct),
        "accuracy_by_kind": {k: (sum(v) / len(v) if v else None) for k, v in by_kind.items()},
        "scan_queries": len(sample),
        "scan_median_ms": statistics.median(scan_ms),
        "scan_p99_ms": _percentile(scan_ms, 0.99),
        "engine_median_on_scan_sample_ms": statistics.median(resolve_ms[p] for p in sample),
        "scan_accuracy": sum(scan_correct) / len(scan_correct),
        "engine_accuracy_on_scan_sample": sum(correct[p] for p in sample) / len(sample),
    }


def _top_functions(profiler: object, title: str) -> str:
    import io
    import pstats

    out = io.StringIO()
    out.write(f"{title}\n")
    stats = pstats.Stats(profiler, stream=out)  # type: ignore[arg-type]
    stats.strip_dirs().sort_stats("cumulative").print_stats(PROFILE_TOP)
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    return out.getvalue()


def profile_engine(directory: Path, queries_path: Path | None) -> str:
    """``Engine.load``, then resolving the queries (after the warm-up), under cProfile."""
    import cProfile

    from namebridge.matching.engine import Engine

    profiler = cProfile.Profile()
    profiler.enable()
    engine = Engine.load(directory)
    profiler.disable()
    report = _top_functions(profiler, f"Engine.load (top {PROFILE_TOP}):")
    if queries_path is not None:
        queries = read_queries(queries_path)
        for query in queries[:WARMUP_QUERIES]:
            engine.resolve(query.text)
        profiler = cProfile.Profile()
        profiler.enable()
        for query in queries[WARMUP_QUERIES:]:
            engine.resolve(query.text)
        profiler.disable()
        report += "\n" + _top_functions(profiler, f"Engine.resolve over {len(queries) - WARMUP_QUERIES} "
                                                   f"queries (top {PROFILE_TOP}):")
    return report


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.engine_bench --child")
    parser.add_argument("--child", type=Path, required=True, help="lexicon directory")
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--scan-queries", type=int, default=MIN_SCAN_QUERIES)
    parser.add_argument("--profile", action="store_true", help="only profile Engine.load and resolve")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile_engine(args.child, args.queries))
        return 0
    print(json.dumps(measure_size(args.child, args.queries, args.scan_queries)))
    return 0


# --------------------------------------------------------------------------- parent

#: the child runs ``-m benchmarks.engine_bench`` from here (benchmarks/ is not installed)
REPOSITORY = Path(__file__).resolve().parents[1]

def _run_child(args: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "benchmarks.engine_bench", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_SECONDS,
                          cwd=REPOSITORY, env=dict(os.environ, PYTHONHASHSEED="0"))


def _child_result(completed: subprocess.CompletedProcess[str]) -> dict[str, object]:
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"child exited {completed.returncode}:\n{tail}")
    return json.loads(lines[-1])


def size_label(aliases: int) -> str:
    if aliases >= 1_000_000 and aliases % 1_000_000 == 0:
        return f"{aliases // 1_000_000}M"
    if aliases >= 1000 and aliases % 1000 == 0:
        return f"{aliases // 1000}k"
    return str(aliases)


def _mib(value: float) -> str:
    return f"{value / 1024 ** 2:,.0f} MiB"


def measure_sizes(options: BenchOptions, *, log=print) -> tuple[dict[int, dict[str, object]], dict[int, str]]:
    """Per size: the child's figures plus generation time; and profiles where asked or needed."""
    results: dict[int, dict[str, object]] = {}
    profiles: dict[int, str] = {}
    largest = max(options.sizes)
    for aliases in options.sizes:
        with tempfile.TemporaryDirectory(prefix=f"namebridge-bench-{size_label(aliases)}-") as tmp:
            directory = Path(tmp) / "lexicon"
            start = time.perf_counter()
            lexicon = write_synthetic_lexicon(directory, aliases=aliases, seed=options.seed)
            queries = make_queries(lexicon, n=options.queries + WARMUP_QUERIES, seed=options.seed + 1)
            generate_seconds = time.perf_counter() - start
            queries_path = Path(tmp) / "queries.tsv"
            write_queries(queries_path, queries)
            del lexicon, queries
            gc.collect()
            log(f"  {size_label(aliases)} aliases: generated in {generate_seconds:.1f} s, measuring...",
                flush=True)
            scan_queries = scan_subsample_size(aliases, options.queries)
            try:
                result = _child_result(_run_child(["--child", str(directory), "--queries", str(queries_path),
                                                   "--scan-queries", str(scan_queries)]))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                log(f"  {size_label(aliases)}: measurement failed: {exc}")
                continue
            result["generate_seconds"] = generate_seconds
            results[aliases] = result
            if aliases == largest and (options.profile_load or _misses_cost_targets(results)):
                completed = _run_child(["--child", str(directory), "--queries", str(queries_path), "--profile"])
                profiles[aliases] = completed.stdout if completed.returncode == 0 else completed.stderr
    return results, profiles


def _misses_cost_targets(results: dict[int, dict[str, object]]) -> bool:
    """True when the 1M figures miss the load or the growth target (then the harness profiles)."""
    large, small = results.get(1_000_000), results.get(1_000)
    if large is None:
        return False
    slow_load = float(large["load_seconds"]) > TARGET_LOAD_SECONDS
    growth = small is not None and large["resolve_median_ms"] / small["resolve_median_ms"] > TARGET_GROWTH
    return slow_load or growth


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}x" if base else "-"


def format_report(results: dict[int, dict[str, object]], profiles: dict[int, str]) -> list[str]:
    """The tables and the target verdicts, as lines."""
    if not results:
        return ["engine: no size measured"]
    sizes = sorted(results)
    base = results[sizes[0]]
    base_label = size_label(sizes[0])
    lines = [
        "",
        "Load and per-query cost. Engine.resolve after a warm-up; per-query times are CPU time of the "
        "resolving thread",
        "(thread_time: other processes on a shared machine do not inflate them; 'wall' is the median "
        f"elapsed time); growth is the ratio to the {base_label} lexicon; load (elapsed, and CPU) and",
        "peak RSS also as a share of the 1M budgets, 30 s and 4 GiB.",
        f"{'aliases':>9} {'entities':>9} {'load':>8} {'cpu':>7} {'of 30s':>7} {'peak RSS':>10} {'of 4GiB':>8} "
        f"{'RSS+load':>10} {'median':>9} {'p99':>9} {'wall':>9} {'growth':>7} {'p99 gr.':>7} {'scored':>7} {'max':>6}",
    ]
    for size in sizes:
        r = results[size]
        lines.append(
            f"{size_label(size):>9} {r['entities']:>9,} {r['load_seconds']:>7.2f}s {r['load_cpu_seconds']:>6.2f}s "
            f"{r['load_seconds'] / TARGET_LOAD_SECONDS:>7.2f} {_mib(r['peak_rss_bytes']):>10} "
            f"{r['peak_rss_bytes'] / TARGET_PEAK_BYTES:>8.2f} "
            f"{_mib(r['rss_after_load_bytes'] - r['rss_before_bytes']):>10} "
            f"{r['resolve_median_ms']:>7.3f}ms {r['resolve_p99_ms']:>7.3f}ms {r['resolve_wall_median_ms']:>7.3f}ms "
            f"{_ratio(r['resolve_median_ms'], base['resolve_median_ms']):>7} "
            f"{_ratio(r['resolve_p99_ms'], base['resolve_p99_ms']):>7} "
            f"{r['aliases_scored_mean']:>7.0f} {r['aliases_scored_max']:>6}")
    lines += [
        "  (RSS+load: resident memory added by Engine.load; scored: aliases scored per query, mean and max)",
        "",
        "Against a plain scan: rapidfuzz.process.extractOne(q, every alias, scorer=JaroWinkler."
        "normalized_similarity), same queries, same process, CPU time",
        f"  (scan answers below {SCAN_NIL_CUTOFF} similarity count as 'not in the lexicon'; where the scan "
        "ran on a subsample, the engine figures beside it are on the same subsample)",
        f"{'aliases':>9} {'scan q':>7} {'scan med':>10} {'scan p99':>10} {'engine med':>11} {'speed-up':>9} "
        f"{'target':>7} {'acc engine':>10} {'acc scan':>9} {'acc engine (all)':>17}",
    ]
    for size in sizes:
        r = results[size]
        speedup = r["scan_median_ms"] / r["engine_median_on_scan_sample_ms"]
        target = TARGET_SPEEDUP.get(size)
        lines.append(
            f"{size_label(size):>9} {r['scan_queries']:>7} {r['scan_median_ms']:>8.2f}ms {r['scan_p99_ms']:>8.2f}ms "
            f"{r['engine_median_on_scan_sample_ms']:>9.3f}ms {speedup:>8.1f}x "
            f"{(f'{target:.0f}x' if target else '-'):>7} {r['engine_accuracy_on_scan_sample']:>10.3f} "
            f"{r['scan_accuracy']:>9.3f} {r['accuracy']:>17.3f}")
    lines += ["", "Engine top-1 accuracy by query kind (a NIL query is right when the engine says no entity)",
              f"{'aliases':>9} " + " ".join(f"{k:>12}" for k in QUERY_KINDS)]
    for size in sizes:
        by_kind = results[size]["accuracy_by_kind"]
        lines.append(f"{size_label(size):>9} " + " ".join(
            f"{by_kind[k]:>12.3f}" if by_kind.get(k) is not None else f"{'-':>12}" for k in QUERY_KINDS))
    largest = sizes[-1]
    misses = results[largest].get("misses") or {}
    if misses:
        lines += ["", f"Some wrong answers at {size_label(largest)} (query | expected | decision, top candidate, "
                      "score, its alias)"]
        for kind in QUERY_KINDS:
            for text, expected, decision, top, score, alias in misses.get(kind, []):
                lines.append(f"  {kind:<12} {text} | {expected or 'NIL'} | {decision} {top or '-'} "
                             f"{score if score is not None else ''} {alias or ''}")
    lines += ["", "Targets (issue 3, part 11)"]
    lines += target_verdicts(results)
    for size, text in profiles.items():
        lines += ["", f"Where the time goes at {size_label(size)} aliases (cProfile; run because a cost target "
                      "was missed, or --profile-load):", text.rstrip()]
    return lines


def target_verdicts(results: dict[int, dict[str, object]]) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = []
    for size, target in TARGET_SPEEDUP.items():
        r = results.get(size)
        if r is None:
            lines.append(f"  {size_label(size)}: >= {target:.0f}x faster than the scan: not measured")
            continue
        speedup = r["scan_median_ms"] / r["engine_median_on_scan_sample_ms"]
        lines.append(f"  {size_label(size)}: >= {target:.0f}x faster than the scan: {speedup:.1f}x  {verdict(speedup >= target)}")
    small, large = results.get(1_000), results.get(1_000_000)
    if small and large:
        growth = large["resolve_median_ms"] / small["resolve_median_ms"]
        growth_p99 = large["resolve_p99_ms"] / small["resolve_p99_ms"]
        lines.append(f"  per-query time 1M / 1k <= {TARGET_GROWTH:.0f}x: median {growth:.2f}x  "
                     f"{verdict(growth <= TARGET_GROWTH)} (p99 {growth_p99:.2f}x)")
    else:
        lines.append(f"  per-query time 1M / 1k <= {TARGET_GROWTH:.0f}x: not measured (needs sizes 1k and 1M)")
    if large:
        load, peak = large["load_seconds"], large["peak_rss_bytes"]
        lines.append(f"  1M aliases load < {TARGET_LOAD_SECONDS:.0f} s: {load:.1f} s  {verdict(load < TARGET_LOAD_SECONDS)}")
        lines.append(f"  1M aliases peak RSS < 4 GiB: {peak / 1024 ** 3:.2f} GiB  {verdict(peak < TARGET_PEAK_BYTES)}")
    else:
        lines.append("  1M aliases load < 30 s and < 4 GiB: not measured")
    return lines


def translit_report() -> list[str]:
    """The cost of transliterate.translit against the compiled tables, if translit.py measures it."""
    try:
        from namebridge.text import translit
    except ImportError as exc:
        return [f"translit cost: namebridge.text.translit not importable ({exc})"]
    measure = getattr(translit, "measure_translit_cost", None)
    if measure is None:
        return ["translit cost: namebridge.text.translit.measure_translit_cost not available"]
    cost = measure()
    ratio = getattr(cost, "ratio", None)
    lines = ["", "Transliteration in the hot path: compiled tables vs a per-call transliterate.translit",
             f"  {cost}"]
    if ratio is not None:
        lines.append(f"  transliterate.translit costs {ratio:.1f}x the compiled tables")
    return lines


def run(options: BenchOptions) -> None:
    print("engine: synthetic lexicons of " + ", ".join(size_label(s) for s in options.sizes)
          + f" aliases, {options.queries} queries each ({len(QUERY_KINDS)} kinds: {', '.join(QUERY_KINDS)}), "
          f"seed {options.seed}, one child process per size", flush=True)
    results, profiles = measure_sizes(options)
    for line in format_report(results, profiles):
        print(line)
    for line in translit_report():
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
