"""``namebridge batch`` run as a user runs it: the real CLI in a subprocess on real files.

Every test writes its input into ``tmp_path``, runs ``.venv/bin/namebridge batch``
and reads the output back with polars. Invariants checked: every input row comes
out, in order, with its original columns and the added ones; unusable rows are
kept as INVALID with a reason (line numbers for undecodable bytes); input errors
exit 2 before anything is written; chunking and worker processes change nothing.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")
ADDED = ["entity_id", "canonical_name", "entity_type", "score", "decision", "matched_alias", "reason"]
DECISIONS = {"MATCH", "AMBIGUOUS", "NO_MATCH", "INVALID"}

#: names in several scripts, repeated as real tables repeat them
VALID_NAMES = [
    "Kassym-Jomart Tokayev", "Тоқаев", "توکایف", "Kazakistan'ın", "Қазақстан",
    "Kazakhstan", "Israel", "إسرائيل", "Donald Trump", "ترامب", "Токаевтың",
    "Astana", "Benjamin Netanyahu", "نتنياهو", "Abraham Accords", "Zzyzx Qwerty",
]
TOO_LONG = "x" * 5000


def run(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([NAMEBRIDGE, "batch", *args], input=stdin, capture_output=True, timeout=timeout)


def ok(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc


def table(n: int = 60) -> pl.DataFrame:
    """``n`` rows: a row id, a name (valid, repeated, or unusable) and a payload column."""
    names: list[str | None] = []
    for i in range(n):
        names.append(VALID_NAMES[(i * 7) % len(VALID_NAMES)])
    names[3] = None           # null
    names[5] = ""             # empty
    names[8] = "   \t "       # whitespace only
    names[13] = TOO_LONG      # over settings.max_name_length
    return pl.DataFrame({"row": [f"r{i:04d}" for i in range(n)], "name": names,
                         "payload": [f"p{i}" for i in range(n)]})


INVALID_AT = {3, 5, 8, 13}


def write(frame: pl.DataFrame, path: Path) -> Path:
    fmt = path.suffix
    if fmt == ".csv":
        frame.write_csv(path)
    elif fmt == ".tsv":
        frame.write_csv(path, separator="\t")
    elif fmt == ".parquet":
        frame.write_parquet(path)
    elif fmt == ".ndjson":
        frame.write_ndjson(path)
    elif fmt == ".txt":
        path.write_text("".join(f"{'' if n is None else n}\n" for n in frame["name"]), encoding="utf-8")
    return path


def read(path: Path) -> pl.DataFrame:
    if path.suffix == ".csv":
        return pl.read_csv(path, infer_schema=False)
    if path.suffix == ".tsv":
        return pl.read_csv(path, separator="\t", infer_schema=False)
    if path.suffix == ".ndjson":
        return pl.read_ndjson(path)
    return pl.read_parquet(path)


def check_result(out: pl.DataFrame, source: pl.DataFrame, original: list[str]) -> None:
    """Same rows in the same order, original columns intact, added columns filled."""
    assert out.height == source.height
    assert out.columns[: len(original)] == original
    assert out.columns[len(original):][: len(ADDED)] == ADDED
    for col in original:
        expected = source[col]
        if col == "name" and expected.null_count():
            # text and CSV cannot tell null from empty: compare as text with null -> ""
            assert out[col].fill_null("").to_list() == expected.fill_null("").to_list()
        else:
            assert out[col].to_list() == expected.to_list(), col
    assert set(out["decision"].to_list()) <= DECISIONS
    invalid = [i for i, d in enumerate(out["decision"].to_list()) if d == "INVALID"]
    assert invalid == sorted(INVALID_AT)
    for i in INVALID_AT:
        assert out["reason"][i], f"row {i} INVALID without a reason"
        assert out["entity_id"][i] is None
    valid = out.filter(pl.col("decision") != "INVALID")
    assert valid["reason"].null_count() == valid.height
    assert valid["score"].cast(pl.Float64).is_between(0, 1).all()
    # entity_id is set exactly on MATCH
    assert (valid["entity_id"].is_not_null() == (valid["decision"] == "MATCH")).all()


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".ndjson", ".txt"])
def test_each_input_format_keeps_every_row_in_order(tmp_path: Path, suffix: str) -> None:
    source = table()
    if suffix == ".txt":
        source = source.select(pl.col("name").fill_null(""))
    src = write(source, tmp_path / f"in{suffix}")
    out_path = tmp_path / "out.parquet"
    proc = ok(str(src), "-o", str(out_path), "--jobs", "1")
    out = pl.read_parquet(out_path)
    check_result(out, source, source.columns)
    reasons = out["reason"].to_list()
    assert "long" in reasons[13] or "256" in reasons[13], reasons[13]
    summary = proc.stderr.decode()
    assert f"{source.height:,} rows" in summary and "INVALID 4" in summary


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".ndjson", ".parquet"])
def test_each_output_format_holds_the_same_results(tmp_path: Path, suffix: str) -> None:
    source = table(40)
    src = write(source, tmp_path / "in.parquet")
    out_path = tmp_path / f"out{suffix}"
    ok(str(src), "-o", str(out_path), "--top-k", "3", "-q")
    out = read(out_path)
    check_result(out, source, source.columns)
    assert out.columns[-1] == "candidates"
    first_valid = 0
    if suffix in (".csv", ".tsv"):
        cands = json.loads(out["candidates"][first_valid])  # flattened to JSON text
    else:
        cands = out["candidates"][first_valid]
        cands = cands.to_list() if hasattr(cands, "to_list") else cands
    assert len(cands) <= 3
    for cand in cands:
        assert set(cand) == {"entity_id", "score", "matched_alias"}
    assert not (tmp_path / f"out{suffix}.partial").exists()


def test_nested_candidates_column_in_parquet(tmp_path: Path) -> None:
    src = write(table(20), tmp_path / "in.csv")
    ok(str(src), "-o", str(tmp_path / "out.parquet"), "--top-k", "2", "-q")
    schema = pl.read_parquet_schema(tmp_path / "out.parquet")
    assert schema["candidates"] == pl.List(pl.Struct({"entity_id": pl.String, "score": pl.Float64,
                                                      "matched_alias": pl.String}))


def test_undecodable_bytes_are_kept_with_their_line_number(tmp_path: Path) -> None:
    """A bad byte in line 9 (header is line 1) and, after a quoted field spanning
    two lines, one in line 15: both rows kept, INVALID, with the right line."""
    lines = [b"row,name"]
    for i in range(12):
        lines.append(f"r{i},{VALID_NAMES[i]}".encode())
    lines[8] = b"r7,Tok\xffaev"                      # line 9
    lines.insert(10, b'r_multi,"Astana\nCity"')      # lines 11-12: one record
    lines[13] = b"r11,\xc3\x28 broken"              # line 15 (the record above took two)
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    proc = ok(str(path), "-o", str(tmp_path / "out.csv"), "--chunk-size", "4", "--jobs", "1")
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out.height == 13
    assert out["row"].to_list()[7] == "r7" and out["row"].to_list()[12] == "r11"
    bad = out.filter(pl.col("decision") == "INVALID")
    assert bad["row"].to_list() == ["r7", "r11"]
    assert bad["reason"][0].startswith("line 9:") and "undecodable" in bad["reason"][0]
    assert bad["reason"][1].startswith("line 15:")
    assert "\ufffd" in bad["name"][0]                 # kept, decoded with U+FFFD
    assert out.filter(pl.col("row") == "r_multi")["name"].to_list() == ["Astana\nCity"]
    stderr = proc.stderr.decode()
    assert "line 9" in stderr and "line 15" in stderr


def test_undecodable_line_in_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_bytes(b"Tokayev\n\nAstana\n\xfe\xfe\nIsrael\n")
    ok(str(path), "-o", str(tmp_path / "out.tsv"), "--chunk-size", "2", "-q")
    out = pl.read_csv(tmp_path / "out.tsv", separator="\t", infer_schema=False)
    assert out.height == 5
    assert out["decision"].to_list()[1] == "INVALID"   # the empty line
    assert out["decision"].to_list()[3] == "INVALID"
    assert out["reason"][3].startswith("line 4:")
    assert out["name"].to_list()[4] == "Israel"


def test_ragged_csv_record_is_kept_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("name,n\nTokayev,1\nAstana,2,extra\nIsrael,3\n", encoding="utf-8")
    ok(str(path), "-o", str(tmp_path / "out.csv"), "-q")
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out["n"].to_list() == ["1", "2", "3"]
    assert out["decision"].to_list()[1] == "INVALID"
    assert out["reason"][1].startswith("line 3:")


@pytest.mark.parametrize("sep", [",", "\t"])
def test_a_quote_inside_a_name_does_not_swallow_rows(tmp_path: Path, sep: str) -> None:
    """``O"Brien`` opens no quoted field; a quoted field may still span lines."""
    body = f'name{sep}n\nO"Brien{sep}1\nAhmed "Abu{sep}2\n"Astana\nCity"{sep}3\nIsrael{sep}4\n'
    path = tmp_path / ("in.csv" if sep == "," else "in.tsv")
    path.write_text(body, encoding="utf-8")
    for chunk in ("1", "1000"):
        ok(str(path), "-o", str(tmp_path / "out.parquet"), "--chunk-size", chunk, "-q")
        out = pl.read_parquet(tmp_path / "out.parquet")
        assert out["name"].to_list() == ['O"Brien', 'Ahmed "Abu', "Astana\nCity", "Israel"]
        assert out["n"].to_list() == ["1", "2", "3", "4"]


def test_bad_json_line_is_kept_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text('{"name": "Tokayev"}\n{"name": \n{"name": "Astana"}\n', encoding="utf-8")
    ok(str(path), "-o", str(tmp_path / "out.ndjson"), "-q")
    out = pl.read_ndjson(tmp_path / "out.ndjson")
    assert out.height == 3
    assert out["decision"].to_list()[1] == "INVALID"
    assert out["reason"][1].startswith("line 2:")


def test_ndjson_keys_in_any_order_land_in_the_right_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text('{"name": "Astana", "n": 1}\n{"n": 2, "name": "Israel"}\n{"name": "Tokayev"}\n',
                    encoding="utf-8")
    ok(str(path), "-o", str(tmp_path / "out.csv"), "--chunk-size", "1", "-q")
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out.columns[:2] == ["name", "n"]
    assert out["name"].to_list() == ["Astana", "Israel", "Tokayev"]
    assert out["n"].to_list() == ["1", "2", None]


def test_missing_column_exits_2_naming_the_fix(tmp_path: Path) -> None:
    src = write(table(20), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    proc = run(str(src), "--column", "full_name", "-o", str(out))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "full_name" in err and "--column" in err and "row, name, payload" in err
    assert not out.exists() and not (tmp_path / "out.csv.partial").exists()
    proc = run(str(src), "--lang-column", "lang", "-o", str(out))
    assert proc.returncode == 2 and "--lang-column" in proc.stderr.decode()


@pytest.mark.parametrize("case", ["missing", "directory", "not_parquet", "no_output_dir", "unknown_ext"])
def test_unreadable_input_exits_2(tmp_path: Path, case: str) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    if case == "directory":
        src = tmp_path / "adir.csv"
        src.mkdir()
    elif case == "not_parquet":
        src = tmp_path / "in.parquet"
        src.write_bytes(b"this is not parquet")
    elif case == "no_output_dir":
        write(table(20), src)
        out = tmp_path / "nowhere" / "out.csv"
    elif case == "unknown_ext":
        src = tmp_path / "in.xlsx"
        src.write_bytes(b"x")
    proc = run(str(src), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.decode()
    assert err.startswith("namebridge: error:") and "namebridge: fix:" in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("flags", [
    ("--chunk-size", "0"), ("--jobs", "0"), ("--top-k", "0"), ("--top-k", "100000"),
    ("--format", "xlsx"), ("--output-format", "text"), ("SAME",),
])
def test_bad_flags_exit_2_before_any_work(tmp_path: Path, flags: tuple[str, ...]) -> None:
    src = write(table(20), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    if flags == ("SAME",):
        out, flags = src, ()
    proc = run(str(src), "-o", str(out), *flags)
    assert proc.returncode == 2, proc.stderr
    assert b"namebridge: fix:" in proc.stderr and b"Traceback" not in proc.stderr
    assert out == src or not out.exists()
    assert src.read_bytes() == write(table(20), tmp_path / "again.csv").read_bytes()


def test_strict_exits_1_on_invalid_rows_and_0_without(tmp_path: Path) -> None:
    src = write(table(20), tmp_path / "in.csv")
    proc = run(str(src), "-o", str(tmp_path / "out.csv"), "--strict", "-q")
    assert proc.returncode == 1
    assert pl.read_csv(tmp_path / "out.csv").height == 20   # done, all rows written
    clean = write(pl.DataFrame({"name": VALID_NAMES}), tmp_path / "clean.csv")
    assert run(str(clean), "-o", str(tmp_path / "out2.csv"), "--strict", "-q").returncode == 0


def _big_table() -> pl.DataFrame:
    frame = table(600)
    extra = [f"{VALID_NAMES[i % len(VALID_NAMES)]} {i % 150}" for i in range(600)]
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.Series(extra)).otherwise(pl.col("name"))
        .alias("name"))


def test_chunks_and_jobs_change_nothing(tmp_path: Path) -> None:
    """Small chunks, two workers, a tiny cache: the same table as one chunk in one process."""
    src = write(_big_table(), tmp_path / "in.csv")
    ok(str(src), "-o", str(tmp_path / "one.parquet"), "--jobs", "1", "--top-k", "2", "-q")
    ok(str(src), "-o", str(tmp_path / "many.parquet"), "--jobs", "2", "--chunk-size", "37",
       "--cache-size", "10", "--top-k", "2", "-q")
    one, many = pl.read_parquet(tmp_path / "one.parquet"), pl.read_parquet(tmp_path / "many.parquet")
    assert one.height == 600
    assert one.equals(many)


def test_stdin_text_to_stdout_tsv(tmp_path: Path) -> None:
    names = ["Tokayev", "Тоқаев", "", "Tokayev"]
    proc = ok("-", "-o", "-", "-q", stdin="\n".join(names).encode() + b"\n")
    out = pl.read_csv(proc.stdout, separator="\t", infer_schema=False)
    assert out.columns == ["name", *ADDED]
    assert out["name"].fill_null("").to_list() == names
    assert out["decision"].to_list()[2] == "INVALID"
    assert out.row(0) == out.row(3)


def test_language_column_is_a_hint_per_row(tmp_path: Path) -> None:
    frame = pl.DataFrame({"name": ["Тоқаев", "Тоқаев", "Тоқаев", "Astana"],
                          "lang": ["kk", None, "not-a-language-at-all", ""]})
    src = write(frame, tmp_path / "in.parquet")
    ok(str(src), "--lang-column", "lang", "-o", str(tmp_path / "out.parquet"), "-q")
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out["lang"].to_list() == frame["lang"].to_list()
    assert out["decision"].to_list()[2] == "INVALID"
    assert "language" in out["reason"][2]
    assert out["decision"].to_list()[0] != "INVALID" and out["decision"].to_list()[3] != "INVALID"


def test_quiet_on_a_pipe_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    src = write(table(30), tmp_path / "in.csv")
    quiet = run(str(src), "-o", str(tmp_path / "q.csv"), "-q")
    assert quiet.returncode == 0 and quiet.stderr == b""
    piped = ok(str(src), "-o", str(tmp_path / "p.csv"))
    lines = piped.stderr.decode().splitlines()     # on a pipe: the summary line only, no bar
    assert len(lines) == 1 and lines[0].startswith("namebridge batch: 30 rows"), lines
    main, child = pty.openpty()
    proc = subprocess.Popen([NAMEBRIDGE, "batch", str(src), "-o", str(tmp_path / "t.csv")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    seen = b""
    while True:  # read while it runs: a full pty buffer would block the bar
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        seen += data
    os.close(main)
    proc.wait(timeout=120)
    assert proc.returncode == 0
    assert b"rows/s" in seen and b"ETA" in seen and b"namebridge batch: 30 rows" in seen


def test_help_documents_exit_codes() -> None:
    proc = subprocess.run([NAMEBRIDGE, "batch", "--help"], capture_output=True, timeout=60,
                          env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0
    text = proc.stdout.decode()
    for flag in ("--column", "--lang-column", "--format", "--top-k", "--jobs", "--chunk-size",
                 "--server", "--strict", "--quiet"):
        assert flag in text
    assert "Exit codes" in text


def test_readme_documents_batch() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section: batch -->", 1)[1].split("\n## ", 1)[0]
    assert "namebridge batch" in section and "--strict" in section and "exit" in section.lower()
