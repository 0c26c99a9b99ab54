"""Shortcuts that must not change an answer: the exact-alias stop and the score bound.

``resolve(name, max_candidates=1)`` (what the batch CLI asks without
``--top-k``) skips the fuzzy search when the query writes an alias exactly
and that alias reaches the exact score. These tests hold it to the full
search: the same decision, and the same best candidate with the same score,
alias and explanation, on every alias of the bundled lexicon, the labelled
evaluation queries, the inflected seed occurrences, and generated names
against a 20k-alias synthetic lexicon; and arbitrary edits of aliases.

The engine also leaves out aliases whose score cannot reach the returned
floor (``min_score``, default ``min_candidate_score``). Asked with
``min_score=0`` it leaves out nothing, so the same queries check that the
candidates at or above the default floor, and the decision, are the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_vectors
from benchmarks.batch_bench import distinct_names
from benchmarks.synthetic import write_synthetic_lexicon
from namebridge.matching.engine import Engine, QueryStats
from namebridge.errors import InvalidArgument
from namebridge.evaluation import read_cases
from namebridge.matching.results import Decision, Resolution

EVAL_CASES = Path(__file__).parent / "eval" / "cases.tsv"


def _answer(resolution: Resolution) -> tuple:
    top = resolution.candidates[0] if resolution.candidates else None
    return (resolution.decision, resolution.score,
            top and (top.entity_id, top.score, top.matched_alias, top.token_matches, top.features))


def _mismatches(engine: Engine, names: list[str]) -> list[tuple[str, tuple, tuple]]:
    found = []
    for name in names:
        full = engine.resolve(name, stats=QueryStats())                    # stats: never from the cache
        one = engine.resolve(name, max_candidates=1, stats=QueryStats())
        if _answer(full) != _answer(one):
            found.append((name, _answer(full)[:2], _answer(one)[:2]))
        found.extend(_bound_mismatch(engine, name))
    return found


def _bound_mismatch(engine: Engine, name: str) -> list[tuple[str, tuple, tuple]]:
    """The answer with aliases below the floor left out, against the one with none left out."""
    floor = engine.settings.min_candidate_score
    bounded = engine.resolve(name, max_candidates=20, stats=QueryStats())
    everything = engine.resolve(name, max_candidates=20, min_score=0.0, stats=QueryStats())
    kept = tuple(c for c in everything.candidates if c.score >= floor)
    expected = everything.decision if kept else Decision.NO_MATCH   # nothing to name, nothing matched
    if (bounded.decision, bounded.candidates) == (expected, kept):
        return []
    return [(name, (everything.decision, [c.entity_id for c in kept]),
             (bounded.decision, [c.entity_id for c in bounded.candidates]))]


def test_bundled_lexicon_aliases_eval_queries_and_seed_occurrences(engine: Engine) -> None:
    names = sorted({a.text for a in engine.lexicon.aliases}) + read_cases(EVAL_CASES)["query"].to_list() + \
        [row[1] for row in read_vectors("seed_occurrences.tsv", ("seed", "text", "entity_id"))]
    assert len(names) > 1000
    assert _mismatches(engine, names) == []


def test_generated_names_on_a_synthetic_lexicon(tmp_path_factory: pytest.TempPathFactory) -> None:
    lexicon = write_synthetic_lexicon(tmp_path_factory.mktemp("one-candidate"), aliases=20_000, seed=3)
    engine = Engine.load(lexicon.directory)
    names = distinct_names(lexicon, 2_000, seed=3)
    assert _mismatches(engine, names) == []


ENGINE = Engine.load()
ALIASES = sorted({a.text for a in ENGINE.lexicon.aliases})


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_edited_aliases(data: st.DataObject) -> None:
    """Invariant: reordered, re-cased or suffixed aliases get the same answer either way."""
    text = data.draw(st.sampled_from(ALIASES))
    edit = data.draw(st.sampled_from(["same", "upper", "reverse", "suffix", "drop_last"]))
    words = text.split()
    name = {"same": text, "upper": text.upper(), "reverse": " ".join(reversed(words)),
            "suffix": text + "'ın", "drop_last": " ".join(words[:-1]) or text}[edit]
    assert _mismatches(ENGINE, [name]) == []


@given(st.text(min_size=1, max_size=40).filter(str.strip))
@settings(max_examples=200, deadline=None)
def test_arbitrary_text(text: str) -> None:
    """Invariant: on any text the engine accepts, both shortcuts give the full answer."""
    try:
        ENGINE.resolve(text)
    except InvalidArgument:
        return
    assert _mismatches(ENGINE, [text]) == []


def test_the_shortcut_is_taken_for_an_exact_alias(engine: Engine) -> None:
    full, one = QueryStats(), QueryStats()
    assert engine.resolve("Kassym-Jomart Tokayev", stats=full).decision is Decision.MATCH
    assert engine.resolve("Kassym-Jomart Tokayev", max_candidates=1, stats=one).decision is Decision.MATCH
    assert one.aliases_scored < full.aliases_scored
