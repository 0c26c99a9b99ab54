"""The ``namebridge`` command: a thin transport over the engine.

Exit codes: 0 done; 1 done but ``--strict`` found invalid rows; 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from namebridge.errors import EXIT_USAGE, NamebridgeError
from namebridge.settings import DEFAULT_BATCH_CACHE_SIZE, DEFAULT_BATCH_CHUNK_SIZE

app = typer.Typer(
    name="namebridge",
    help="Cross-script entity resolution and transliteration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def fail(message: str, *, fix: str | None = None) -> "typer.Exit":
    """Print one error line (and the fix) on stderr; return the exit to raise."""
    typer.echo(f"namebridge: error: {message}", err=True)
    if fix:
        typer.echo(f"namebridge: fix: {fix}", err=True)
    return typer.Exit(EXIT_USAGE)


# --- commands are added below, each a thin call into one module -------------


def _load_engine(lexicon: Optional[Path]):
    from namebridge.matching.engine import Engine

    return Engine.from_env(lexicon)


def _render_resolution(resolution, *, explain: bool) -> str:
    top = resolution.top
    if resolution.decision.value == "MATCH" and top is not None:
        head = (f"{resolution.query.original}\t{resolution.decision.value}\t{top.entity_id}\t"
                f"{top.canonical_name}\t{resolution.score:.3f}")
    else:
        best = f"best: {top.entity_id} {resolution.score:.3f}" if top is not None else "no candidate"
        head = f"{resolution.query.original}\t{resolution.decision.value}\t-\t{best}"
    if not explain:
        return head
    lines = [head, f"  read as: {resolution.query.normalized} [{resolution.query.script}, "
                   f"{resolution.query.language}] romanized: {resolution.query.romanized}"]
    lines += [f"  {c.score:.3f} {c.entity_id}: {c.explanation()}" for c in resolution.candidates]
    return "\n".join(lines)


@app.command("resolve")
def resolve_command(
    names: list[str] = typer.Argument(..., help="Names to resolve; '-' reads one name per line from stdin."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per name (fields: README, 'Command line')."),
    language: Optional[str] = typer.Option(None, "--lang", help="BCP 47 language hint (overrides detection)."),
    entity_type: list[str] = typer.Option([], "--type", help="Only entities of this type (repeatable)."),
    max_candidates: Optional[int] = typer.Option(None, "--max-candidates", help="Candidates to show (default 5)."),
    explain: bool = typer.Option(True, "--explain/--brief", help="Show how each candidate was matched."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
) -> None:
    """Resolve names to entity IDs: decision, score, matched alias and why.

    Exit codes: 0 every name answered (MATCH, AMBIGUOUS or NO_MATCH); 2 a bad
    name given as an argument. From stdin, a bad line is answered with
    decision INVALID and an error, never skipped.
    """
    import json

    from namebridge.errors import InvalidArgument

    engine = _load_engine(lexicon)
    from_stdin = names == ["-"]
    stream = (line.rstrip("\r\n") for line in sys.stdin) if from_stdin else iter(names)
    options = dict(language=language, entity_types=tuple(entity_type), max_candidates=max_candidates)
    for name in stream:
        try:
            resolution = engine.resolve(name, **options)
        except InvalidArgument as exc:
            if not from_stdin or exc.field != "name":
                raise fail(str(exc)) from None
            if as_json:
                typer.echo(json.dumps({"query": name, "decision": "INVALID", "entity_id": None,
                                       "error": str(exc)}, ensure_ascii=False))
            else:
                typer.echo(f"{name}\tINVALID\t-\t{exc}")
            continue
        if as_json:
            typer.echo(json.dumps(resolution.to_dict(), ensure_ascii=False))
        else:
            typer.echo(_render_resolution(resolution, explain=explain))


@app.command("translit")
def translit_command(
    text: str = typer.Argument(..., help="Text to romanize."),
    language: Optional[str] = typer.Option(None, "--lang", help="Language whose table to use (default: detected per token)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
) -> None:
    """Romanize a text for display and show the detected script and language of each token."""
    import json

    engine = _load_engine(lexicon)
    result = engine.transliterate(text, language=language)
    if as_json:
        typer.echo(json.dumps({
            "text": result.original, "romanized": result.romanized, "normalized": result.normalized,
            "script": result.script, "language": result.language, "scheme": result.scheme,
            "tokens": [dict(zip(("token", "romanized", "script", "language"), t)) for t in result.tokens],
        }, ensure_ascii=False))
        return
    typer.echo(result.romanized)
    typer.echo(f"  script: {result.script}, language: {result.language}, scheme: {result.scheme}")
    for token, romanized, script, lang in result.tokens:
        typer.echo(f"  {token}\t{romanized}\t{script}\t{lang}")


@app.command("info")
def info_command(
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
) -> None:
    """What is loaded: lexicon version, counts by type and language, settings in force."""
    from namebridge.api.convert import lexicon_name

    info = _load_engine(lexicon).info()
    typer.echo(f"lexicon {lexicon_name(info.lexicon_dir)} version {info.version}: {info.entity_count} entities, "
               f"{info.alias_count} aliases, loaded {info.loaded_at.isoformat()}")
    typer.echo("by type: " + ", ".join(f"{k}={v}" for k, v in info.counts_by_type.items()))
    typer.echo("by language: " + ", ".join(f"{k}={v}" for k, v in info.counts_by_language.items()))
    for name, value in info.settings.items():
        typer.echo(f"  {name} = {value}")

lexicon_app = typer.Typer(help="Check the lexicon files, or compile them into a snapshot.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")


@lexicon_app.command("validate")
def lexicon_validate_command(
    directory: Optional[Path] = typer.Argument(
        None, help="Lexicon directory (default: NAMEBRIDGE_LEXICON_DIR, else the bundled lexicons/)."),
) -> None:
    """Print every problem as path:line: message, then the warnings and a summary.

    Exit codes: 0 valid (warnings allowed); 2 at least one problem.
    """
    from namebridge.errors import DataFileError
    from namebridge.lexicon.bundle import load_bundle
    from namebridge.lexicon.loader import check_lexicon
    from namebridge.settings import settings_from_env

    settings = settings_from_env()
    directory = directory if directory is not None else settings.lexicon_dir
    check = check_lexicon(directory, max_name_length=settings.max_name_length)
    for problem in check.problems:
        typer.echo(str(problem))
    for warning in check.warnings:
        typer.echo(f"{warning.path}:{warning.line}: warning: {warning.message}")
    warnings = f"{len(check.warnings)} warning(s)"
    if check.lexicon is None:
        typer.echo(f"{directory}: INVALID: {len(check.problems)} problem(s), {warnings}")
        raise typer.Exit(EXIT_USAGE)
    try:
        # the table folders too, and the version an engine on this directory reports
        lexicon = load_bundle(directory).lexicon
    except DataFileError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{directory}: INVALID: {len(exc.problems)} problem(s), {warnings}")
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"{directory}: valid: {len(lexicon.entities)} entities, {len(lexicon.aliases)} aliases, "
               f"{warnings}, version {lexicon.version}")


@lexicon_app.command("compile")
def lexicon_compile_command(
    directory: Optional[Path] = typer.Argument(
        None, help="Lexicon directory (default: NAMEBRIDGE_LEXICON_DIR, else the bundled lexicons/)."),
    output: Path = typer.Option(..., "-o", "--output", help="The snapshot file to write, e.g. lexicon.nbx."),
) -> None:
    """Compile a lexicon into one snapshot file that serve, batch, resolve, info and eval load
    with --lexicon FILE, without analysing every alias again.

    Exit codes: 0 written; 2 the lexicon is invalid or the file cannot be written.
    """
    import time

    from namebridge.matching.snapshot import write_snapshot

    started = time.perf_counter()
    engine = _load_engine(directory)
    if Path(engine.lexicon.directory).is_file():
        raise fail(f"{engine.lexicon.directory} is already a snapshot", fix="pass a lexicon directory")
    try:
        header = write_snapshot(engine, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}", fix="pass -o a path in a writable directory") from None
    typer.echo(f"{output}: {header['entities']} entities, {header['aliases']} aliases, lexicon version "
               f"{header['lexicon_version']}, format {header['format']}, {output.stat().st_size:,} bytes, "
               f"{time.perf_counter() - started:.1f} s")


@app.command("eval")
def eval_command(
    cases: Optional[Path] = typer.Argument(None, help="Cases TSV: query, expected (entity ID or NIL), kind, source (kind and source may be -)."),
    failures: int = typer.Option(20, "--failures", min=0, help="How many failures (and mention errors) to show, worst first."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    write_results: Optional[Path] = typer.Option(
        None, "--write-results", help="Also write the frozen per-case results TSV here."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
    open_world: Optional[Path] = typer.Option(
        None, "--open-world", help="Also evaluate this open-world directory (tests/eval/openworld): false matches, AMBIGUOUS, worst cases."),
    worst: int = typer.Option(15, "--worst", min=0, help="How many open-world worst cases to show."),
    baseline: bool = typer.Option(False, "--baseline", help="With --open-world: also the plain unidecode + token_sort_ratio baseline."),
    mentions: Optional[Path] = typer.Option(
        None, "--mentions", help="Also annotate the texts of this gold mentions TSV (tests/eval/seed_mentions.tsv): precision, recall, exact spans per file."),
    seeds: Optional[Path] = typer.Option(
        None, "--seeds", help="With --mentions: the directory of the texts it names (default: seeds/ next to the lexicon directory)."),
) -> None:
    """Resolve a labelled cases file; print accuracy, precision, recall, NIL accuracy, failures.

    With --mentions (the cases file may then be left out): annotate the gold file's
    texts and print mention precision and recall (a mention is right when it overlaps
    a gold one of the same entity) and exact-span figures, per file and overall.
    """
    import json

    import polars as pl

    from namebridge import evaluation
    from namebridge.evaluation import mentions as mention_eval
    from namebridge.evaluation import openworld, reliability

    if cases is None and mentions is None:
        raise fail("nothing to evaluate", fix="give a cases TSV (tests/eval/cases.tsv), --mentions GOLD.tsv, or both")
    if write_results is not None and cases is None:
        raise fail("--write-results needs a cases TSV")
    frame = evaluation.read_cases(cases) if cases is not None else None
    gold = mention_eval.read_gold(mentions) if mentions is not None else None
    names = openworld.read_openworld(open_world) if open_world is not None else None
    engine = _load_engine(lexicon)
    report = evaluation.evaluate(engine, frame) if frame is not None else None
    world = None
    if names is not None:
        world = openworld.evaluate_openworld(engine, engine.lexicon, names, worst=worst,
                                             baseline=baseline, directory=str(open_world))
    mention_report = None
    if gold is not None:
        from namebridge.annotation.annotator import Annotator

        texts_dir = seeds if seeds is not None else engine.lexicon.directory.parent / "seeds"
        mention_report = mention_eval.evaluate_mentions(Annotator(engine), gold, texts_dir)
    if write_results is not None and report is not None:
        evaluation.write_frozen(report, write_results)
    # the calibrated score against what came true, over every set of names evaluated
    table = None
    if report is not None:
        scored = [report.results.select("expected", "top", "score")]
        if world is not None:
            scored.append(world.results.filter(pl.col("role") != openworld.HELD).select("expected", "top", "score"))
        table = reliability.reliability_table(pl.concat(scored))
    if as_json:
        out = report.to_dict(failures=failures) if report is not None else {}
        if world is not None:
            out["open_world"] = world.to_dict()
        if table is not None:
            out["reliability"] = reliability.reliability_rows(table)
        if mention_report is not None:
            out["mentions"] = mention_report.to_dict()
        typer.echo(json.dumps(out, ensure_ascii=False))
    else:
        shown = []
        if report is not None:
            shown.append(evaluation.format_report(report, failures=failures))
        if world is not None:
            shown.append(openworld.format_openworld(world))
        if table is not None:
            title = f"{cases}" + (f" + {open_world}" if world is not None else "")
            shown.append(reliability.format_reliability(table, title=title))
        if mention_report is not None:
            shown.append(mention_eval.format_mention_report(mention_report, errors=failures))
        typer.echo("\n\n".join(shown))


@app.command("annotate")
def annotate_command(
    files: list[str] = typer.Argument(..., help="Text files (UTF-8), or - for stdin."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per mention per line, in text order."),
    lang: Optional[str] = typer.Option(None, "--lang", help="BCP 47 language hint for every mention (kk, tr, ar, fa...); default: detect."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory (default: bundled)."),
) -> None:
    """Find and resolve every mention of a lexicon entity in text files.

    Offsets (start, end) are Unicode code points into the text as read with UTF-8
    (newlines untranslated), so text[start:end] is the mention. Without --json: the
    text with mentions marked, then a table. Exit codes: 0 done; 2 a file cannot be
    read, is not UTF-8, is over the size limit, or --lang is unknown.
    """
    from namebridge.annotation import render
    from namebridge.annotation.annotator import Annotator

    texts = []
    for name in files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise fail(f"{name}: cannot read: {exc.strerror or exc}") from None
        try:
            texts.append((name, data.decode("utf-8")))
        except UnicodeDecodeError as exc:
            raise fail(f"{name}: not UTF-8 (byte {exc.start})", fix="convert the file to UTF-8 (iconv -t UTF-8)") from None
    annotator = Annotator(_load_engine(lexicon))
    for index, (name, text) in enumerate(texts):
        try:
            found = annotator.annotate(text, language=lang)
        except NamebridgeError as exc:
            raise fail(f"{name}: {exc}") from None
        if as_json:
            for line in render.json_lines(name, found):
                typer.echo(line)
        else:
            if index:
                typer.echo("")
            typer.echo(render.listing(name, text, found))


@app.command("batch")
def batch_command(
    input: str = typer.Argument(..., help="Input file (.csv .tsv .parquet .ndjson .txt), or - for stdin (text: one name per line)."),
    output: str = typer.Option("-", "-o", "--output", help="Output file, or - for stdout (TSV). Written as <file>.partial, renamed when complete."),
    column: str = typer.Option("name", "--column", "-c", help="Column holding the names (for text input: the column's name in the output)."),
    lang_column: Optional[str] = typer.Option(None, "--lang-column", help="Column holding a BCP 47 language hint per row (empty: detect)."),
    input_format: Optional[str] = typer.Option(None, "--format", help="Input format, instead of the extension: csv, tsv, parquet, ndjson, text."),
    output_format: Optional[str] = typer.Option(None, "--output-format", help="Output format, instead of the extension: csv, tsv, parquet, ndjson."),
    top_k: Optional[int] = typer.Option(None, "--top-k", help="Add a 'candidates' column with the K best (entity_id, score, matched_alias); JSON text in CSV/TSV."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: all cores)."),
    chunk_size: int = typer.Option(DEFAULT_BATCH_CHUNK_SIZE, "--chunk-size", help="Rows read, resolved and written at a time; bounds memory."),
    cache_size: int = typer.Option(DEFAULT_BATCH_CACHE_SIZE, "--cache-size", help="Distinct names remembered across chunks."),
    server: Optional[str] = typer.Option(None, "--server", help="HOST:PORT of a namebridge server: resolve there (ResolveStream) instead of in-process."),
    server_ca: Optional[Path] = typer.Option(None, "--server-ca", envvar="NAMEBRIDGE_SERVER_CA", help="With --server: talk TLS, trusting this PEM CA for the server."),
    client_cert: Optional[Path] = typer.Option(None, "--client-cert", envvar="NAMEBRIDGE_CLIENT_CERT", help="With --server: this client's PEM certificate (mutual TLS)."),
    client_key: Optional[Path] = typer.Option(None, "--client-key", envvar="NAMEBRIDGE_CLIENT_KEY", help="PEM private key of --client-cert."),
    auth_token_file: Optional[Path] = typer.Option(None, "--auth-token-file", envvar="NAMEBRIDGE_AUTH_TOKEN_FILE", help="With --server: file with the bearer token to send."),
    numbers_as_text: bool = typer.Option(False, "--numbers-as-text", help="Read a numeric name or language column (Parquet, NDJSON) as text instead of refusing it."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any row is INVALID."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, warnings or summary on stderr."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
    engine: str = typer.Option("local", "--engine", help="local: this process and --jobs forked workers; ray: --jobs Ray actors (pip install 'namebridge[ray]'), on a local cluster or --address."),
    ray_address: Optional[str] = typer.Option(None, "--address", help="With --engine ray: the Ray cluster's address (HOST:PORT); default: start a local one."),
    exact: bool = typer.Option(True, "--exact/--no-exact", help="Answer names that write one entity's alias exactly from a table built from the index, without the matcher (same answers; in-process, without --top-k)."),
) -> None:
    """Resolve every row of a file: adds entity_id, canonical_name, entity_type, score, decision, matched_alias, reason.

    Every input row comes out, in order; unusable rows get decision INVALID and a
    reason (with the line number for undecodable bytes). Exit codes: 0 done;
    1 done but --strict found INVALID rows; 2 usage or input error (nothing written);
    130/143 stopped by SIGINT/SIGTERM (workers stopped, partial output removed).
    """
    from namebridge.batch import BatchInputError, BatchOptions, Format, run_batch

    try:
        options = BatchOptions(
            input=input, output=output, column=column, lang_column=lang_column,
            input_format=Format(input_format) if input_format else None,
            output_format=Format(output_format) if output_format else None,
            top_k=top_k, jobs=jobs, chunk_size=chunk_size, cache_size=cache_size,
            server=server, strict=strict, quiet=quiet, lexicon_dir=lexicon, exact=exact,
            engine=engine, ray_address=ray_address,
            numbers_as_text=numbers_as_text, server_ca=server_ca, client_cert=client_cert,
            client_key=client_key, auth_token_file=auth_token_file)
    except ValueError as exc:
        raise fail(str(exc), fix="formats: csv, tsv, parquet, ndjson, text") from None
    try:
        code = run_batch(options)
    except BatchInputError as exc:
        raise fail(exc.message, fix=exc.fix) from None
    raise typer.Exit(code)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", envvar="NAMEBRIDGE_HOST", help="Address to bind (0.0.0.0 for every interface)."),
    port: int = typer.Option(50051, "--port", envvar="NAMEBRIDGE_PORT", min=0, max=65535, help="Port to bind (0: any free port)."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", envvar="NAMEBRIDGE_LEXICON_DIR", help="Lexicon directory or compiled snapshot file (.nbx) (default: bundled)."),
    workers: int = typer.Option(1, "--workers", envvar="NAMEBRIDGE_WORKERS", min=1, help="Server processes sharing the port (SO_REUSEPORT); one per core."),
    threads: int = typer.Option(32, "--threads", envvar="NAMEBRIDGE_THREADS", min=1, help="Threads per process (calls in flight; each stream holds one)."),
    tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", envvar="NAMEBRIDGE_TLS_CERT", help="PEM certificate chain; with --tls-key, serve TLS."),
    tls_key: Optional[Path] = typer.Option(None, "--tls-key", envvar="NAMEBRIDGE_TLS_KEY", help="PEM private key for --tls-cert."),
    tls_client_ca: Optional[Path] = typer.Option(None, "--tls-client-ca", envvar="NAMEBRIDGE_TLS_CLIENT_CA", help="PEM CA bundle: require client certificates it signed (mutual TLS; needs --tls-cert/--tls-key)."),
    auth_token_file: Optional[Path] = typer.Option(None, "--auth-token-file", envvar="NAMEBRIDGE_AUTH_TOKEN_FILE", help="File with a bearer token every call but health must carry (else UNAUTHENTICATED)."),
    log_level: str = typer.Option("INFO", "--log-level", envvar="NAMEBRIDGE_LOG_LEVEL", help="DEBUG, INFO, WARNING or ERROR (JSON lines on stderr)."),
    log_names: bool = typer.Option(False, "--log-names", envvar="NAMEBRIDGE_LOG_NAMES", help="Add the name text of each call (first 20 names) to its log line."),
    metrics_port: Optional[int] = typer.Option(None, "--metrics-port", envvar="NAMEBRIDGE_METRICS_PORT", min=1, max=65535, help="Serve Prometheus /metrics here (worker i: port + i)."),
    batch_calls: Optional[int] = typer.Option(None, "--batch-calls", envvar="NAMEBRIDGE_BATCH_CALLS", min=1, help="BatchResolve calls admitted at once per process; more get RESOURCE_EXHAUSTED (default: a quarter of --threads)."),
    grace: float = typer.Option(10.0, "--grace", envvar="NAMEBRIDGE_GRACE", min=0.0, help="Seconds calls in flight get to finish after SIGTERM/SIGINT."),
    max_message_bytes: int = typer.Option(16 * 1024 * 1024, "--max-message-bytes", envvar="NAMEBRIDGE_MAX_MESSAGE_BYTES", min=1024, help="Largest request message accepted."),
) -> None:
    """Serve the gRPC API (EntityResolverService, health, reflection) until SIGTERM/SIGINT.

    Exit codes: 0 stopped gracefully; 2 bad flags, lexicon or address.
    """
    from namebridge.api import logs
    from namebridge.api.server import ServeConfig, serve

    try:
        logs.configure(log_level)
    except ValueError as exc:
        raise fail(str(exc)) from None
    config = ServeConfig(host=host, port=port, lexicon_dir=lexicon, workers=workers, threads=threads,
                         tls_cert=tls_cert, tls_key=tls_key, tls_client_ca=tls_client_ca,
                         auth_token_file=auth_token_file, log_level=log_level, log_names=log_names,
                         metrics_port=metrics_port, grace=grace, max_message_bytes=max_message_bytes,
                         batch_calls=batch_calls)
    try:
        code = serve(config)
    except OSError as exc:
        raise fail(str(exc), fix="choose another --port, or stop the process holding it") from None
    except ValueError as exc:
        raise fail(str(exc), fix="pass --tls-cert and --tls-key (and --tls-client-ca) as PEM files, "
                                 "--auth-token-file as a file holding one token") from None
    raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except NamebridgeError as exc:
        typer.echo(f"namebridge: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
