"""The one reader for every line-oriented data file under ``lexicons/``.

Rules (lexicons/README.md): UTF-8, tab-separated, ``#`` at the start of a line
is a comment, blank lines are skipped, the first other line is the header and
must name exactly the expected columns, no field may be empty. Problems are
collected, never raised one by one, so a maintainer sees all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem

COMMENT = "#"


@dataclass(frozen=True, slots=True)
class Row:
    """One data line: its fields by column name, and where it came from."""

    fields: dict[str, str]
    path: str
    line: int

    def __getitem__(self, column: str) -> str:
        return self.fields[column]

    def problem(self, message: str) -> Problem:
        return Problem(self.path, self.line, message)


def display_path(path: Path) -> str:
    """The path as a maintainer would type it: relative to the repository if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _decoded_lines(data: bytes, shown: str, problems: list[Problem]) -> list[str | None]:
    """The file's lines; an undecodable line is reported (with its number) and is None,
    so the lines around it are still checked."""
    try:
        return list(data.decode("utf-8").splitlines())
    except UnicodeDecodeError:
        pass
    lines: list[str | None] = []
    for raw in data.split(b"\n"):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, len(lines) + 1, f"not valid UTF-8 (byte {exc.start + 1}: "
                                                           f"{raw[exc.start:exc.start + 4]!r})"))
            lines.append(None)
            continue
        lines.extend(text.splitlines() or [""])
    if data.endswith(b"\n") and lines and lines[-1] == "":
        lines.pop()                     # as str.splitlines: no line after the last newline
    return lines


def read_table(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[Row]:
    """Rows of a TSV data file; every problem found is appended to ``problems``.

    A row with the wrong number of fields or an empty field is reported and
    left out; the caller decides whether any problem is fatal.
    """
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(shown, 0, f"cannot read file: {exc.strerror or exc}"))
        return []
    lines = _decoded_lines(data, shown, problems)
    rows: list[Row] = []
    header_seen = False
    for number, raw in enumerate(lines, start=1):
        if raw is None:     # undecodable: reported already
            continue
        if not raw.strip() or raw.startswith(COMMENT):
            continue
        values = raw.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(v.strip() for v in values) != columns:
                problems.append(Problem(shown, number, f"header must be {'<TAB>'.join(columns)!r}, "
                                                        f"found {'<TAB>'.join(values)!r}"))
                return []
            continue
        if len(values) != len(columns):
            problems.append(Problem(shown, number, f"expected {len(columns)} tab-separated fields "
                                                    f"({', '.join(columns)}), found {len(values)}"))
            continue
        empty = [c for c, v in zip(columns, values) if not v.strip()]
        if empty:
            problems.append(Problem(shown, number, f"empty field(s): {', '.join(empty)}"))
            continue
        stripped = [v.strip() for v in values]
        if any(v != s for v, s in zip(values, stripped)):
            problems.append(Problem(shown, number, "field has leading or trailing spaces"))
            continue
        rows.append(Row(dict(zip(columns, stripped)), shown, number))
    if not header_seen:
        problems.append(Problem(shown, 1, f"missing header {'<TAB>'.join(columns)!r}"))
    return rows


def read_table_strict(path: Path, columns: tuple[str, ...]) -> list[Row]:
    """Rows of a TSV data file, raising DataFileError listing all problems."""
    problems: list[Problem] = []
    rows = read_table(path, columns, problems)
    if problems:
        raise DataFileError(problems)
    return rows
