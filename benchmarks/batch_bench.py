"""``make bench`` section "batch": ``namebridge batch`` on 1M rows against a polars join.

What is measured, all in one run on the same generated data:

* a synthetic lexicon (``synthetic.write_synthetic_lexicon``, 100k aliases in
  Latin, Cyrillic, Arabic and Persian spellings);
* 1M rows drawing on 100k distinct names: alias texts as written, names with
  their parts reordered or re-cased, and names built from parts the lexicon
  never saw (so MATCH, AMBIGUOUS and NO_MATCH all occur), shuffled;
* ``namebridge batch --jobs 2`` as a subprocess: wall time, rows/s, and peak
  memory of the process and its workers (RSS summed, which counts pages the
  forked workers share with the parent more than once, and PSS, which does not);
* the floor any batch resolver is held to: polars reading the same CSV and the
  lexicon files, an exact join on a normalised key (case folded, punctuation to
  spaces), writing the result;
* the engine alone on a sample (CPU per name), which bounds what any batch
  layer can reach with 100k distinct names, and the same 1M rows with 1k
  distinct names, which measures the batch layer itself against the join;
* the same batch on a file 10x larger with the same chunk size: peak memory
  must stay where it was (bounded by the chunk, not the file).

Every run loads the lexicon compiled to a snapshot (``namebridge lexicon
compile``), as a production run would: the engine floor and the Ray actors
then pay seconds, not a text load each. Also in the same run:

* batch rows/s against the engine's own ceiling on the same distinct names
  (load + distinct names x CPU per name / jobs; target >= 0.8x), with the
  share of rows the exact-name table answered;
* ``--engine ray`` on 2 local CPUs against ``--jobs 2``, on the CSV (the
  driver reads, Ray actors resolve) and on the same rows as Parquet (Ray Data
  reads and resolves): rows/s ratio (target >= 0.8x) and identical output.

``NAMEBRIDGE_BENCH_BATCH_ROWS`` (default 1000000) scales the row count (the
distinct names are a tenth of it, at most 100k), for a quicker run;
``NAMEBRIDGE_BENCH_BATCH_QUICK=1`` stops after the figures above (no
1k-distinct, chunk-size or 10x-file runs).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import psutil

from benchmarks import BenchOptions

ROWS = 1_000_000
DISTINCT = 100_000
LEXICON_ALIASES = 100_000
JOBS = 2
#: the issue's target: batch rows/s at least this share of the join's
TARGET_RATIO = 0.2
#: the issue's target: batch rows/s at least this share of the engine's own ceiling on the same names
CEILING_TARGET = 0.8
CHUNK_SIZE = 50_000
SCALE = 10
#: names timed in-process to price one resolution (after as many warm-up names)
ENGINE_SAMPLE = 4_000
#: chunk sizes compared for peak memory
CHUNK_SIZES: tuple[int, ...] = (10_000, 100_000, 500_000)
#: distinct names of the "batch layer alone" run
FEW_DISTINCT = 1_000

_PUNCTUATION = r"[\s\-,'’.]+"


def _namebridge() -> str:
    return str(Path(sys.executable).parent / "namebridge")


def distinct_names(lexicon: object, n: int, seed: int) -> list[str]:
    """``n`` distinct names in mixed scripts: 60% alias texts, 20% reordered or
    upper-cased renderings of lexicon entities, 20% made of held-out name parts."""
    rng = random.Random(seed)
    entities = lexicon.entities  # type: ignore[attr-defined]
    tables = lexicon.tables  # type: ignore[attr-defined]
    scripts = ("latin", "cyrillic", "arabic", "persian")
    texts = sorted({text for e in entities for text, _lang, _kind in e.aliases})
    rng.shuffle(texts)
    names: dict[str, None] = dict.fromkeys(texts[: int(n * 0.6)])
    while len(names) < int(n * 0.8):
        e = entities[rng.randrange(len(entities))]
        script = rng.choice(scripts)
        parts = list(e.parts)
        if len(parts) > 1 and rng.random() < 0.5:
            parts = parts[-1:] + parts[:-1]          # surname first
            text = " ".join(p.form(script) for p in parts)
        else:
            text = e.rendered(script).upper() if script in ("latin", "cyrillic") else e.rendered(script) + " "
        names.setdefault(text)
    given = tables.heldout_given + tables.given
    surnames = tables.heldout_surnames
    while len(names) < n:
        script = rng.choice(scripts)
        text = f"{rng.choice(given).form(script)} {rng.choice(surnames).form(script)}"
        if rng.random() < 0.5:
            text += f" {rng.choice(surnames).form(script)}"
        names.setdefault(text)
    return list(names)


def rows_frame(names: list[str], rows: int, seed: int, *, offset: int = 0) -> pl.DataFrame:
    """``rows`` rows using every name at least once, the rest drawn at random, shuffled."""
    rng = random.Random(seed)
    picks = list(range(len(names))) + [rng.randrange(len(names)) for _ in range(rows - len(names))]
    rng.shuffle(picks)
    return pl.DataFrame({"row_id": range(offset, offset + rows), "name": [names[i] for i in picks]})


def _norm_key(column: str) -> pl.Expr:
    return (pl.col(column).str.to_lowercase().str.replace_all(_PUNCTUATION, " ")
            .str.strip_chars().alias("key"))


def polars_join(csv_path: Path, lexicon_dir: Path, out_path: Path) -> float:
    """Read, normalise, join on the exact key, write: the baseline's wall time in seconds."""
    start = time.perf_counter()
    read = {"separator": "\t", "comment_prefix": "#", "quote_char": None}
    entities = pl.concat([pl.read_csv(p, **read).select(pl.col("id").alias("entity_id"),
                                                         pl.col("canonical_name").alias("text"))
                          for p in sorted((lexicon_dir / "entities").glob("*.tsv"))])
    aliases = pl.concat([pl.read_csv(p, **read).select("entity_id", "text")
                         for p in sorted((lexicon_dir / "aliases").glob("*.tsv"))])
    table = (pl.concat([entities, aliases]).with_columns(_norm_key("text"))
             .unique("key", keep="first", maintain_order=True).select("key", "entity_id"))
    rows = pl.read_csv(csv_path, infer_schema=False)
    out = (rows.with_columns(_norm_key("name"))
           .join(table, on="key", how="left", maintain_order="left").drop("key"))
    out.write_csv(out_path)
    return time.perf_counter() - start


def engine_cost(lexicon_dir: Path, names: list[str], seed: int) -> tuple[float, float, int]:
    """(ms of CPU per name, seconds to load, names timed) for the engine in this process.

    The timed names come after as many others have been resolved, so that the
    engine's token caches are as warm as they are in the middle of a batch run
    (most tokens of a new name have been met before); a cold sample would
    overstate the cost of a name.
    """
    from namebridge.matching.engine import Engine

    start = time.perf_counter()
    engine = Engine.load(lexicon_dir)
    load_s = time.perf_counter() - start
    picked = random.Random(seed).sample(names, min(2 * ENGINE_SAMPLE, len(names)))
    warm_up, sample = picked[:len(picked) // 2], picked[len(picked) // 2:]
    for name in warm_up:
        engine.resolve(name, max_candidates=1)
    cpu = time.process_time()
    for name in sample:
        engine.resolve(name, max_candidates=1)        # as batch asks without --top-k
    return (time.process_time() - cpu) * 1000 / len(sample), load_s, len(sample)


def run_measured(cmd: list[str], stderr_path: Path) -> tuple[float, int, int, float]:
    """Run ``cmd``: (seconds, peak RSS summed over the tree, peak PSS summed, CPU seconds of the tree).

    The CPU seconds say how much of the machine the run got: on a shared
    machine a wall time far above CPU / jobs means other work took the cores.
    """
    peak_rss = peak_pss = 0
    cpu: dict[int, float] = {}
    with open(stderr_path, "wb") as err:
        start = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None:
            rss = pss = 0
            try:
                tree = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                tree = []
            for p in tree:
                try:
                    info = p.memory_full_info()
                    times = p.cpu_times()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                cpu[p.pid] = max(cpu.get(p.pid, 0.0), times.user + times.system)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: "
                           f"{stderr_path.read_text(errors='replace')[-2000:]}")
    return elapsed, peak_rss, peak_pss, sum(cpu.values())


def _summary(stderr_path: Path) -> str:
    lines = [x for x in stderr_path.read_text(errors="replace").splitlines() if x.startswith("namebridge batch:")]
    return lines[-1].split("; ", 1)[-1] if lines else "?"


def _exact_share(stderr_path: Path) -> str:
    found = re.search(r"exact-name table: ([\d,]+) distinct names, ([\d.]+% of rows)", stderr_path.read_text(errors="replace"))
    return f"{found.group(2)} ({found.group(1)} distinct names)" if found else "?"


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def run(options: BenchOptions) -> None:
    from benchmarks.synthetic import write_synthetic_lexicon

    rows = int(os.environ.get("NAMEBRIDGE_BENCH_BATCH_ROWS", ROWS))
    n_distinct = min(DISTINCT, max(1, rows // 10))
    print(f"== batch: {rows:,} rows, {n_distinct:,} distinct names, lexicon {LEXICON_ALIASES:,} aliases, "
          f"--jobs {JOBS} --chunk-size {CHUNK_SIZE:,}")
    with tempfile.TemporaryDirectory(prefix="namebridge-batch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        lexicon = write_synthetic_lexicon(tmp / "lexicon", aliases=LEXICON_ALIASES, seed=options.seed)
        names = distinct_names(lexicon, n_distinct, options.seed)
        scripts = pl.Series(names).str.contains(r"\p{Cyrillic}").sum(), pl.Series(names).str.contains(r"\p{Arabic}").sum()
        print(f"   names: {len(names):,} distinct ({scripts[0]:,} Cyrillic, {scripts[1]:,} Arabic script, "
              f"the rest Latin); {lexicon.entity_count:,} entities")
        src = tmp / "rows.csv"
        rows_frame(names, rows, options.seed).write_csv(src)
        size = src.stat().st_size

        join_s = polars_join(src, tmp / "lexicon", tmp / "join.csv")
        nbx = tmp / "lexicon.nbx"
        subprocess.run([_namebridge(), "lexicon", "compile", str(tmp / "lexicon"), "-o", str(nbx)],
                       capture_output=True, text=True, check=True)
        cmd = [_namebridge(), "batch", str(src), "-o", str(tmp / "out.csv"), "--jobs", str(JOBS),
               "--chunk-size", str(CHUNK_SIZE), "--lexicon", str(nbx)]
        batch_s, rss, pss, batch_cpu = run_measured(cmd, tmp / "batch.err")
        batch_rate, join_rate = rows / batch_s, rows / join_s
        print(f"   polars exact join (read, normalise, join, write): {join_s:8.2f} s {join_rate:12,.0f} rows/s")
        print(f"   namebridge batch --jobs {JOBS} (incl. lexicon load):  {batch_s:8.2f} s {batch_rate:12,.0f} rows/s"
              f"   peak RSS {_mib(rss)} (summed over workers), PSS {_mib(pss)}")
        print(f"   CPU used by batch and its workers: {batch_cpu:.1f} s, {batch_cpu / batch_s / JOBS:.0%} of "
              f"{JOBS} cores over the wall time (the lexicon load uses one; the rest of a shortfall is other work on the machine)")
        print(f"   ratio batch/join rows/s: {batch_rate / join_rate:.3f}x (target >= {TARGET_RATIO}x)")
        print(f"   decisions: {_summary(tmp / 'batch.err')}")
        # where the time goes: the engine's cost per distinct name, in this process
        ms_per_name, load_s, timed = engine_cost(nbx, names, options.seed)
        engine_floor = load_s + len(names) * ms_per_name / 1000 / JOBS
        print(f"   engine alone: load {load_s:.2f} s (snapshot), {ms_per_name:.3f} ms CPU per distinct name "
              f"({timed:,} names timed after as many warm-up names) -> {len(names):,} names on {JOBS} workers need >= {engine_floor:.1f} s")
        engine_cpu = load_s + len(names) * ms_per_name / 1000
        print(f"   batch against the engine's own ceiling on the same names: {engine_floor / batch_s:.2f}x in wall time, "
              f"{engine_cpu / batch_cpu:.2f}x in CPU ({engine_cpu:.1f} s of engine CPU for the names vs {batch_cpu:.1f} s "
              f"for the whole batch; on a shared machine the CPU ratio is the steady one) (target >= {CEILING_TARGET}x); "
              f"rows answered by the exact-name table: {_exact_share(tmp / 'batch.err')}")
        # the same run on Ray actors (a local cluster the run starts), output compared: the CSV read by
        # the driver, and the same rows as Parquet read by Ray Data
        pq_src = tmp / "rows.parquet"
        pl.read_csv(src, infer_schema=False).write_parquet(pq_src)
        for label, source in (("CSV, read by the driver", src), ("Parquet, read by Ray Data", pq_src)):
            local_out, ray_out = tmp / "out_local_again.csv", tmp / "out_ray.csv"
            base = [*cmd[:2], str(source), "-o", str(local_out), *cmd[5:]]
            local_s, _rss, _pss, _cpu = run_measured(base, tmp / "batch_local.err")
            ray_s, _rss, _pss, _cpu = run_measured([*base[:4], str(ray_out), *base[5:], "--engine", "ray"],
                                                   tmp / "batch_ray.err")
            same = ray_out.read_bytes() == local_out.read_bytes()
            print(f"   --engine ray on {JOBS} local CPUs, {label}: {ray_s:8.2f} s {rows / ray_s:12,.0f} rows/s vs "
                  f"--jobs {JOBS} {local_s:.2f} s: {local_s / ray_s:.2f}x the rows/s (target >= 0.8x); "
                  f"output identical: {same}")
            ray_out.unlink(missing_ok=True)
            local_out.unlink(missing_ok=True)
        # the same run with every name sent to the engine (no exact-name table)
        plain_s, _rss, _pss, _cpu = run_measured([*cmd, "--no-exact"], tmp / "batch_plain.err")
        print(f"   without the exact-name table (--no-exact): {plain_s:8.2f} s {rows / plain_s:12,.0f} rows/s; "
              f"with it {batch_s / plain_s:.2f}x the time")
        (tmp / "out.csv").unlink(missing_ok=True)
        (tmp / "join.csv").unlink(missing_ok=True)
        if os.environ.get("NAMEBRIDGE_BENCH_BATCH_QUICK") == "1":
            return
        print(f"   ceiling for the ratio to the join: {rows / engine_floor / join_rate:.3f}x")
        # what the target asks of one resolution, if reading and writing cost nothing
        budget_s = rows / (TARGET_RATIO * join_rate) - load_s
        per_name = f"{budget_s * JOBS / len(names) * 1e6:.0f} us" if budget_s > 0 else "nothing (the load alone is over)"
        print(f"   the target ({TARGET_RATIO}x) leaves {max(budget_s, 0.0):.2f} s after the load: "
              f"{per_name} of CPU per distinct name on {JOBS} workers, against {ms_per_name * 1000:.0f} us measured")

        # the batch machinery alone: the same rows when names repeat heavily
        few = names[:: max(1, len(names) // FEW_DISTINCT)][:FEW_DISTINCT]
        few_src = tmp / "rows_few.csv"
        rows_frame(few, rows, options.seed).write_csv(few_src)
        few_join_s = polars_join(few_src, tmp / "lexicon", tmp / "join_few.csv")
        few_s, _rss, _pss, _cpu = run_measured([*cmd[:2], str(few_src), "-o", str(tmp / "out_few.csv"), *cmd[5:]],
                                               tmp / "batch_few.err")
        print(f"   same rows, {len(few):,} distinct names (the batch layer, not the engine): batch {few_s:.2f} s "
              f"(of which lexicon load {load_s:.1f} s) {rows / few_s:,.0f} rows/s vs join {few_join_s:.2f} s: "
              f"ratio {few_join_s / few_s:.3f}x, {few_join_s / max(few_s - load_s, 1e-9):.3f}x without the load")
        # memory follows --chunk-size: the same cheap file at three chunk sizes
        peaks = []
        for chunk_size in CHUNK_SIZES:
            cmd_chunk = [*cmd[:2], str(few_src), "-o", str(tmp / "out_few.csv"), "--jobs", str(JOBS),
                         "--chunk-size", str(chunk_size), "--lexicon", str(nbx)]
            _s, _rss, chunk_pss, _cpu = run_measured(cmd_chunk, tmp / "batch_chunk.err")
            peaks.append(f"{chunk_size:,} rows -> PSS {_mib(chunk_pss)}")
        print(f"   peak memory by --chunk-size ({len(few):,} distinct names): {'; '.join(peaks)}")
        for leftover in ("out_few.csv", "join_few.csv", "rows_few.csv"):
            (tmp / leftover).unlink(missing_ok=True)

        # the same names, 10x the rows: memory must follow the chunk, not the file
        big = tmp / "rows10x.csv"
        with open(big, "wb") as fh:
            for k in range(SCALE):
                rows_frame(names, rows, options.seed + k + 1, offset=k * rows).write_csv(fh, include_header=(k == 0))
        big_size = big.stat().st_size
        cmd_big = [*cmd[:2], str(big), "-o", str(tmp / "out10x.csv"), *cmd[5:]]
        big_s, big_rss, big_pss, _cpu = run_measured(cmd_big, tmp / "batch10x.err")
        print(f"   {SCALE}x file ({rows * SCALE:,} rows, {_mib(big_size)} vs {_mib(size)}): {big_s:8.2f} s "
              f"{rows * SCALE / big_s:12,.0f} rows/s   peak RSS {_mib(big_rss)}, PSS {_mib(big_pss)}"
              f"  -> peak PSS {big_pss / max(pss, 1):.2f}x the 1x run for {SCALE}x the rows")
        extra = (big_s - batch_s) / (rows * (SCALE - 1))
        if extra > 0:
            print(f"   rows whose names are already cached cost {extra * 1e6:.2f} us each "
                  f"({1 / extra:,.0f} rows/s: the 10x run minus the 1x run)")
