"""Normalisation: every rule has vector rows; properties hold on arbitrary Unicode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_vectors
from namebridge.text.normalize import normalize_text, tokenize

ROWS = read_vectors("normalize.tsv", ("input", "expected"))


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_normalisation_vector(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_token_after_apostrophe_or_hyphen_remembers_it() -> None:
    tokens = tokenize("Kazakistan'ın Tokayev АҚШ-қа")
    assert [(t.text, t.joiner) for t in tokens] == [
        ("kazakistan", ""), ("in", "apostrophe"), ("tokayev", ""), ("ақш", ""), ("қа", "hyphen")]


def test_dotted_acronym_is_one_token() -> None:
    assert [t.text for t in tokenize("U.S. and U.A.E.")] == ["us", "and", "uae"]
    assert [t.text for t in tokenize("K. J. Tokayev")] == ["k", "j", "tokayev"]


def test_surface_keeps_persian_letters_for_detection() -> None:
    (token,) = tokenize("توکایف")
    assert token.surface == "توکایف"      # Persian keheh and yeh, as written
    assert token.text == "توكايف"         # unified for matching


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_normalising_twice_equals_once(text: str) -> None:
    """Invariant: normalize_text is idempotent."""
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_tokens_are_clean(text: str) -> None:
    """Invariant: tokens are non-empty, carry no spaces and no removed characters."""
    for token in tokenize(text):
        assert token.text
        assert not any(ch.isspace() for ch in token.text)
        assert "\u200c" not in token.text and "\u0640" not in token.text
