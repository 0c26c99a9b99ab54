"""Properties of the engine on arbitrary input, and the index against a full scan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from namebridge.matching.engine import Engine
from namebridge.errors import InvalidArgument
from namebridge.matching.results import Decision

ENGINE = Engine.load()
ALIAS_TEXTS = sorted({a.text for a in ENGINE.lexicon.aliases})
SPELLING_TOLERANCE = 0.05


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_resolve_never_raises_and_scores_stay_in_range(text: str) -> None:
    """Invariant: any text gives a valid Resolution or InvalidArgument on the name."""
    try:
        resolution = ENGINE.resolve(text)
    except InvalidArgument as exc:
        assert exc.field == "name"
        return
    assert resolution.decision in (Decision.MATCH, Decision.AMBIGUOUS, Decision.NO_MATCH)
    assert 0.0 <= resolution.score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in resolution.candidates)
    assert (resolution.entity_id is None) == (resolution.decision is not Decision.MATCH)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_transliterate_never_raises(text: str) -> None:
    """Invariant: any non-empty text romanizes; empty text is refused on the name field."""
    try:
        result = ENGINE.transliterate(text)
    except InvalidArgument as exc:
        assert exc.field == "name"
        return
    assert isinstance(result.romanized, str)


def _mutate(text: str, data: st.DataObject) -> str:
    """An alias with small edits: a dropped, doubled or swapped character, or reordered words."""
    kind = data.draw(st.sampled_from(["same", "drop", "double", "swap", "reorder", "suffix"]))
    if kind == "reorder":
        return " ".join(reversed(text.split()))
    if kind == "suffix":
        return text + data.draw(st.sampled_from(["'ın", "тың", "ға", " را", "s"]))
    if len(text) < 3 or kind == "same":
        return text
    i = data.draw(st.integers(min_value=1, max_value=len(text) - 2))
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_indexed_resolution_agrees_with_a_full_scan(data: st.DataObject) -> None:
    """Invariant: whenever a full scan of every alias would MATCH an entity,
    the indexed path returns the same top entity, with a score at most
    SPELLING_TOLERANCE lower (it scores an entity's most promising spellings,
    not all of them, so it may settle on an equally good one scored a little
    differently)."""
    query = _mutate(data.draw(st.sampled_from(ALIAS_TEXTS)), data)
    if not query.strip():
        return
    scan = ENGINE.scan_all_aliases(query)
    if not scan or scan[0][1] < ENGINE.settings.match_threshold:
        return
    resolution = ENGINE.resolve(query)
    assert resolution.top is not None
    best = scan[0][1]
    tied = {entity for entity, score in scan if abs(score - best) < 1e-9}
    assert resolution.top.entity_id in tied
    assert best - SPELLING_TOLERANCE <= resolution.top.score <= best + 1e-6  # scores are rounded to 6 places
