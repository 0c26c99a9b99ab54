"""Reading and writing batch files chunk by chunk: CSV, TSV, Parquet, NDJSON, text.

Readers yield :class:`Chunk` objects of at most ``chunk_size`` rows, so memory is
bounded by the chunk size and never by the file size. Line-oriented formats
(CSV, TSV, NDJSON, text) are read as bytes and decoded here, line by line when a
block does not decode, so a row with undecodable bytes is kept (decoded with
U+FFFD) and reported with its physical line number. polars parses each block;
when it refuses one (a ragged CSV row, a bad JSON line) the block is parsed again
record by record so only the bad records are marked, never the whole block.

CSV and TSV columns are read as text, exactly as written (``007`` stays ``007``).
"""

from __future__ import annotations

import bisect
import csv
import enum
import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import polars as pl

STDIO = "-"
#: at most this many physical lines in one CSV/TSV record (a quoted field with newlines)
MAX_RECORD_LINES = 10_000
_BOM = b"\xef\xbb\xbf"


class Format(str, enum.Enum):
    """A file format batch reads or writes."""

    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    NDJSON = "ndjson"
    TEXT = "text"


#: file extensions (lower case, with the dot) and the format they mean
EXTENSIONS: dict[str, Format] = {
    ".csv": Format.CSV,
    ".tsv": Format.TSV,
    ".tab": Format.TSV,
    ".parquet": Format.PARQUET,
    ".pq": Format.PARQUET,
    ".ndjson": Format.NDJSON,
    ".jsonl": Format.NDJSON,
    ".txt": Format.TEXT,
    ".text": Format.TEXT,
}


class BatchInputError(Exception):
    """A usage or input problem found before any work starts (exit code 2)."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def check_text_column(column: str, dtype: pl.DataType, *, numbers_as_text: bool, flag: str) -> None:
    """A name or language column must hold text (or nothing); numbers only when asked for.

    Raises :class:`BatchInputError`: a list, struct, boolean or date is never a name,
    and turning numbers into text silently would hide a wrong ``--column``."""
    if dtype == pl.String or dtype == pl.Null or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return
    if dtype.is_numeric():
        if numbers_as_text:
            return
        raise BatchInputError(f"column {column!r} ({flag}) holds numbers ({dtype}), not text",
                              fix=f"check {flag}, or pass --numbers-as-text to read the numbers as names")
    raise BatchInputError(f"column {column!r} ({flag}) is of type {dtype}, not text",
                          fix=f"pass {flag} with a text column, or flatten the column to text first")


def input_format(path: str, explicit: Format | None) -> Format:
    """The format to read: ``--format`` wins, then the extension; stdin is text."""
    if explicit is not None:
        return explicit
    if path == STDIO:
        return Format.TEXT
    if Path(path).is_dir():
        return _folder_format(path)
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"cannot tell the format of {path!r} from its extension",
            fix="pass --format csv|tsv|parquet|ndjson|text",
        )
    return fmt


def _folder_format(path: str) -> Format:
    """The format of a folder's files (hidden files and ``_SUCCESS``-style markers aside): one, or an error."""
    found = {EXTENSIONS.get(p.suffix.lower()) for p in Path(path).rglob("*")
             if p.is_file() and not any(part[0] in "._" for part in p.relative_to(path).parts)}
    if len(found) != 1 or None in found:
        kinds = ", ".join(sorted(f.value if f else "unknown" for f in found)) or "no files"
        raise BatchInputError(f"cannot tell one format for the files in folder {path!r} ({kinds})",
                              fix="put files of one format in the folder (.parquet, .csv, .ndjson), or pass --format")
    return found.pop()  # type: ignore[return-value]


def output_format(path: str, explicit: Format | None) -> Format:
    """The format to write: ``--output-format`` wins, then the extension; stdout is TSV."""
    fmt = explicit
    if fmt is None:
        fmt = Format.TSV if path == STDIO else EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"cannot tell the output format of {path!r} from its extension",
            fix="name the output .csv, .tsv, .parquet or .ndjson, or pass --output-format",
        )
    if fmt is Format.TEXT:
        raise BatchInputError(
            "plain text is an input format only (results have several columns)",
            fix="write .tsv (tab-separated, one row per name) or pass --output-format tsv",
        )
    return fmt


@dataclass(slots=True)
class Chunk:
    """Up to ``chunk_size`` input rows, in file order."""

    frame: pl.DataFrame
    #: row index within this chunk -> why the row is unusable (with its line number)
    bad_rows: dict[int, str] = field(default_factory=dict)
    #: bytes of the input consumed so far (for the progress bar)
    bytes_done: int = 0
    #: warnings about the chunk that do not make a row INVALID (shown on stderr)
    notes: list[str] = field(default_factory=list)
    #: physical input lines consumed so far, header included (None: not a line format)
    lines_done: int | None = None


class ChunkReader:
    """Opens an input, checks it can be read, then yields chunks.

    Everything that can fail before work starts (missing file, unreadable
    header, missing column) fails in the constructor with :class:`BatchInputError`.
    """

    columns: list[str]
    total_bytes: int | None
    #: column types known before reading (Parquet's schema); None: found per chunk
    dtypes: dict[str, pl.DataType] | None = None

    def chunks(self) -> Iterator[Chunk]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def _open_binary(path: str) -> tuple[BinaryIO, int | None]:
    if path == STDIO:
        return sys.stdin.buffer, None
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the reader
    except FileNotFoundError:
        raise BatchInputError(f"input file {path!r} does not exist",
                              fix="check the path (use - to read stdin)") from None
    except IsADirectoryError:
        raise BatchInputError(f"input {path!r} is a directory, not a file",
                              fix="pass a file (use - to read stdin)") from None
    except OSError as exc:
        raise BatchInputError(f"cannot read input file {path!r}: {exc.strerror}",
                              fix="check the file's permissions") from None
    try:
        size = os.fstat(fh.fileno()).st_size
    except OSError:
        size = None
    return fh, size


def _decode_lines(lines: list[bytes], first_line_no: int) -> tuple[bytes, dict[int, str]]:
    """The block as valid UTF-8 bytes, and line index -> problem for bad lines.

    The fast path decodes the whole block once; only a block that fails is
    decoded line by line, so a clean file costs one ``decode`` per chunk.
    """
    block = b"".join(lines)
    try:
        block.decode("utf-8")
        return block, {}
    except UnicodeDecodeError:
        pass
    bad: dict[int, str] = {}
    fixed: list[bytes] = []
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
            fixed.append(line)
        except UnicodeDecodeError as exc:
            snippet = line[exc.start:exc.start + 4]
            bad[i] = (f"line {first_line_no + i}: undecodable bytes (not UTF-8) at byte "
                      f"{exc.start + 1}: {snippet!r}")
            fixed.append(line.decode("utf-8", errors="replace").encode("utf-8"))
    return b"".join(fixed), bad


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
    return line


class _LineSource:
    """Physical lines from a binary stream, counted, with the BOM removed."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.lines_read = 0
        self.bytes_read = 0
        self._first = True

    def take(self, n: int) -> list[bytes]:
        lines = list(islice(self.fh, n))
        if self._first and lines:
            self._first = False
            if lines[0].startswith(_BOM):
                self.bytes_read += len(_BOM)
                lines[0] = lines[0][len(_BOM):]
        self.lines_read += len(lines)
        self.bytes_read += sum(map(len, lines))
        return lines


class _LineReader(ChunkReader):
    """A reader of a line-based input (a file, or stdin for ``-``): the open stream,
    its counted lines and the chunk size; closing never closes stdin."""

    def __init__(self, path: str, chunk_size: int) -> None:
        self.path = path
        self.fh, self.total_bytes = _open_binary(path)
        self.chunk_size = chunk_size
        self.src = _LineSource(self.fh)

    def close(self) -> None:
        if self.fh is not sys.stdin.buffer:
            self.fh.close()


class TextReader(_LineReader):
    """One name per line; every line is a row (an empty line is an empty name)."""

    def __init__(self, path: str, column: str, chunk_size: int) -> None:
        super().__init__(path, chunk_size)
        self.columns = [column]
        self.column = column

    def chunks(self) -> Iterator[Chunk]:
        yielded = False
        while True:
            first = self.src.lines_read + 1
            lines = self.src.take(self.chunk_size)
            if not lines and yielded:
                return
            yielded = True
            block, bad = _decode_lines([_strip_eol(x) + b"\n" for x in lines], first)
            names = block.decode("utf-8").split("\n")[:-1] if lines else []
            frame = pl.DataFrame({self.column: names}, schema={self.column: pl.String})
            yield Chunk(frame, bad, self.src.bytes_read, lines_done=self.src.lines_read)
            if not lines:
                return


#: a line no input line can be: input is read as Latin-1 here, which never yields U+E000
_END = "\ue000\n"


class _CappedLines:
    """Lines for csv.reader, read as Latin-1 (quotes, separators and line ends are ASCII, so
    records split as they would in UTF-8, and no byte fails to decode). A record that
    reaches ``MAX_RECORD_LINES`` lines is ended there (``cut`` says so); ``_END`` follows
    the last line."""

    def __init__(self, lines: list[bytes], first: int) -> None:
        self.lines = lines
        self.next = first           #: index of the next line to give
        self.record_start = first   #: index of the line the current record started on
        self.ended = False
        self.cut = False            #: the current record was ended at MAX_RECORD_LINES

    def __iter__(self) -> "_CappedLines":
        return self

    def __next__(self) -> str:
        if self.next - self.record_start >= MAX_RECORD_LINES:
            self.cut = True
            raise StopIteration     # the record is cut here; the next one starts at self.next
        if self.next < len(self.lines):
            self.next += 1
            return self.lines[self.next - 1].decode("latin-1")
        if not self.ended:
            self.ended = True
            self.next += 1
            return _END
        raise StopIteration


#: a record the splitter could not read as CSV: index of its first line -> (index after
#: its last line, why); each of its lines becomes a row of its own, marked INVALID
Broken = dict[int, tuple[int, str]]


def _record_starts(lines: list[bytes], separator: str, first: int = 0) -> tuple[list[int], bool, Broken]:
    """The index of the line each record from line ``first`` on starts on, whether the
    last record is still open at the end of ``lines`` (a quoted field not closed yet),
    and the records that are not CSV (cut at ``MAX_RECORD_LINES``, or refused by the
    csv module, e.g. a field over its size limit)."""
    source = _CappedLines(lines, first)
    reader = csv.reader(source, delimiter=separator)
    starts: list[int] = []
    broken: Broken = {}
    while True:
        source.record_start = source.next
        source.cut = False
        try:
            next(reader)        # a record cut at MAX_RECORD_LINES comes back too (non-strict csv)
        except StopIteration:
            return starts, False, broken
        except csv.Error as exc:
            # the reader starts afresh at the next line; the lines it took are one bad record
            if source.record_start >= len(lines):
                return starts, False, broken
            starts.append(source.record_start)
            broken[source.record_start] = (min(source.next, len(lines)), f"not CSV: {exc}")
            if source.next > len(lines):
                return starts, False, broken
            continue
        if source.record_start >= len(lines):
            return starts, False, broken                 # the record is the end marker alone
        starts.append(source.record_start)
        if source.cut:
            broken[source.record_start] = (
                source.next, f"a quoted field still open after {MAX_RECORD_LINES:,} lines "
                             "(a quote never closed?)")
        if source.next > len(lines):
            # the end marker was read into this record: a quoted field is still open
            # (a record at MAX_RECORD_LINES never reads on, so it cannot get here)
            return starts, True, broken


def _split_broken(starts: list[int], broken: Broken, first_line_no: int) -> tuple[list[int], dict[int, str]]:
    """Record starts with every line of a broken record made a record of its own, and
    line index -> reason for those lines (each names its line and where the record began)."""
    if not broken:
        return starts, {}
    out: list[int] = []
    reasons: dict[int, str] = {}
    for start in starts:
        if start not in broken:
            out.append(start)
            continue
        end, why = broken[start]
        for i in range(start, max(end, start + 1)):
            out.append(i)
            where = "" if i == start else f" (in the record that starts on line {first_line_no + start})"
            reasons[i] = f"line {first_line_no + i}: {why}{where}" if i == start else \
                f"line {first_line_no + i}: not read as CSV{where}: {why}"
    return out, reasons


class DelimitedReader(_LineReader):
    """CSV or TSV with a header line; RFC 4180 quoting (a quoted field may span lines)."""

    def __init__(self, path: str, separator: str, chunk_size: int) -> None:
        super().__init__(path, chunk_size)
        self.separator = separator
        header_lines, _, header_broken = self._take_record_lines(1)
        if not header_lines:
            raise BatchInputError(f"input {path!r} is empty: no header line",
                                  fix="add a header line naming the columns")
        if header_broken:
            raise BatchInputError(f"{path}: the header is not CSV ({header_broken[0]})",
                                  fix="close the quote in the header line")
        try:
            header_text = b"".join(header_lines).decode("utf-8")
        except UnicodeDecodeError:
            raise BatchInputError(f"{path}:1: the header line is not valid UTF-8",
                                  fix="re-save the file as UTF-8") from None
        rows = list(csv.reader(io.StringIO(header_text), delimiter=separator))
        self.columns = rows[0] if rows else []
        if not self.columns or self.columns == [""]:
            raise BatchInputError(f"{path}:1: the header line is empty",
                                  fix="add a header line naming the columns")
        dupes = sorted({c for c in self.columns if self.columns.count(c) > 1})
        if dupes:
            raise BatchInputError(f"{path}:1: duplicate column name(s) in the header: {', '.join(dupes)}",
                                  fix="give every column a distinct name")
        self.schema = {c: pl.String for c in self.columns}

    def _take_record_lines(self, n: int) -> tuple[list[bytes], list[int] | None, dict[int, str]]:
        """``n`` physical lines, plus more while a quoted field is still open; the line
        index where each record starts (None when no line holds a quote: then every
        line is a record); and line index -> reason for the lines of records that are
        not CSV (each such line is a record of its own, so no line is swallowed).

        The csv module splits the records (RFC 4180: a field that starts with a
        quote may span lines, ``""`` inside it; a quote in the middle of an
        unquoted field, ``O"Brien``, opens nothing). A record may take at most
        ``MAX_RECORD_LINES`` lines, so one stray quote cannot pull the rest of the
        file into memory; a quote still open there, or at the end of the file,
        makes its record broken.
        """
        first_line_no = self.src.lines_read + 1
        lines = self.src.take(n)
        if not lines or b'"' not in b"".join(lines):
            return lines, None, {}
        starts, tail_open, broken = _record_starts(lines, self.separator)
        while tail_open:
            more = self.src.take(1)
            if not more:
                broken[starts[-1]] = (len(lines), "a quoted field opened on this line is never "
                                                  "closed (the file ends first)")
                break
            lines.extend(more)
            # only the open record is read again, with its next line
            found, tail_open, more_broken = _record_starts(lines, self.separator, starts.pop())
            starts.extend(found)
            broken.update(more_broken)
        starts, reasons = _split_broken(starts, broken, first_line_no)
        return lines, starts, reasons

    def chunks(self) -> Iterator[Chunk]:
        yielded = False
        while True:
            first = self.src.lines_read + 1
            lines, starts, broken = self._take_record_lines(self.chunk_size)
            if not lines:
                if not yielded:
                    yield Chunk(pl.DataFrame(schema=self.schema), {}, self.src.bytes_read,
                                lines_done=self.src.lines_read)
                return
            yielded = True
            if not lines[-1].endswith(b"\n"):
                lines[-1] += b"\n"
            block, bad_lines = _decode_lines(lines, first)
            n_records = len(starts) if starts is not None else len(lines)
            frame = None if broken else self._parse_fast(block, n_records)
            bad: dict[int, str] = {}
            if frame is None:
                frame, bad = self._parse_records(lines, starts, broken, first)
            if bad_lines:
                # map each bad physical line to the record that contains it
                if starts is None:
                    record_of = {i: i for i in bad_lines}
                else:
                    record_of = {i: bisect.bisect_right(starts, i) - 1 for i in bad_lines}
                for line_idx, reason in bad_lines.items():
                    bad.setdefault(record_of[line_idx], reason)
            yield Chunk(frame, bad, self.src.bytes_read, lines_done=self.src.lines_read)

    def _parse_fast(self, block: bytes, n_records: int) -> pl.DataFrame | None:
        try:
            frame = pl.read_csv(block, has_header=False, new_columns=self.columns,
                                schema=self.schema, separator=self.separator,
                                raise_if_empty=False)
        except pl.exceptions.PolarsError:
            return None
        return frame if frame.height == n_records else None

    def _parse_records(self, lines: list[bytes], starts: list[int] | None, broken: dict[int, str],
                       first_line_no: int) -> tuple[pl.DataFrame, dict[int, str]]:
        """Record by record with the csv module: one row per record, always; ragged
        records and the lines of broken ones are kept and marked."""
        width = len(self.columns)
        bounds = (list(range(len(lines))) if starts is None else starts) + [len(lines)]
        rows: list[list[str | None]] = []
        bad: dict[int, str] = {}
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            text = b"".join(lines[a:b]).decode("utf-8", errors="replace")
            if a in broken:
                bad[k] = broken[a]
            try:
                parsed = next(csv.reader(io.StringIO(text, newline=""), delimiter=self.separator), [])
            except csv.Error as exc:
                # past the csv module's field size limit: split on the separator
                bad.setdefault(k, f"line {first_line_no + a}: not CSV: {exc}")
                parsed = text.rstrip("\r\n").split(self.separator)
            if not parsed:
                rows.append([None] * width)
                continue
            record: list[str | None] = list(parsed)
            if len(record) != width:
                bad.setdefault(k, f"line {first_line_no + a}: {len(record)} fields where the header has {width}")
                record = (record + [None] * width)[:width]
            rows.append(record)
        frame = pl.DataFrame(rows, schema=self.schema, orient="row")
        return frame, bad


class NdjsonReader(_LineReader):
    """One JSON object per line; blank lines are not records; bad lines are kept and marked."""

    def __init__(self, path: str, column: str, chunk_size: int) -> None:
        super().__init__(path, chunk_size)
        # the columns come from the first JSON object (lines before it are replayed);
        # the first chunk may add keys, later chunks are aligned to them
        self._pending: list[bytes] = []
        self.columns: list[str] = []
        self._columns_fixed = False
        self._warned_extra: set[str] = set()
        while len(self._pending) < max(chunk_size, 1):
            lines = self.src.take(1)
            if not lines:
                break
            self._pending.extend(lines)
            try:
                obj = json.loads(lines[0])
            except ValueError:
                continue
            if isinstance(obj, dict):
                self.columns = list(obj)
                break

    def _align(self, frame: pl.DataFrame, first_line_no: int) -> tuple[pl.DataFrame, list[str]]:
        """The chunk with the file's columns, in the file's order (CSV output needs one header)."""
        notes: list[str] = []
        if not self._columns_fixed:
            self.columns += [c for c in frame.columns if c not in self.columns]
            self._columns_fixed = True
        extra = [c for c in frame.columns if c not in self.columns and c not in self._warned_extra]
        if extra:
            self._warned_extra.update(extra)
            notes.append(f"lines from {first_line_no}: key(s) {', '.join(extra)} not in the first "
                         f"{self.chunk_size:,} lines are not written (raise --chunk-size to keep them)")
        if frame.columns == self.columns:
            return frame, notes
        return frame.select(pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String).alias(c)
                            for c in self.columns), notes

    def chunks(self) -> Iterator[Chunk]:
        first = 1
        yielded = False
        while True:
            lines = self._pending + self.src.take(max(0, self.chunk_size - len(self._pending)))
            self._pending = []
            if not lines:
                if not yielded:
                    yield Chunk(pl.DataFrame(schema={c: pl.String for c in self.columns}),
                                {}, self.src.bytes_read, lines_done=self.src.lines_read)
                return
            yielded = True
            block, bad_lines = _decode_lines(lines, first)
            # split on \n only: str.splitlines would also split on U+2028 inside a name
            decoded = block.decode("utf-8").split("\n")
            if decoded and decoded[-1] == "":
                decoded.pop()
            keep = [i for i, text in enumerate(decoded) if text.strip()]
            frame = None
            if not bad_lines:
                try:
                    frame = pl.read_ndjson(io.BytesIO(block), infer_schema_length=None)
                    if frame.height != len(keep):
                        frame = None
                except pl.exceptions.PolarsError:
                    frame = None
            bad: dict[int, str] = {}
            if frame is None:
                frame, bad = self._parse_slow(decoded, keep, bad_lines, first)
            frame, notes = self._align(frame, first)
            yield Chunk(frame, bad, self.src.bytes_read, notes, lines_done=self.src.lines_read)
            first += len(lines)

    def _parse_slow(self, decoded: list[str], keep: list[int], bad_lines: dict[int, str],
                    first_line_no: int) -> tuple[pl.DataFrame, dict[int, str]]:
        rows: list[dict[str, object]] = []
        bad: dict[int, str] = {}
        for i in keep:
            if i in bad_lines:
                # keep what the lossy decoding can still read, but mark the row
                bad[len(rows)] = bad_lines[i]
                try:
                    obj = json.loads(decoded[i])
                except ValueError:
                    obj = {}
                rows.append(obj if isinstance(obj, dict) else {})
                continue
            try:
                obj = json.loads(decoded[i])
            except ValueError as exc:
                bad[len(rows)] = f"line {first_line_no + i}: not valid JSON ({exc.msg})"
                rows.append({})
                continue
            if not isinstance(obj, dict):
                bad[len(rows)] = f"line {first_line_no + i}: a JSON {type(obj).__name__}, not an object"
                rows.append({})
                continue
            rows.append(obj)
        if not rows:
            return pl.DataFrame(schema={c: pl.String for c in self.columns}), bad
        try:
            frame = pl.from_dicts(rows, infer_schema_length=None)
        except (pl.exceptions.PolarsError, TypeError, ValueError):
            # mixed types in one field: keep every value as its JSON text
            cols = list(dict.fromkeys(k for r in rows for k in r))
            frame = pl.DataFrame(
                {c: [None if r.get(c) is None else
                     (r[c] if isinstance(r[c], str) else json.dumps(r[c], ensure_ascii=False))
                     for r in rows] for c in cols},
                schema={c: pl.String for c in cols})
        return frame, bad


class ParquetReader(ChunkReader):
    """Record batches of at most ``chunk_size`` rows (pyarrow streams row groups)."""

    def __init__(self, path: str, chunk_size: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.chunk_size = chunk_size
        source: object
        if path == STDIO:
            data = sys.stdin.buffer.read()  # Parquet needs seeking: stdin is buffered whole
            source = pa.BufferReader(data)
            self.total_bytes = len(data)
        else:
            fh, self.total_bytes = _open_binary(path)
            fh.close()
            source = path
        try:
            self.pf = pq.ParquetFile(source)
        except (pa.ArrowInvalid, OSError) as exc:
            raise BatchInputError(f"cannot read {path!r} as Parquet: {exc}",
                                  fix="check the file is Parquet, or pass --format") from None
        self.schema = self.pf.schema_arrow
        self.columns = list(self.schema.names)
        empty = pl.from_arrow(self.schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        self.dtypes = dict(empty.schema)
        self.total_rows = self.pf.metadata.num_rows

    def chunks(self) -> Iterator[Chunk]:
        import pyarrow as pa

        done = 0
        yielded = False
        for batch in self.pf.iter_batches(batch_size=self.chunk_size):
            done += batch.num_rows
            frame = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(frame, pl.DataFrame)
            approx = int(self.total_bytes * done / self.total_rows) if self.total_rows and self.total_bytes else 0
            yielded = True
            yield Chunk(frame, {}, approx)
        if not yielded:
            frame = pl.from_arrow(self.schema.empty_table())
            assert isinstance(frame, pl.DataFrame)
            yield Chunk(frame, {}, self.total_bytes or 0)


def open_reader(path: str, fmt: Format, column: str, chunk_size: int) -> ChunkReader:
    """A reader for ``path`` in ``fmt``; raises :class:`BatchInputError` if it cannot be read."""
    if path != STDIO and Path(path).is_dir():
        raise BatchInputError(f"input {path!r} is a folder: only --engine ray reads folders, of Parquet files "
                              "(docs/scaling.md, \"Ray\")", fix="pass one file, or a folder of .parquet files with --engine ray")
    if fmt is Format.TEXT:
        return TextReader(path, column, chunk_size)
    if fmt is Format.CSV:
        return DelimitedReader(path, ",", chunk_size)
    if fmt is Format.TSV:
        return DelimitedReader(path, "\t", chunk_size)
    if fmt is Format.NDJSON:
        return NdjsonReader(path, column, chunk_size)
    return ParquetReader(path, chunk_size)


# --- writers ------------------------------------------------------------------


def _nested_to_json(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV and TSV cells are text: nested columns become JSON strings."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    if not nested:
        return frame
    return frame.with_columns(
        pl.Series(name, [None if v is None else json.dumps(v, ensure_ascii=False)
                         for v in frame[name].to_list()], dtype=pl.String)
        for name in nested
    )


class ChunkWriter:
    """Appends result chunks to a file or stdout; a file appears only when complete.

    Output to a path goes to ``<path>.partial`` and is renamed at the end, so a
    failed run never leaves a half-written file under the requested name.
    """

    def __init__(self, path: str, fmt: Format) -> None:
        self.path = path
        self.fmt = fmt
        self.rows = 0
        self._started = False
        self._pq_writer = None
        self._pq_schema = None
        if path == STDIO:
            self.sink: BinaryIO = sys.stdout.buffer
            self.partial: Path | None = None
        else:
            target = Path(path)
            if target.is_dir():
                raise BatchInputError(f"output {path!r} is a directory",
                                      fix="pass a file name for -o")
            if not target.parent.exists():
                raise BatchInputError(f"the folder of output {path!r} does not exist",
                                      fix=f"create {str(target.parent)!r} first")
            self.partial = target.with_name(target.name + ".partial")
            try:
                self.sink = open(self.partial, "wb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise BatchInputError(f"cannot write output {path!r}: {exc.strerror}",
                                      fix="check the folder's permissions") from None

    def write(self, frame: pl.DataFrame) -> None:
        if self.fmt in (Format.CSV, Format.TSV):
            _nested_to_json(frame).write_csv(
                self.sink, separator="," if self.fmt is Format.CSV else "\t",
                include_header=not self._started)
        elif self.fmt is Format.NDJSON:
            frame.write_ndjson(self.sink)
        else:
            self._write_parquet(frame)
        self._started = True
        self.rows += frame.height
        if self.partial is None:
            self.sink.flush()

    def _write_parquet(self, frame: pl.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # a column that is all null in the first chunk must still take text later
        frame = frame.with_columns(pl.col(n).cast(pl.String)
                                   for n, d in frame.schema.items() if d == pl.Null)
        table = frame.to_arrow()
        if self._pq_writer is None:
            self._pq_schema = table.schema
            self._pq_writer = pq.ParquetWriter(self.sink, table.schema)
        elif table.schema != self._pq_schema:
            try:
                table = table.cast(self._pq_schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
                raise BatchInputError(
                    f"a column changes type between chunks and cannot be written to one Parquet schema: {exc}",
                    fix="write CSV or NDJSON instead, or make the column's type consistent") from None
        self._pq_writer.write_table(table)

    def close(self, *, ok: bool) -> None:
        if self._pq_writer is not None:
            self._pq_writer.close()
        if self.partial is None:
            self.sink.flush()
            return
        self.sink.close()
        if ok:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)
