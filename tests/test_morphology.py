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
