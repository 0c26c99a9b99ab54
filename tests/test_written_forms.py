"""How names are written: acronyms with their spacing, punctuation, look-alike letters and
case endings, and the letters of other alphabets, resolved through the real engine
(tests/vectors/written_forms.tsv); acronyms are still met only as written otherwise."""

from __future__ import annotations

import pytest

from conftest import read_vectors
from namebridge.matching.results import Decision
from namebridge.text.keys import acronym_key
from namebridge.text.normalize import normalize_text

VECTORS = read_vectors("written_forms.tsv", ("query", "expected", "note"))


@pytest.mark.parametrize(("query", "expected", "note"), VECTORS, ids=[r[0] for r in VECTORS])
def test_written_forms(engine, query: str, expected: str, note: str) -> None:
    r = engine.resolve(query)
    top = r.candidates[0].entity_id if r.candidates else None
    if expected == "NIL":
        assert r.decision is not Decision.MATCH, f"{note}: {query!r} matched {top}"
    else:
        assert (r.decision, top) == (Decision.MATCH, expected), note


@pytest.mark.parametrize(("a", "b"), [("АҚШ", "АКШ"), ("АҚШ", "AQSH"), ("ИРНА", "IRNA")])
def test_an_acronym_in_another_alphabet_has_the_same_key(a: str, b: str) -> None:
    assert acronym_key(normalize_text(a)) == acronym_key(normalize_text(b))


@pytest.mark.parametrize(("a", "b"), [("US", "AUS"), ("ABD", "ABŞ"), ("БАӘ", "BAE"), ("C5+1", "С5")])
def test_a_letter_more_or_another_is_another_acronym(a: str, b: str) -> None:
    assert acronym_key(normalize_text(a)) != acronym_key(normalize_text(b))
