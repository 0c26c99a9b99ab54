"""Morphology proposes base forms of inflected query tokens."""

from __future__ import annotations

import pytest

from conftest import read_vectors
from namebridge.text.normalize import normalize_text
from namebridge.text.scripts import detect_script

ROWS = read_vectors("morphology.tsv", ("token", "stem"))


@pytest.mark.parametrize(("token", "stem"), ROWS, ids=[r[0] for r in ROWS])
def test_stem_is_proposed(engine, token: str, stem: str) -> None:
    text = normalize_text(token)
    assert normalize_text(stem) in engine.morphology.stems(text, detect_script(token))


def test_apostrophe_suffixes() -> None:
    from namebridge.matching.engine import Engine

    morphology = Engine.load().morphology
    assert morphology.is_apostrophe_suffix("in")      # Kazakistan'ın
    assert morphology.is_apostrophe_suffix("a")       # Washington'a
    assert not morphology.is_apostrophe_suffix("brien")  # O'Brien


BASES = read_vectors("morphology_bases.tsv", ("inflected", "base"))


@pytest.mark.parametrize(("inflected", "base"), BASES, ids=[r[0] for r in BASES])
def test_an_inflected_word_shares_a_base_form_with_its_base(engine, inflected: str, base: str) -> None:
    morphology = engine.morphology
    a, b = normalize_text(inflected), normalize_text(base)
    shared = set(morphology.base_forms(a, detect_script(inflected))) & set(morphology.base_forms(b, detect_script(base)))
    # a short base (дом, ev) is met as written instead: it must be a stem of the inflected word
    assert shared or b in morphology.stems(a, detect_script(inflected), base=True), (
        morphology.base_forms(a, detect_script(inflected)), morphology.base_forms(b, detect_script(base)))


def test_a_base_suffix_gives_base_forms_but_no_stems(engine) -> None:
    """German -en (a base_suffix row) gives Vereinigt for comparing base forms, never a stem
    compared by keys or looked up as written (Gore is not Gor)."""
    morphology = engine.morphology
    assert "vereinigt" in morphology.base_forms("vereinigten", "Latin")
    assert "vereinigt" not in morphology.stems("vereinigten", "Latin")
    assert "gor" not in morphology.stems("gore", "Latin")


def test_a_suffix_listed_twice_in_one_list_is_reported(tmp_path) -> None:
    from namebridge.errors import DataFileError
    from namebridge.settings import BUNDLED_LEXICON_DIR
    from namebridge.text.morphology import Morphology

    target = tmp_path / "morphology"
    target.mkdir()
    for path in (BUNDLED_LEXICON_DIR / "morphology").glob("*.tsv"):
        (target / path.name).write_bytes(path.read_bytes())
    with (target / "de.tsv").open("a", encoding="utf-8") as f:
        f.write("s\tbase_suffix\tgenitive -s again, as a base suffix\n")
    with pytest.raises(DataFileError) as caught:
        Morphology.load(target)
    assert "de.tsv" in str(caught.value) and "both a suffix and a base_suffix" in str(caught.value)


@pytest.mark.parametrize(("written", "joined"), [
    ("oʻgʻli", "ogli"), ("o‘g‘li", "ogli"), ("o'g'li", "ogli"),      # Uzbek: two apostrophes, one word
    ("Qozogʻistonning", "qozogistonning"),                           # an Uzbek apostrophe, then a suffix
    ("Kazakistan'ın", "kazakistan"), ("Tokyo'da", "tokyo"),           # Turkish: one apostrophe, the suffix goes
])
def test_apostrophe_parts_are_joined_or_dropped(engine, written: str, joined: str) -> None:
    from namebridge.text.normalize import tokenize

    assert " ".join(t.text for t in engine.morphology.rejoin(tokenize(written))) == joined
