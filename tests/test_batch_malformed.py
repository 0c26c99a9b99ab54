"""Malformed batch input: no input line is ever lost, and none crashes the run.

Issue 13: a CSV whose quote is never closed used to swallow every line after it
(exit 0, ``INVALID 0``), and a quoted field past the csv module's field size
limit crashed the run. Invariant: every physical line after the header becomes
exactly one output row (a line of a broken record is a row of its own, INVALID,
with its line number), and the summary says how many lines became how many rows.
"""

from __future__ import annotations

from pathlib import Path


from tests.test_batch_cli import read, run


def test_unterminated_quote_keeps_every_following_line(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_bytes(b'id,name\n1,"Trump\n2,Putin\n3,Axios\n')
    out = tmp_path / "out.csv"
    proc = run(str(src), "-o", str(out), "--jobs", "1")
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    frame = read(out)
    assert frame.height == 3, frame
    assert frame["id"].to_list() == ["1", "2", "3"]
    assert frame["decision"].to_list() == ["INVALID"] * 3
    assert frame["reason"][0].startswith("line 2:") and "never closed" in frame["reason"][0]
    assert frame["reason"][1].startswith("line 3:") and "line 2" in frame["reason"][1]
    assert "line 2" in stderr
    assert "3 rows from 4 input line(s)" in stderr and "INVALID 3" in stderr


def test_open_quote_over_the_csv_field_limit_is_no_crash(tmp_path: Path) -> None:
    """200 kB inside one open quote (the csv module's limit is 128 kB), across chunks."""
    body = "".join(f"{i},{'a' * 100}\n" for i in range(2000))
    src = tmp_path / "big.csv"
    src.write_text('id,name\nx,"open\n' + body + "last,Israel\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    proc = run(str(src), "-o", str(out), "--chunk-size", "300", "--jobs", "1")
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    frame = read(out)
    assert frame.height == 2002
    assert frame["id"].to_list()[0] == "x" and frame["id"].to_list()[-1] == "last"
    decisions = frame["decision"].to_list()
    # the csv module gives up on the record past its limit; those lines are INVALID rows,
    # and it reads on afresh from the next line
    assert decisions[0] == "INVALID" and frame["reason"][0].startswith("line 2:")
    broken = decisions.index("NO_MATCH") if "NO_MATCH" in decisions else len(decisions)
    assert broken > 1000 and set(decisions[:broken]) == {"INVALID"}
    assert "2,002 rows from 2,003 input line(s)" in stderr


def test_a_closed_quote_after_the_break_is_read_normally(tmp_path: Path) -> None:
    """Lines before the broken record and ordinary records are untouched."""
    src = tmp_path / "q.tsv"
    src.write_bytes(b'id\tname\n1\t"Astana\nCity"\n2\tIsrael\n3\t"Trump\n4\tPutin\n')
    proc = run(str(src), "-o", str(tmp_path / "out.tsv"), "--jobs", "1", "--chunk-size", "2")
    assert proc.returncode == 0, proc.stderr.decode()
    frame = read(tmp_path / "out.tsv")
    assert frame["id"].to_list() == ["1", "2", "3", "4"]
    assert frame["name"][0] == "Astana\nCity"
    assert frame["decision"].to_list()[1] != "INVALID"
    assert frame["decision"].to_list()[2:] == ["INVALID", "INVALID"]
