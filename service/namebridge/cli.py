"""The ``namebridge`` command: a thin transport over the engine.

Exit codes: 0 done; 1 done but ``--strict`` found invalid rows; 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from namebridge.errors import NamebridgeError

app = typer.Typer(
    name="namebridge",
    help="Cross-script entity resolution and transliteration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK = 0
EXIT_INVALID_ROWS = 1
EXIT_USAGE = 2


def fail(message: str, *, fix: str | None = None) -> "typer.Exit":
    """Print one error line (and the fix) on stderr; return the exit to raise."""
    typer.echo(f"namebridge: error: {message}", err=True)
    if fix:
        typer.echo(f"namebridge: fix: {fix}", err=True)
    return typer.Exit(EXIT_USAGE)


# --- commands are added below, each a thin call into one module -------------


@app.command("eval")
def eval_command(
    cases: Path = typer.Argument(..., help="Cases TSV: query, expected (entity ID or NIL), kind, source."),
    failures: int = typer.Option(20, "--failures", min=0, help="How many failures to show, worst first."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    write_results: Optional[Path] = typer.Option(
        None, "--write-results", help="Also write the frozen per-case results TSV here."),
    lexicon: Optional[Path] = typer.Option(None, "--lexicon", help="Lexicon directory (default: bundled)."),
) -> None:
    """Resolve a labelled cases file; print accuracy, precision, recall, NIL accuracy, failures."""
    import json

    from namebridge import evaluation
    from namebridge.engine import Engine

    frame = evaluation.read_cases(cases)
    report = evaluation.evaluate(Engine.load(lexicon), frame)
    if write_results is not None:
        evaluation.write_frozen(report, write_results)
    if as_json:
        typer.echo(json.dumps(report.to_dict(failures=failures), ensure_ascii=False))
    else:
        typer.echo(evaluation.format_report(report, failures=failures))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except NamebridgeError as exc:
        typer.echo(f"namebridge: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
