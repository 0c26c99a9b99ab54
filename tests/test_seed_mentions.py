"""The hand-checked gold mentions of the seed articles, tests/eval/seed_mentions.tsv.

Real files only: the gold file, ``seeds/`` and ``lexicons/`` at the repository root.
The file is read with the project's TSV reader; every row must point at exactly the
text it claims, name an entity the lexicon has, and use a documented kind; spans of
one file are sorted and never overlap; every seed has mentions. Where a row says the
mention is not inflected, its surface must be a form the lexicon lists for that
entity (after the project's normalisation), so a wrong entity or a mistyped kind shows.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from namebridge.errors import Problem
from namebridge.tsv import Row, read_table
from namebridge.lexicon.loader import load_lexicon
from namebridge.text.normalize import normalize_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLD_FILE = HERE / "eval" / "seed_mentions.tsv"
SEEDS_DIR = ROOT / "seeds"
LEXICON_DIR = ROOT / "lexicons"
COLUMNS = ("file", "start", "end", "surface", "entity_id", "kind")
BASE_KINDS = ("name", "partial", "acronym", "epithet", "metonym")
INFLECTED = "inflected"
KINDS = frozenset(BASE_KINDS + (INFLECTED,) + tuple(f"{k}+{INFLECTED}" for k in BASE_KINDS[1:]))

_problems: list[Problem] = []
ROWS: list[Row] = read_table(GOLD_FILE, COLUMNS, _problems)
READ_PROBLEMS = tuple(_problems)
LEXICON = load_lexicon(LEXICON_DIR)
SEEDS = sorted(p.name for p in SEEDS_DIR.iterdir() if p.is_file())
TEXTS = {name: open(SEEDS_DIR / name, encoding="utf-8", newline="").read() for name in SEEDS}


def _where(row: Row) -> str:
    return f"{row.path}:{row.line}"


def _span(row: Row) -> tuple[int, int]:
    return int(row["start"]), int(row["end"])


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def test_file_reads_without_problems():
    assert READ_PROBLEMS == ()
    assert ROWS


def test_every_seed_has_mentions():
    per_file = {row["file"] for row in ROWS}
    assert per_file == set(SEEDS), f"missing: {set(SEEDS) - per_file}, unknown: {per_file - set(SEEDS)}"
    assert len(SEEDS) == 5


@pytest.mark.parametrize("row", ROWS, ids=_where)
def test_surface_is_the_text_slice(row: Row):
    assert row["start"].isdigit() and row["end"].isdigit(), _where(row)
    start, end = _span(row)
    text = TEXTS[row["file"]]
    assert 0 <= start < end <= len(text), _where(row)
    assert text[start:end] == row["surface"], _where(row)


@pytest.mark.parametrize("row", ROWS, ids=_where)
def test_span_is_whole_words(row: Row):
    start, end = _span(row)
    text = TEXTS[row["file"]]
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    assert not _is_word_char(before) and not _is_word_char(after), (
        f"{_where(row)}: {text[max(0, start - 10):end + 10]!r} cuts a word")


@pytest.mark.parametrize("row", ROWS, ids=_where)
def test_entity_and_kind_are_known(row: Row):
    assert row["entity_id"] in LEXICON.entities, _where(row)
    assert row["kind"] in KINDS, _where(row)


def test_rows_sorted_and_spans_do_not_overlap():
    assert [(r["file"], _span(r)) for r in ROWS] == sorted((r["file"], _span(r)) for r in ROWS)
    by_file: dict[str, list[Row]] = defaultdict(list)
    for row in ROWS:
        by_file[row["file"]].append(row)
    for rows in by_file.values():
        for first, second in zip(rows, rows[1:]):
            assert _span(first)[1] <= _span(second)[0], f"{_where(first)} overlaps {_where(second)}"


def test_uninflected_surfaces_are_lexicon_forms_of_their_entity():
    forms: dict[str, set[str]] = defaultdict(set)
    for alias in LEXICON.aliases:
        forms[alias.entity_id].add(normalize_text(alias.text))
    wrong = [f"{_where(r)}: {r['surface']} is not a form of {r['entity_id']}"
             for r in ROWS if INFLECTED not in r["kind"]
             and normalize_text(r["surface"]) not in forms[r["entity_id"]]]
    assert wrong == []


def test_inflected_surfaces_are_not_bare_lexicon_forms():
    forms = {normalize_text(a.text) for a in LEXICON.aliases}
    bare = [_where(r) for r in ROWS if INFLECTED in r["kind"] and normalize_text(r["surface"]) in forms]
    assert bare == []
