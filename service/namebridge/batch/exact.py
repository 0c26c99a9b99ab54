"""Exact names skip the matcher: a polars table of the names whose answer is known from the index.

``ExactTable.build(engine)`` walks the index once and keeps every alias whose
written form the engine is bound to answer with a MATCH of its own entity,
score 1, through that very alias. A batch computes the *query key* of each new
distinct name (the engine's own first steps: check, tokenize, cut to
``max_query_tokens``, rejoin, and each token's script) and joins it against
the table; only names that miss go to the engine.

Why the answer is the engine's. ``Engine.resolve`` with one candidate asked,
no language hint and no type filter (the only batch requests the table
answers) reads a query token through its text, its script (detected on the
token as written) and its position; the key holds the texts in order and
their scripts, so two names with the same key are analysed alike. For a key
equal to the tokens of an alias A of entity E kept here:

1. the query's tokens are exactly A's tokens, so ``_exact_aliases`` looks up
   A's bag; the table keeps only bags holding A alone, so no other alias, of
   E or of another entity, is scored: nothing can tie or come second;
2. every token is analysed as a plain NAME: the table leaves out aliases
   with a token of at most three letters (initials, particle variants), a
   particle or a word whose base form is one, a patronymic marker (bin, uly),
   a patronymic ending, a common given name, an acronym, or a repeated token;
3. A is strong and not an epithet, so no weak-alias cap applies;
4. each query token meets its own alias token exactly (``form_similarity``
   gives ``exact`` for the same text), the alignment is complete, and every
   feature is 1: the raw score is 1 >= ``EXACT_SCORE``, so ``_exact_match``
   answers without the fuzzy search and ``decide_scores([1.0])`` is MATCH;
5. the calibrated probability (``matching/calibration.py``) of that top
   candidate reads only what the table knows: raw score 1, an exact unshared
   top, every pair exact, the number and length of the query's tokens, their
   scripts against the alias language's script, whether it names a person.
   The table computes it with the engine's calibration and keeps the alias
   only if it reaches ``match_probability`` (the answer is then MATCH with
   that probability as its score).

``tests/test_exact_table.py`` checks the claim name by name against the
engine, on the evaluation sets and on synthetic lexicons.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from namebridge.errors import InvalidArgument
from namebridge.matching.calibration import calibration_features
from namebridge.lexicon.loader import PERSON
from namebridge.matching.options import checked_name
from namebridge.text.normalize import tokenize
from namebridge.text.scripts import detect_script

if TYPE_CHECKING:
    from namebridge.matching.engine import Engine

#: the table's key column, and the answer columns it carries
KEY = "__namebridge_exact_key"
COLUMNS = ("entity_id", "canonical_name", "entity_type", "matched_alias")
#: the raw score and named features of an exact, complete alignment (see the module docstring)
EXACT_RAW_SCORE = 1.0
EXACT_VALUES = (("query_coverage", 1.0), ("alias_coverage", 1.0))
#: tokens this short may be read as initials or particles: left to the engine
MAX_SHORT_TOKEN = 3

_TOKEN_SEP = "\x1f"
_SCRIPT_SEP = "\x1e"


def _key(texts: Iterable[str], scripts: Iterable[str]) -> str:
    return _TOKEN_SEP.join(texts) + _SCRIPT_SEP + _TOKEN_SEP.join(scripts)


class ExactTable:
    """The exact-answer table of one engine, and the query key of a name."""

    def __init__(self, engine: "Engine", frame: pl.DataFrame) -> None:
        self.engine = engine
        self.frame = frame

    @classmethod
    def build(cls, engine: "Engine") -> "ExactTable":
        """One pass over the index (see the module docstring for what is kept)."""
        index, wordlists, morphology = engine.index, engine.wordlists, engine.morphology
        rules = engine.analyzer.script_rules
        vocabulary = index.vocabulary
        particles = wordlists.particles
        markers = wordlists.patronymic_prefixes | wordlists.patronymic_suffixes
        entities = engine.lexicon.entities
        usable: dict[int, str | None] = {}     # vocabulary id -> its script, or None if not a plain name

        def plain(vid: int) -> str | None:
            if vid in usable:
                return usable[vid]
            token = vocabulary[vid]
            text = token.text
            script: str | None = detect_script(text, rules)
            if (len(text) <= MAX_SHORT_TOKEN or token.acronym or token.common or text in particles
                    or text in markers or wordlists.is_patronymic(text)
                    or wordlists.is_common_given_name(token.keys, abjad=False)
                    or wordlists.is_common_given_name(token.keys, abjad=True)
                    or any(stem in particles for stem in morphology.stems(text, script))):
                script = None
            usable[vid] = script
            return script

        keys: list[str] = []
        rows: list[tuple[str, str, str, str]] = []
        scores: list[float] = []
        threshold = engine.settings.match_probability
        max_tokens = engine.settings.max_query_tokens
        for bag, found in index.by_bag.items():
            if not isinstance(found, int):
                continue                        # two aliases share the bag: left to the engine
            alias = index.aliases[found]
            vids = index.alias_tokens[found]
            if (alias.tier != "strong" or alias.kind == "epithet" or len(vids) > max_tokens
                    or len(set(vids)) != len(vids)):
                continue
            scripts = [plain(v) for v in vids]
            if None in scripts:
                continue
            entity = entities[index.entity_ids[index.alias_entity[found]]]
            texts = [vocabulary[v].text for v in vids]
            probability = engine.calibration.probability(calibration_features(
                raw_score=EXACT_RAW_SCORE, runner_up=0.0, exact_unshared=True, values=EXACT_VALUES,
                pairs=[(i, i, 1.0, "exact") for i in range(len(vids))], alias_weights=[1.0] * len(vids),
                query_texts=texts, query_scripts=scripts,  # type: ignore[arg-type]
                alias_script=engine.lexicon.languages.get(alias.language, ""), weak_alias=False,
                person=engine.lexicon.name_structures.get(entity.type) == PERSON))
            if probability < threshold:
                continue                        # not a MATCH once calibrated: left to the engine
            keys.append(_key(texts, scripts))  # type: ignore[arg-type]
            rows.append((entity.id, entity.canonical_name, entity.type, alias.text))
            scores.append(round(round(probability, 6), 4))     # as Resolution.score, then the batch row
        frame = pl.DataFrame({KEY: keys, **{c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)},
                              "score": scores},
                             schema={KEY: pl.String, **{c: pl.String for c in COLUMNS}, "score": pl.Float64})
        return cls(engine, frame.unique(KEY, keep="none"))

    def __len__(self) -> int:
        return self.frame.height

    def query_key(self, name: str | None) -> str | None:
        """The key ``name`` is read under, as ``Engine.resolve`` reads it; None for a name
        the engine would refuse (it answers INVALID with the reason)."""
        if name is None:
            return None
        engine = self.engine
        try:
            text = checked_name(name, engine.settings)
        except InvalidArgument:
            return None
        tokens = tokenize(text, engine.normalization)[: engine.settings.max_query_tokens]
        kept = engine.morphology.rejoin(tokens)
        if not kept:
            return None
        rules = engine.analyzer.script_rules
        return _key((t.text for t in kept), (detect_script(t.surface, rules) for t in kept))

    def answer(self, names: pl.Series) -> pl.DataFrame:
        """(name, the answer columns) of the names the table answers, one row each."""
        keyed = pl.DataFrame({"name": names, KEY: [self.query_key(n) for n in names.to_list()]},
                             schema={"name": pl.String, KEY: pl.String})
        return keyed.join(self.frame, on=KEY, how="inner").drop(KEY)
