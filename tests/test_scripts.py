"""Script and language detection per token."""

from __future__ import annotations

import pytest

from conftest import read_vectors
from namebridge.text.scripts import detect_language, detect_script

ROWS = read_vectors("scripts.tsv", ("token", "script", "language"))


@pytest.mark.parametrize(("token", "script", "language"), ROWS, ids=[r[0] for r in ROWS])
def test_detection_vector(token: str, script: str, language: str) -> None:
    detected = detect_script(token)
    assert detected == script
    assert detect_language(token, detected) == language


def test_caller_hint_overrides_detection(engine) -> None:
    resolution = engine.resolve("Tokayev", language="kk")
    assert resolution.query.language == "kk"
    assert engine.resolve("Tokayev").query.language == "und"
