"""A name or language column that is not text (issue 13, defect 4).

Invariant: a column of lists, structs, booleans... is refused with exit 2 and a
message naming the column and its type, nothing written, no traceback; a
numeric column is refused too unless ``--numbers-as-text`` asks to read the
numbers as names.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests.test_batch_cli import read, run


def _check_refused(proc, out: Path, column: str) -> str:  # type: ignore[no-untyped-def]
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert f"column {column!r}" in stderr and "namebridge: fix:" in stderr
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()
    return stderr


def test_a_column_of_lists_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pl.DataFrame({"name": [["Donald", "Trump"], ["Israel"]]}).write_parquet(src)
    out = tmp_path / "out.csv"
    stderr = _check_refused(run(str(src), "-o", str(out), "--jobs", "1"), out, "name")
    assert "list" in stderr.lower()


def test_a_language_column_of_structs_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pl.DataFrame({"name": ["Israel"], "lang": [{"code": "en"}]}).write_parquet(src)
    out = tmp_path / "out.csv"
    _check_refused(run(str(src), "-o", str(out), "--lang-column", "lang", "--jobs", "1"), out, "lang")


def test_numbers_are_refused_unless_asked_for(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pl.DataFrame({"name": [7, 1984]}).write_parquet(src)
    out = tmp_path / "out.csv"
    stderr = _check_refused(run(str(src), "-o", str(out), "--jobs", "1"), out, "name")
    assert "--numbers-as-text" in stderr
    proc = run(str(src), "-o", str(out), "--jobs", "1", "--numbers-as-text")
    assert proc.returncode == 0, proc.stderr.decode()
    assert read(out)["name"].to_list() == ["7", "1984"]


def test_numbers_in_ndjson_are_refused_too(tmp_path: Path) -> None:
    src = tmp_path / "in.ndjson"
    src.write_text('{"name": 7}\n{"name": 8}\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    _check_refused(run(str(src), "-o", str(out), "--jobs", "1"), out, "name")
