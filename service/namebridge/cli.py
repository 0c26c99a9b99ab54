"""The ``namebridge`` command: a thin transport over the engine.

Exit codes: 0 done; 1 done but ``--strict`` found invalid rows; 2 usage or input error.
"""

from __future__ import annotations

import sys

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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except NamebridgeError as exc:
        typer.echo(f"namebridge: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
