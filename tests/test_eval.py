"""The evaluation set and its harness.

- the metric computations on a hand-made results frame (exact values);
- reading a cases file: every bad row named ``path:line``;
- the set itself: not empty, at least 400 cases, about 60/40 positives/negatives,
  no query equal (after normalisation) to a lexicon alias, every expected ID in
  the lexicon;
- the real ``namebridge eval`` CLI in a subprocess, once: the issue's floors,
  and no regression against the committed frozen run ``tests/eval/results.tsv``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from namebridge import evaluation
from namebridge.errors import DataFileError
from namebridge.lexicon.files import read_table_strict

HERE = Path(__file__).resolve().parent
CASES = HERE / "eval" / "cases.tsv"
FROZEN = HERE / "eval" / "results.tsv"
LEXICON = HERE.parent / "lexicons"

#: the issue's acceptance targets (issue 4); the engine is fixed to meet them, never the set
MIN_TOP1_ACCURACY = 0.95
MAX_FALSE_MATCH_RATE = 0.02


# --- metrics on a hand-made frame ---------------------------------------------


def _results() -> pl.DataFrame:
    rows = [
        # query, expected, kind, decision, got, top, score
        ("q1", "person:a", "romanization", "MATCH", "person:a", "person:a", 0.95),
        ("q2", "person:a", "romanization", "MATCH", "person:b", "person:b", 0.90),
        ("q3", "person:b", "typo", "NO_MATCH", "NIL", "person:b", 0.40),
        ("q4", "person:b", "typo", "AMBIGUOUS", "NIL", "person:c", 0.60),
        ("n1", "NIL", "negative_given", "MATCH", "person:a", "person:a", 0.85),
        ("n2", "NIL", "negative_given", "AMBIGUOUS", "NIL", "person:a", 0.70),
        ("n3", "NIL", "negative_given", "NO_MATCH", "NIL", "person:c", 0.20),
        ("n4", "NIL", "negative_given", "NO_MATCH", "NIL", "NIL", 0.0),
    ]
    cols = ["query", "expected", "kind", "decision", "got", "top", "score"]
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    return frame.with_columns(
        pl.lit("s").alias("source"),
        pl.int_range(1, frame.height + 1).alias("line"),
        pl.when(pl.col("query").str.starts_with("n")).then(pl.lit("Latin"))
        .otherwise(pl.lit("Cyrillic")).alias("script"),
        pl.lit("why").alias("explanation"),
    )


def test_overall_figures_are_exact() -> None:
    report = evaluation.summarize(_results())
    o = report.overall
    assert (o["cases"], o["positives"], o["negatives"]) == (8, 4, 4)
    assert o["top1_accuracy"] == pytest.approx(1 / 4)   # q1 only
    assert o["recall"] == pytest.approx(1 / 4)
    assert o["ranked"] == pytest.approx(2 / 4)          # q1, q3 have the right top candidate
    assert o["precision"] == pytest.approx(1 / 3)       # MATCH on q1, q2, n1; right on q1
    assert o["nil_accuracy"] == pytest.approx(3 / 4)    # AMBIGUOUS and NO_MATCH are right for NIL
    assert o["false_match_rate"] == pytest.approx(1 / 4)


def test_per_kind_figures_and_null_rates() -> None:
    by_kind = {r["kind"]: r for r in evaluation.summarize(_results()).by_kind.to_dicts()}
    assert by_kind["romanization"]["top1_accuracy"] == pytest.approx(0.5)
    assert by_kind["romanization"]["precision"] == pytest.approx(0.5)
    assert by_kind["romanization"]["nil_accuracy"] is None       # no negatives: n/a, not 0 or 1
    assert by_kind["typo"]["precision"] is None                  # no MATCH at all
    assert by_kind["typo"]["top1_accuracy"] == 0.0
    assert by_kind["negative_given"]["top1_accuracy"] is None
    assert by_kind["negative_given"]["false_match_rate"] == pytest.approx(0.25)
    by_script = {r["script"]: r for r in evaluation.summarize(_results()).by_script.to_dicts()}
    assert by_script["Cyrillic"]["cases"] == 4 and by_script["Latin"]["negatives"] == 4


def test_failures_are_listed_worst_first() -> None:
    failures = evaluation.summarize(_results()).failures
    assert failures["query"].to_list() == ["n1", "q2", "q4", "q3"]
    assert failures["failure"].to_list() == ["false_match", "wrong_match", "missed", "missed"]
    text = evaluation.format_report(evaluation.summarize(_results()), failures=2)
    assert "[false_match] line 5 negative_given: 'n1'" in text and "'q4'" not in text


def test_frozen_file_round_trips(tmp_path: Path) -> None:
    report = evaluation.summarize(_results())
    path = tmp_path / "results.tsv"
    evaluation.write_frozen(report, path)
    back = evaluation.read_frozen(path)
    assert back.height == 8
    assert evaluation.figures_of(back) == {"positives_correct": 1, "positives": 4,
                                           "negatives_correct": 3, "negatives": 4}
    assert "score" not in back.columns


# --- reading cases --------------------------------------------------------------


def test_bad_case_rows_are_reported_with_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.tsv"
    path.write_text(
        "# comment\n"
        "query\texpected\tkind\tsource\n"
        "Tokaev\tperson:kassym-jomart-tokayev\tromanization\tconstructed\n"
        "Tokajew\tTokayev\tromanization\tconstructed\n"          # line 4: not an ID
        "Tokaev\tNIL\tromanization\tconstructed\n"               # line 5: duplicate query
        "Putin\tNIL\tNegative\tconstructed\n"                    # line 6: bad kind
        "Macron\tNIL\tnegative_unknown\n",                       # line 7: 3 fields
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        evaluation.read_cases(path)
    lines = sorted(p.line for p in caught.value.problems)
    assert lines == [4, 5, 6, 7]
    assert all(p.path.endswith("cases.tsv") for p in caught.value.problems)


def test_a_cases_file_without_cases_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.tsv"
    path.write_text("query\texpected\tkind\tsource\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no cases"):
        evaluation.read_cases(path)


@pytest.mark.parametrize("text, script", [
    ("Tokayev", "Latin"), ("Тоқаев", "Cyrillic"), ("توکایف", "Arabic"),
    ("Tokayev'e", "Latin"), ("東京", "Other"), ("42", "None"),
])
def test_query_script(text: str, script: str) -> None:
    assert evaluation.query_script(text) == script
