"""Generated lexicon tables are current and do what they are for."""

from __future__ import annotations

from pathlib import Path

import pytest

from namebridge.lexicon import generate_ordinary_words
from namebridge.matching.engine import Engine
from namebridge.matching.results import Decision


def test_ordinary_words_file_is_current(tmp_path: Path) -> None:
    """Regenerating lexicons/tokens/ordinary_words.tsv from the pinned package changes nothing."""
    out = tmp_path / "ordinary_words.tsv"
    generate_ordinary_words.main([str(out)])
    committed = generate_ordinary_words.OUTPUT.read_text(encoding="utf-8")
    assert committed.count("\n") > 1000, "the committed file lost its rows"
    assert out.read_text(encoding="utf-8") == committed, "run `make lexicon-generated`"


def test_ordinary_words_are_sorted_and_unique() -> None:
    rows = [line.split("\t")[0] for line in generate_ordinary_words.OUTPUT.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")][1:]
    assert rows and rows == sorted(set(rows))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize("word", ["Was", "Vais", "Вас", "Being", "الذين"])
def test_an_ordinary_word_meets_no_name_it_only_resembles(engine: Engine, word: str) -> None:
    """was ~ Fas (Morocco in Turkish), being ~ Beijing, الذين ~ الصين: resemblance is no evidence."""
    assert engine.resolve(word).decision is Decision.NO_MATCH


def test_a_name_written_as_an_alias_still_matches(engine: Engine) -> None:
    """The rule leaves exact matches alone: Fas is an alias of Morocco."""
    answer = engine.resolve("Fas")
    assert answer.decision is Decision.MATCH and answer.candidates[0].entity_id == "country:ma"
