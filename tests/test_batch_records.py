"""How CSV/TSV input is split into records (the csv module, with a cap on lines per record)."""

from __future__ import annotations

from pathlib import Path

import pytest

from namebridge.batch import formats
from namebridge.batch.formats import Format, open_reader


def _names(path: Path, chunk_size: int = 2) -> list[str | None]:
    reader = open_reader(str(path), Format.CSV, "name", chunk_size)
    try:
        return [name for chunk in reader.chunks() for name in chunk.frame["name"].to_list()]
    finally:
        reader.close()


def test_a_quoted_field_spans_lines_and_chunks(tmp_path: Path) -> None:
    """A record whose quoted field is still open at the end of a chunk takes the lines it needs."""
    path = tmp_path / "in.csv"
    path.write_text('name,n\na,1\n"Astana\nCity\n""Nur-Sultan""",2\nO"Brien,3\n', encoding="utf-8")
    assert _names(path) == ["a", 'Astana\nCity\n"Nur-Sultan"', 'O"Brien']


def test_record_starts_cut_a_record_at_max_record_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """One stray quote makes the splitter take at most MAX_RECORD_LINES lines for its record,
    and that record is reported broken (its lines become rows of their own, INVALID)."""
    monkeypatch.setattr(formats, "MAX_RECORD_LINES", 3)
    lines = [b'"a\n', b"b\n", b"c\n", b"d\n", b"e\n", b'"f\n']
    starts, tail_open, broken = formats._record_starts(lines, ",")
    assert (starts, tail_open, list(broken)) == ([0, 3, 4, 5], True, [0])
    assert broken[0][0] == 3 and "still open" in broken[0][1]
    assert formats._record_starts(lines[:5], ",")[:2] == ([0, 3, 4], False)
    assert formats._record_starts([b'O"Brien,1\n', b'"x""y",2\n'], ",") == ([0, 1], False, {})
    assert formats._split_broken([0, 3, 4], {0: (3, "why")}, 2)[0] == [0, 1, 2, 3, 4]
