"""Normalisation: every rule has vector rows; properties hold on arbitrary Unicode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_vectors
from namebridge.normalize import normalize_text, tokenize

ROWS = read_vectors("normalize.tsv", ("input", "expected"))


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_normalisation_vector(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_token_after_apostrophe_is_flagged() -> None:
    tokens = tokenize("Kazakistan'ın Tokayev")
    assert [(t.text, t.after_apostrophe) for t in tokens] == [
        ("kazakistan", False), ("in", True), ("tokayev", False)]


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
