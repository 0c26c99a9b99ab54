"""The seed lexicon's content, checked against the seed articles it was built from.

Real files only: ``lexicons/`` and ``seeds/`` at the repository root and
``tests/vectors/seed_occurrences.tsv``, all found relative to this file.

- provenance: every alias whose source is a seed file occurs in that seed, after
  normalisation on both sides (an alias token may be the start of an inflected
  seed token, ``Вашингтон`` in ``Вашингтонға``, or follow one Arabic proclitic,
  ``واشنطن`` in ``بواشنطن``);
- coverage: every entity has an English canonical name and aliases in Latin,
  Cyrillic and Arabic script; every seed is the source of at least 10 aliases;
- resolution: every seed-sourced alias and every seed occurrence resolves to its
  entity through the engine (MATCH for strong forms; for weak forms at least
  AMBIGUOUS with the entity on top, or, when the form is a strong alias of another
  entity such as a capital used for its country, a candidate behind that entity).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from namebridge.tsv import Row, read_table_strict
from namebridge.lexicon.loader import is_address, load_lexicon
from namebridge.lexicon.model import Alias
from namebridge.text.normalize import normalize_text
from namebridge.matching.results import Decision
from namebridge.text.scripts import bundled_rules

HERE = Path(__file__).resolve().parent
LEXICON_DIR = HERE.parent / "lexicons"
SEEDS_DIR = HERE.parent / "seeds"
OCCURRENCES_FILE = HERE / "vectors" / "seed_occurrences.tsv"

CURATED = "curated"
STRONG = "strong"
#: Arabic proclitics (conjunctions, prepositions, the article) as they look after
#: normalisation; one may precede an alias token inside a seed token.
PROCLITICS = ("و", "ف", "ب", "ل", "ك", "ال")
REQUIRED_SCRIPTS = ("Latin", "Cyrillic", "Arabic")
MIN_ALIASES_PER_SEED = 10
#: enough room for a weak metonym to show up behind the strong owner of its form
MAX_CANDIDATES = 10

LEXICON = load_lexicon(LEXICON_DIR)
SEED_TOKENS: dict[str, list[str]] = {
    p.name: normalize_text(p.read_text(encoding="utf-8")).split()
    for p in sorted(SEEDS_DIR.iterdir()) if p.is_file()
}
SEED_ALIASES: list[Alias] = [a for a in LEXICON.aliases
                             if a.source != CURATED and not is_address(a.source)]
OCCURRENCES: list[Row] = read_table_strict(OCCURRENCES_FILE, ("seed", "text", "entity_id"))


def _alias_id(alias: Alias) -> str:
    return f"{alias.path}:{alias.line}:{alias.text}"


def _row_id(row: Row) -> str:
    return f"{row.path}:{row.line}:{row['text']}"


def _token_occurs(alias_token: str, seed_token: str) -> bool:
    """The alias token starts the seed token, directly or after one proclitic."""
    if seed_token.startswith(alias_token):
        return True
    return any(seed_token.startswith(p) and seed_token[len(p):].startswith(alias_token)
               for p in PROCLITICS)


def _occurs_in(alias_tokens: list[str], seed_tokens: list[str]) -> bool:
    """The alias's token sequence appears in the seed's, token by token."""
    n = len(alias_tokens)
    if n == 0:
        return False
    return any(all(_token_occurs(alias_tokens[j], seed_tokens[i + j]) for j in range(n))
               for i in range(len(seed_tokens) - n + 1))


def _scripts_of(text: str) -> set[str]:
    """The scripts of the letters of ``text`` (digits and signs have none)."""
    rules = bundled_rules()
    return {s for s in (rules.char_script(ch) for ch in text if ch.isalpha()) if s}


def _strong_owners() -> dict[str, set[str]]:
    """Normalised alias text -> the entities holding it as a strong alias."""
    owners: dict[str, set[str]] = {}
    for alias in LEXICON.aliases:
        if alias.tier == STRONG:
            owners.setdefault(normalize_text(alias.text), set()).add(alias.entity_id)
    return owners


STRONG_OWNERS = _strong_owners()


# --- the data was read ------------------------------------------------------


def test_rows_were_read() -> None:
    assert len(LEXICON.entities) >= 50
    assert len(SEED_ALIASES) >= 5 * MIN_ALIASES_PER_SEED
    assert len(OCCURRENCES) >= 50
    assert len(SEED_TOKENS) == 5


# --- provenance -------------------------------------------------------------


@pytest.mark.parametrize("alias", SEED_ALIASES, ids=_alias_id)
def test_seed_alias_occurs_in_its_seed(alias: Alias) -> None:
    assert alias.source in SEED_TOKENS, f"{alias.source} is not a file in seeds/"
    tokens = normalize_text(alias.text).split()
    assert _occurs_in(tokens, SEED_TOKENS[alias.source]), (
        f"{alias.text!r} (normalised {' '.join(tokens)!r}) does not occur in seeds/{alias.source}")


@pytest.mark.parametrize("row", OCCURRENCES, ids=_row_id)
def test_occurrence_is_verbatim_in_its_seed_and_names_a_known_entity(row: Row) -> None:
    seed = SEEDS_DIR / row["seed"]
    assert seed.is_file(), f"{row['seed']} is not a file in seeds/"
    assert row["text"] in seed.read_text(encoding="utf-8"), f"{row['text']!r} is not in seeds/{row['seed']}"
    assert row["entity_id"] in LEXICON.entities


# --- coverage ---------------------------------------------------------------


@pytest.mark.parametrize("entity_id", sorted(LEXICON.entities))
def test_entity_has_english_name_and_latin_cyrillic_arabic_aliases(entity_id: str) -> None:
    entity = LEXICON.entities[entity_id]
    assert entity.canonical_name.strip()
    assert _scripts_of(entity.canonical_name) == {"Latin"}, "the canonical name must be English (Latin script)"
    assert any(a.language == "en" and a.text == entity.canonical_name for a in entity.aliases)
    covered = set().union(*(_scripts_of(a.text) for a in entity.aliases if len(_scripts_of(a.text)) == 1))
    missing = [s for s in REQUIRED_SCRIPTS if s not in covered]
    assert not missing, f"{entity_id} has no alias written only in {', '.join(missing)} script"


@pytest.mark.parametrize("seed", sorted(SEED_TOKENS))
def test_every_seed_is_the_source_of_enough_aliases(seed: str) -> None:
    count = Counter(a.source for a in SEED_ALIASES)[seed]
    assert count >= MIN_ALIASES_PER_SEED, f"seeds/{seed} is the source of only {count} aliases"


# --- resolution through the engine -------------------------------------------


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    """The engine over the bundled lexicon, loaded once for this module."""
    from namebridge.matching.engine import Engine

    return Engine.load(LEXICON_DIR)


def _assert_resolves(engine, text: str, expected: str, *, strong: bool) -> None:  # type: ignore[no-untyped-def]
    """``text`` resolves to ``expected``: see the module docstring for the rule per tier."""
    resolution = engine.resolve(text, max_candidates=MAX_CANDIDATES)
    ranked = [c.entity_id for c in resolution.candidates]
    summary = f"{text!r}: {resolution.decision.value}, candidates {ranked[:5]}"
    assert ranked, f"no candidate for {summary}"
    if strong:
        assert resolution.decision is Decision.MATCH and ranked[0] == expected, f"expected MATCH {expected}; {summary}"
        return
    others = STRONG_OWNERS.get(normalize_text(text), set()) - {expected}
    if others:
        assert ranked[0] in others and expected in ranked, (
            f"expected a strong owner of the form ({sorted(others)}) on top and {expected} among the "
            f"candidates; {summary}")
    else:
        assert resolution.decision in (Decision.MATCH, Decision.AMBIGUOUS) and ranked[0] == expected, (
            f"expected {expected} on top, at least AMBIGUOUS; {summary}")


@pytest.mark.parametrize("alias", SEED_ALIASES, ids=_alias_id)
def test_seed_alias_resolves_to_its_entity(engine, alias: Alias) -> None:  # type: ignore[no-untyped-def]
    _assert_resolves(engine, alias.text, alias.entity_id, strong=alias.tier == STRONG)


def _occurrence_is_strong(row: Row) -> bool:
    """Weak only if every alias of the entity found in the occurrence is weak (an epithet)."""
    tokens = normalize_text(row["text"]).split()
    found = [a for a in LEXICON.entities[row["entity_id"]].aliases
             if _occurs_in(normalize_text(a.text).split(), tokens)]
    return not found or any(a.tier == STRONG for a in found)


@pytest.mark.parametrize("row", OCCURRENCES, ids=_row_id)
def test_seed_occurrence_resolves_to_its_entity(engine, row: Row) -> None:  # type: ignore[no-untyped-def]
    _assert_resolves(engine, row["text"], row["entity_id"], strong=_occurrence_is_strong(row))
