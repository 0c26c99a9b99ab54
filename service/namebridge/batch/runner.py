"""``namebridge batch``: read chunks, resolve each distinct name once, write chunks in order.

Chunk by chunk, top to bottom (the next chunk is read and its new names sent
out while the workers resolve the current one):

1. the reader yields at most ``chunk_size`` rows (memory is bounded by the chunk);
2. the distinct (name, language) pairs of the chunk are looked up in a bounded
   cache; only the pairs never seen are resolved, split across worker processes
   forked after the engine is loaded (each worker shares the parent's engine
   pages, nothing is loaded twice) or sent to a server over ``ResolveStream``;
3. the results of the distinct pairs are joined back onto the rows with polars
   (``maintain_order="left"``: output order is input order);
4. rows the reader marked (undecodable bytes, a ragged CSV record, bad JSON)
   become ``INVALID`` with the reason and their line number;
5. the chunk is appended to the output.

Exit codes: 0 done; 1 done but ``--strict`` found INVALID rows; 2 usage or input
error, found before any work starts (:class:`BatchInputError`), or a run that
cannot finish (a worker killed, the server gone), its partial output removed;
128 + the signal number (130 SIGINT/Ctrl-C, 143 SIGTERM) when stopped by a
signal: the workers are stopped, the partial output removed (for stdout: a
message says what was written is incomplete).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import polars as pl

from namebridge.batch.formats import (
    STDIO,
    BatchInputError,
    Chunk,
    ChunkReader,
    ChunkWriter,
    Format,
    check_text_column,
    input_format,
    open_reader,
    output_format,
)
from namebridge.batch.exact import ExactTable
from namebridge.batch.progress import BatchProgress
from namebridge.batch.rows import Key, Resolver, Row, resolve_key
from namebridge.errors import EXIT_INVALID_ROWS, EXIT_OK, EXIT_SIGNAL_BASE
from namebridge.matching.results import Decision
from namebridge.settings import DEFAULT_BATCH_CACHE_SIZE, DEFAULT_BATCH_CHUNK_SIZE, settings_from_env

#: the columns batch adds to every row, in this order (``candidates`` only with --top-k)
RESULT_COLUMNS: tuple[str, ...] = (
    "entity_id", "canonical_name", "entity_type", "score", "decision", "matched_alias", "reason",
)
RESULT_TYPES = (pl.String, pl.String, pl.String, pl.Float64, pl.String, pl.String, pl.String)
CANDIDATES_COLUMN = "candidates"
CANDIDATE_STRUCT = pl.Struct({"entity_id": pl.String, "score": pl.Float64, "matched_alias": pl.String})

_NAME_KEY = "__namebridge_name"
_LANG_KEY = "__namebridge_lang"
_BAD_KEY = "__namebridge_bad"
_EXACT = "__namebridge_exact"           #: True on cache rows the exact-name table answered
_KEYS = [_NAME_KEY, _LANG_KEY]

#: names per piece of work sent to one worker at most
PIECE_NAMES = 500
#: chunks read ahead while the workers resolve the current one
LOOKAHEAD = 1

@dataclass(frozen=True, slots=True)
class BatchOptions:
    """What ``namebridge batch`` was asked to do (the CLI flags, validated here)."""

    input: str
    output: str = STDIO
    column: str = "name"
    lang_column: str | None = None
    input_format: Format | None = None
    output_format: Format | None = None
    chunk_size: int = DEFAULT_BATCH_CHUNK_SIZE
    jobs: int | None = None            #: None: all cores
    top_k: int | None = None
    strict: bool = False
    quiet: bool = False
    server: str | None = None          #: HOST:PORT of a namebridge server
    cache_size: int = DEFAULT_BATCH_CACHE_SIZE
    lexicon_dir: Path | None = None
    progress: bool | None = None       #: None: only when stderr is a terminal
    exact: bool = True                 #: answer exact names from the index table (in-process only)
    engine: str = "local"              #: "local" (this process and forked workers) or "ray"
    ray_address: str | None = None     #: with engine "ray": a cluster's address; None starts a local one
    numbers_as_text: bool = False      #: a numeric name or language column is read as text
    server_ca: Path | None = None      #: --server over TLS: the server's CA (PEM)
    client_cert: Path | None = None    #: --server over mutual TLS: this client's certificate ...
    client_key: Path | None = None     #: ... and its key
    auth_token_file: Path | None = None  #: --server: file with the bearer token to send


@dataclass(slots=True)
class BatchSummary:
    """What a run did; printed on stderr at the end unless --quiet."""

    rows: int = 0
    input_lines: int | None = None     #: physical lines read, header included (None: Parquet)
    resolved: int = 0                  #: distinct (name, language) pairs sent to the engine or server
    exact: int = 0                     #: distinct names the exact-name table answered instead
    exact_rows: int = 0                #: rows whose answer came from the table
    decisions: Counter[str] = field(default_factory=Counter)
    marked_lines: int = 0              #: rows the reader marked (undecodable, ragged, bad JSON)
    engine_errors: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        kinds = ", ".join(f"{d.value} {self.decisions.get(d.value, 0):,}" for d in Decision)
        read = "" if self.input_lines is None else f" from {self.input_lines:,} input line(s)"
        text = (f"namebridge batch: {self.rows:,} rows{read}, {self.resolved:,} distinct names resolved, "
                f"{self.seconds:.2f} s ({rate:,.0f} rows/s); {kinds}; exact-name table: "
                f"{self.exact:,} distinct names, {self.exact_share:.1%} of rows")
        if self.marked_lines:
            text += f"; {self.marked_lines:,} unreadable line(s) kept as INVALID"
        if self.engine_errors:
            text += f"; {self.engine_errors:,} engine error(s), see the reason column"
        return text

    @property
    def exact_share(self) -> float:
        """The share of rows answered by the exact-name table (0 when there were none)."""
        return self.exact_rows / self.rows if self.rows else 0.0


#: the engine a forked worker resolves with (set in the parent before forking)
_WORKER_ENGINE: Any = None


def _worker_resolve(job: tuple[list[Key], int | None]) -> list[Row]:
    keys, top_k = job
    return [resolve_key(_WORKER_ENGINE, n, lang, top_k) for n, lang in keys]


def _worker_ready() -> int:
    return os.getpid()


def _worker_signals() -> None:
    """In a worker: die on SIGTERM (the parent's handler is inherited by fork) and leave
    Ctrl-C, which the terminal sends to the whole group, to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class BatchInterrupted(BaseException):
    """A signal stopped the run. A BaseException, like KeyboardInterrupt, so no
    ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_signal(signum: int, _frame: Any) -> None:
    # once is enough: a second signal must not break the clean-up
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise BatchInterrupted(signum)


class _SignalsStopTheRun:
    """SIGTERM and SIGINT raise :class:`BatchInterrupted` in the main thread while the run
    lasts; the previous handlers come back after (nothing is changed off the main thread)."""

    def __enter__(self) -> "_SignalsStopTheRun":
        self.saved: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                self.saved[signum] = signal.signal(signum, _on_signal)
        return self

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)


class InProcessResolver:
    """The engine in this process, or in ``jobs`` forked workers sharing its memory.

    The workers are forked at once, right after the engine is loaded and before
    this process runs any polars work (forking a process whose thread pools are
    busy is unsafe). A worker that dies (killed, out of memory) ends the run with
    a clear error instead of a hang: ``ProcessPoolExecutor`` reports it.
    """

    def __init__(self, engine: Any, *, jobs: int, top_k: int | None, exact: bool = True) -> None:
        global _WORKER_ENGINE
        self.engine = engine
        self.jobs = jobs
        self.top_k = top_k
        self.pool: ProcessPoolExecutor | None = None
        #: names the index answers exactly skip the engine (one candidate asked only)
        self.exact: ExactTable | None = None
        # the engine's objects live as long as the run: keep the cyclic GC from
        # walking them again and again (and, after fork, from touching and so
        # copying every page the workers share with this process)
        gc.freeze()
        if jobs > 1:
            _WORKER_ENGINE = engine  # inherited by fork: loaded once, pages shared
            self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_worker_signals)
            self.pool.submit(_worker_ready).result()  # with fork, the first submit starts all workers
        if exact and top_k is None:
            self.exact = ExactTable.build(engine)      # polars work: only after the fork

    def submit(self, keys: Sequence[Key]) -> Callable[[], list[Row]]:
        keys = list(keys)
        if self.pool is None or len(keys) < 64:
            return lambda: [resolve_key(self.engine, n, lang, self.top_k) for n, lang in keys]
        # small pieces, so the workers finish a chunk together and none idles long
        size = max(16, min(PIECE_NAMES, -(-len(keys) // (self.jobs * 4))))
        futures = [self.pool.submit(_worker_resolve, (keys[i:i + size], self.top_k))
                   for i in range(0, len(keys), size)]

        def wait() -> list[Row]:
            out: list[Row] = []
            try:
                for future in futures:
                    out.extend(future.result())
            except BrokenProcessPool:
                raise BatchInputError("a worker process died (killed, or out of memory?); nothing was written",
                                      fix="run again with fewer --jobs or a smaller --chunk-size") from None
            return out

        return wait

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers: after the work in hand, or at once (``abort``: a signal)."""
        if self.pool is not None:
            if abort:
                # ProcessPoolExecutor has no public way to stop running work before 3.14
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _check_top_k(top_k: int | None, limit: int) -> None:
    if top_k is not None and top_k > limit:
        raise BatchInputError(f"--top-k {top_k} is above the limit of {limit}",
                              fix=f"pass --top-k between 1 and {limit}")


def make_resolver(options: BatchOptions) -> Resolver:
    """The in-process engine (with a worker pool) or a client of a running server."""
    if options.server:
        from namebridge.batch.remote import ServerResolver

        return ServerResolver(options.server, top_k=options.top_k, server_ca=options.server_ca,
                              client_cert=options.client_cert, client_key=options.client_key,
                              auth_token_file=options.auth_token_file)
    jobs = options.jobs or len(os.sched_getaffinity(0)) or 1  # the cores this process may use
    if options.engine == "ray":
        from namebridge.batch.ray import RayResolver

        _check_top_k(options.top_k, settings_from_env().max_candidates_limit)
        lexicon = None if options.lexicon_dir is None else str(options.lexicon_dir)
        return RayResolver(lexicon, top_k=options.top_k, actors=jobs, address=options.ray_address)
    from namebridge.matching.engine import Engine

    engine = Engine.from_env(options.lexicon_dir)  # as `namebridge serve` loads it
    _check_top_k(options.top_k, engine.settings.max_candidates_limit)
    return InProcessResolver(engine, jobs=jobs, top_k=options.top_k, exact=options.exact)


# --- one chunk -------------------------------------------------------------------


def _text_column(frame: pl.DataFrame, column: str | None, *, numbers_as_text: bool,
                 flag: str) -> pl.Series:
    """The column as text; null if absent. Anything but text (numbers only with
    ``--numbers-as-text``) raises :class:`BatchInputError`."""
    if column is None or column not in frame.columns:
        return pl.Series(values=[None] * frame.height, dtype=pl.String)
    series = frame[column]
    if series.dtype != pl.String:
        check_text_column(column, series.dtype, numbers_as_text=numbers_as_text, flag=flag)
        series = series.cast(pl.String, strict=False)
    return series


def _results_frame(keys: list[Key], rows: list[Row], *, top_k: int | None, candidates_as_json: bool) -> pl.DataFrame:
    cols = list(zip(*rows)) if rows else [()] * 8
    data: dict[str, Any] = {
        _NAME_KEY: [k[0] for k in keys],
        _LANG_KEY: [k[1] for k in keys],
    }
    schema: dict[str, Any] = {_NAME_KEY: pl.String, _LANG_KEY: pl.String}
    for name, values, dtype in zip(RESULT_COLUMNS, cols[:7], RESULT_TYPES):
        data[name] = list(values)
        schema[name] = dtype
    data[_EXACT] = [False] * len(keys)
    schema[_EXACT] = pl.Boolean
    if top_k:
        dicts = [None if c is None else [{"entity_id": e, "score": s, "matched_alias": a} for e, s, a in c]
                 for c in cols[7]]
        if candidates_as_json:
            data[CANDIDATES_COLUMN] = [None if d is None else json.dumps(d, ensure_ascii=False) for d in dicts]
            schema[CANDIDATES_COLUMN] = pl.String
        else:
            data[CANDIDATES_COLUMN] = dicts
            schema[CANDIDATES_COLUMN] = pl.List(CANDIDATE_STRUCT)
    return pl.DataFrame(data, schema=schema)


@dataclass(slots=True)
class _Submitted:
    """A chunk whose new names are being resolved."""

    chunk: Chunk
    keyed: pl.DataFrame                 #: the chunk with the two key columns added
    distinct: pl.DataFrame              #: its distinct keys
    new: pl.DataFrame                   #: the keys it sent to the resolver
    todo: list[Key]
    wait: Callable[[], list[Row]]


class _ChunkResolver:
    """Resolves the rows of each chunk against a cache kept across chunks.

    The cache is a polars frame of resolved (name, language) pairs with their
    output columns, so looking rows up is a hash join in polars and Python only
    touches names never seen before. It holds at most ``cache_size`` pairs; on
    overflow the pairs of the chunks in hand are kept first, then the newest.

    ``submit`` sends a chunk's unseen names to the resolver and returns at once;
    ``finish`` (called in input order) waits, joins and returns the output rows.
    A key missing from the cache at ``finish`` (evicted meanwhile) is resolved
    there, so no row is ever left without an answer.
    """

    def __init__(self, options: BatchOptions, resolver: Resolver, out_fmt: Format, summary: BatchSummary) -> None:
        self.options = options
        self.resolver = resolver
        self.candidates_as_json = out_fmt in (Format.CSV, Format.TSV)
        self.summary = summary
        self.cache = self._results([], [])
        self.open: list[_Submitted] = []

    def _results(self, keys: list[Key], rows: list[Row]) -> pl.DataFrame:
        return _results_frame(keys, rows, top_k=self.options.top_k, candidates_as_json=self.candidates_as_json)

    def submit(self, chunk: Chunk) -> _Submitted:
        opts = self.options
        names = _text_column(chunk.frame, opts.column, numbers_as_text=opts.numbers_as_text,
                             flag="--column").alias(_NAME_KEY)
        langs = _text_column(chunk.frame, opts.lang_column, numbers_as_text=opts.numbers_as_text,
                             flag="--lang-column").str.strip_chars()
        langs = pl.select(pl.when(langs == "").then(None).otherwise(langs).alias(_LANG_KEY)).to_series()
        distinct = pl.DataFrame([names, langs]).unique()
        new = distinct.join(self.cache.select(_KEYS), on=_KEYS, how="anti", nulls_equal=True)
        for other in self.open:  # already on their way
            if new.height and other.new.height:
                new = new.join(other.new, on=_KEYS, how="anti", nulls_equal=True)
        exact = getattr(self.resolver, "exact", None)
        if exact is not None and new.height:
            new = self._answer_exact(exact, new)
        todo: list[Key] = list(zip(new[_NAME_KEY].to_list(), new[_LANG_KEY].to_list()))
        wait = self.resolver.submit(todo) if todo else (lambda: [])
        sub = _Submitted(chunk, chunk.frame.with_columns(names, langs), distinct, new, todo, wait)
        self.open.append(sub)
        return sub

    def _answer_exact(self, exact: ExactTable, new: pl.DataFrame) -> pl.DataFrame:
        """Put the answers of the exact-name table in the cache; return the names it left."""
        plain = new.filter(pl.col(_LANG_KEY).is_null())[_NAME_KEY]
        answered = exact.answer(plain)
        if not answered.height:
            return new
        fresh = answered.select(
            pl.col("name").alias(_NAME_KEY), pl.lit(None, pl.String).alias(_LANG_KEY),
            "entity_id", "canonical_name", "entity_type",
            "score",
            pl.lit(Decision.MATCH.value).alias("decision"), "matched_alias",
            pl.lit(None, pl.String).alias("reason"), pl.lit(True).alias(_EXACT))
        self.cache = pl.concat([self.cache, fresh.select(self.cache.columns)])
        self.summary.exact += fresh.height
        return new.join(fresh.select(_KEYS), on=_KEYS, how="anti", nulls_equal=True)

    def _add(self, todo: list[Key], rows: list[Row]) -> None:
        if todo:
            fresh = self._results(todo, rows)
            # a key evicted and resolved again may already be back: one row per key
            fresh = fresh.join(self.cache.select(_KEYS), on=_KEYS, how="anti", nulls_equal=True)
            self.cache = pl.concat([self.cache, fresh])
            self.summary.resolved += len(todo)

    def finish(self, sub: _Submitted) -> pl.DataFrame:
        self._add(sub.todo, sub.wait())
        self.open.remove(sub)
        out = sub.keyed.join(self.cache, on=_KEYS, how="left", nulls_equal=True, maintain_order="left")
        if out["decision"].null_count():
            lost = out.filter(pl.col("decision").is_null()).select(_KEYS).unique()
            todo: list[Key] = list(zip(lost[_NAME_KEY].to_list(), lost[_LANG_KEY].to_list()))
            self._add(todo, self.resolver.submit(todo)())
            out = sub.keyed.join(self.cache, on=_KEYS, how="left", nulls_equal=True, maintain_order="left")
        if out.height != sub.keyed.height:  # one cache row per key, always
            raise RuntimeError(f"internal error: {out.height} output rows for {sub.keyed.height} input rows")
        self.summary.exact_rows += int(out[_EXACT].sum())
        out = out.drop(*_KEYS, _EXACT)
        if self.cache.height > self.options.cache_size:
            keep = pl.concat([sub.distinct, *(o.distinct for o in self.open)]).unique()
            used = self.cache.join(keep, on=_KEYS, how="semi", nulls_equal=True)
            rest = self.cache.join(keep, on=_KEYS, how="anti", nulls_equal=True)
            self.cache = pl.concat([rest, used]).tail(self.options.cache_size).rechunk()
        if sub.chunk.bad_rows:
            out = _mark_bad_rows(out, sub.chunk.bad_rows)
        return out


def _mark_bad_rows(out: pl.DataFrame, bad_rows: dict[int, str]) -> pl.DataFrame:
    reasons: list[str | None] = [None] * out.height
    for i, reason in bad_rows.items():
        reasons[i] = reason
    bad = pl.col(_BAD_KEY)
    blanked = [c for c in (*RESULT_COLUMNS, CANDIDATES_COLUMN) if c in out.columns and c not in ("decision", "reason")]
    return (out.with_columns(pl.Series(_BAD_KEY, reasons, dtype=pl.String))
            .with_columns(
                *(pl.when(bad.is_null()).then(pl.col(c)).otherwise(None).alias(c) for c in blanked),
                pl.when(bad.is_null()).then(pl.col("decision")).otherwise(pl.lit(Decision.INVALID.value))
                .alias("decision"),
                pl.when(bad.is_null()).then(pl.col("reason")).otherwise(bad).alias("reason"))
            .drop(_BAD_KEY))


# --- the run -----------------------------------------------------------------------


def _check_columns(options: BatchOptions, reader: ChunkReader, fmt: Format) -> None:
    where = "stdin" if options.input == STDIO else repr(options.input)
    if fmt is Format.TEXT:
        return
    shown = ", ".join(reader.columns) or "(none)"
    for flag, col in (("--column", options.column), ("--lang-column", options.lang_column)):
        if col is not None and col not in reader.columns:
            raise BatchInputError(f"column {col!r} is not in {where} (columns: {shown})",
                                  fix=f"pass {flag} with one of: {shown}")
        if col is not None and reader.dtypes is not None:   # known before any work: refuse now
            check_text_column(col, reader.dtypes[col], numbers_as_text=options.numbers_as_text, flag=flag)
    added = [*RESULT_COLUMNS, *((CANDIDATES_COLUMN,) if options.top_k else ())]
    clash = [c for c in added if c in reader.columns]
    if clash:
        raise BatchInputError(f"{where} already has column(s) batch adds: {', '.join(clash)}",
                              fix="rename or drop those columns before the run")


def _validate(options: BatchOptions) -> None:
    if options.chunk_size < 1:
        raise BatchInputError("--chunk-size must be at least 1", fix="pass --chunk-size 50000")
    if options.jobs is not None and options.jobs < 1:
        raise BatchInputError("--jobs must be at least 1", fix="pass --jobs 1 or leave it out for all cores")
    if options.top_k is not None and options.top_k < 1:
        raise BatchInputError("--top-k must be at least 1", fix="pass --top-k 3, or leave it out")
    if options.engine not in ("local", "ray"):
        raise BatchInputError(f"--engine {options.engine!r} is not an engine", fix="pass --engine local or --engine ray")
    if options.ray_address and options.engine != "ray":
        raise BatchInputError("--address is for --engine ray", fix="add --engine ray, or drop --address")
    if options.engine == "ray" and options.server:
        raise BatchInputError("--engine ray and --server are two ways to resolve", fix="choose one")
    if options.cache_size < 1:
        raise BatchInputError("--cache-size must be at least 1", fix="pass --cache-size 500000")
    if (options.input != STDIO and options.output != STDIO
            and Path(options.input).resolve() == Path(options.output).resolve()):
        raise BatchInputError("the output would overwrite the input",
                              fix="pass a different file to -o")


def run_batch(options: BatchOptions, *, stderr: TextIO | None = None) -> int:
    """Run a batch; return the exit code. Raises :class:`BatchInputError` before any work."""
    stderr = stderr or sys.stderr
    started = time.perf_counter()
    _validate(options)
    in_fmt = input_format(options.input, options.input_format)
    out_fmt = output_format(options.output, options.output_format)
    if options.engine == "ray" and in_fmt is Format.PARQUET and options.input != STDIO:
        from namebridge.batch.ray import RayDataReader

        reader: ChunkReader = RayDataReader(options.input, options.chunk_size)  # type: ignore[assignment]
    else:
        reader = open_reader(options.input, in_fmt, options.column, options.chunk_size)
    writer: ChunkWriter | None = None
    resolver: Resolver | None = None
    ok = False
    interrupted: int | None = None
    summary = BatchSummary()
    stop_on_signals = _SignalsStopTheRun()
    try:
        stop_on_signals.__enter__()
        _check_columns(options, reader, in_fmt)
        writer = ChunkWriter(options.output, out_fmt)
        resolver = make_resolver(options)
        chunker = _ChunkResolver(options, resolver, out_fmt, summary)
        show = options.progress if options.progress is not None else (not options.quiet and stderr.isatty())
        warned = 0
        with BatchProgress(total_bytes=reader.total_bytes, enabled=show, stream=stderr) as progress:
            def emit(sub: _Submitted) -> None:
                nonlocal warned
                out = chunker.finish(sub)
                writer.write(out)  # type: ignore[union-attr]
                chunk = sub.chunk
                summary.rows += out.height
                summary.decisions.update(dict(out["decision"].value_counts().iter_rows()))
                summary.marked_lines += len(chunk.bad_rows)
                if chunk.lines_done is not None:
                    summary.input_lines = chunk.lines_done
                if not options.quiet:
                    for note in chunk.notes:
                        progress.print(f"namebridge: warning: {note}")
                    for reason in list(chunk.bad_rows.values())[: max(0, 10 - warned)]:
                        progress.print(f"namebridge: warning: {reason}")
                    warned += len(chunk.bad_rows)
                progress.update(rows=summary.rows, bytes_done=chunk.bytes_done)

            # read (and send out) the next chunk while the workers resolve this one
            in_hand: deque[_Submitted] = deque()
            for chunk in reader.chunks():
                in_hand.append(chunker.submit(chunk))
                if len(in_hand) > LOOKAHEAD:
                    emit(in_hand.popleft())
            while in_hand:
                emit(in_hand.popleft())
        if warned > 10 and not options.quiet:
            print(f"namebridge: warning: ... and {warned - 10:,} more unreadable line(s) "
                  "(see the reason column)", file=stderr)
        ok = True
    except KeyboardInterrupt:
        interrupted = signal.SIGINT
    except BatchInterrupted as exc:
        interrupted = exc.signum
    finally:
        try:
            if writer is not None:
                writer.close(ok=ok)
            if resolver is not None:
                if isinstance(resolver, InProcessResolver):
                    resolver.close(abort=not ok)
                else:
                    resolver.close()
            reader.close()
        finally:
            stop_on_signals.__exit__()
    if interrupted is not None:
        name = signal.Signals(interrupted).name
        if options.output == STDIO:
            done = f"the output on stdout is incomplete ({summary.rows:,} rows written)"
        else:
            done = f"nothing written to {options.output!r} (the partial file is removed)"
        print(f"namebridge: interrupted by {name}: workers stopped; {done}", file=stderr)
        return EXIT_SIGNAL_BASE + interrupted
    summary.seconds = time.perf_counter() - started
    if not options.quiet:
        print(summary.describe(), file=stderr)
    if options.strict and summary.decisions.get(Decision.INVALID.value, 0):
        return EXIT_INVALID_ROWS
    return EXIT_OK
