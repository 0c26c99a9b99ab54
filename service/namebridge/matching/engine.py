"""The resolution engine: one name in, a decision with ranked candidates out.

``Engine.resolve`` reads top to bottom as the pipeline:

    check -> normalise -> detect -> key -> look up -> score -> decide -> explain

The steps live in their own modules: request checks in ``options``, token
analysis (detect, key, look up) in ``query``, candidate aliases in ``index``,
token alignment in ``alignment``, features and weights in ``features`` and
``scoring``. Everything that can be computed once (tables, keys of every alias
token, the index, token weights) is built at load; a query does only its own
work, and the per-token part of it is memoised.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Collection, Iterable

from namebridge.errors import InvalidArgument, NotFound
from namebridge.lexicon.bundle import Bundle, load_bundle
from namebridge.lexicon.calibration import CALIBRATION_FILE, Calibration, load_calibration
from namebridge.lexicon.columns import alias_values
from namebridge.lexicon.loader import COMPOUND, PERSON, Lexicon
from namebridge.lexicon.model import Entity
from namebridge.matching import features
from namebridge.matching.alignment import AliasSide, ScoredAlias, align, alias_side
from namebridge.matching.calibration import calibration_features
from namebridge.matching.index import AliasIndex
from namebridge.matching.options import ResolveOptions, check_hints, checked_name
from namebridge.matching.query import (INITIAL, NAME, PATRONYMIC, TITLE, QueryAnalyzer, QueryToken,
                                       query_language_and_script, token_languages)
from namebridge.matching.results import (Candidate, Decision, LexiconInfo, QueryAnalysis, Resolution, TokenMatch,
                                         Transliteration)
from namebridge.matching.scoring import EXACT_SCORE, Scorer
from namebridge.settings import BUNDLED_LEXICON_DIR, Settings, settings_from_env
from namebridge.text.keys import KeyTable
from namebridge.text.morphology import Morphology
from namebridge.text.normalize import NormalizationTables, bundled_tables, tokenize
from namebridge.text.scripts import ABJADS, ScriptRules
from namebridge.text.translit import TranslitTables
from namebridge.text.wordlists import WordLists

#: the alias kind whose multi-word forms, matched whole, may carry a match
EPITHET = "epithet"



@dataclass(slots=True)
class QueryStats:
    """Cost counters of one query (tests use them to prove the index bounds the work)."""

    vocabulary_matched: int = 0
    aliases_scored: int = 0


class Engine:
    """Load once, resolve many times; safe to share between threads (read-only after load)."""

    def __init__(self, lexicon: Lexicon, settings: Settings, *, key_table: KeyTable,
                 morphology: Morphology, wordlists: WordLists, translit: TranslitTables,
                 normalization: NormalizationTables | None = None, script_rules: ScriptRules | None = None,
                 calibration: Calibration | None = None, index: AliasIndex | None = None) -> None:
        self.lexicon = lexicon
        self.settings = settings
        self.scorer = Scorer.from_settings(settings)
        #: the fitted weights of the calibrated score (default: the bundled lexicon's)
        self.calibration = calibration or load_calibration(BUNDLED_LEXICON_DIR / CALIBRATION_FILE)
        self.key_table = key_table
        self.morphology = morphology
        # the structural roles weigh what the scorer's table says (a title nothing)
        wordlists = wordlists.weighted(title=self.scorer.weights["title"],
                                       descriptor=self.scorer.weights["descriptor"])
        self.wordlists = wordlists
        self.translit = translit
        self.normalization = normalization or bundled_tables()
        # a compiled snapshot (``matching/snapshot.py``) brings the index built from this lexicon
        self.index = index if index is not None else AliasIndex.build(
            lexicon, key_table=key_table, morphology=morphology, wordlists=wordlists,
            normalization=self.normalization)
        self.entity_types = lexicon.entity_types
        self._entity_list: list[Entity] = list(lexicon.entities.values())
        #: entity position -> how its names are built (entity_types.tsv ``names``)
        self._name_structure = [lexicon.name_structures[e.type] for e in self._entity_list]
        self._gender = [e.gender for e in self._entity_list]
        # entity position -> bit 1: a strong alias written in an abjad, bit 2: one written with vowels
        self._alias_scripts = bytearray(len(self._entity_list))
        scripts = self._alias_scripts
        for tier, entity, abjad in zip(alias_values(self.index.aliases, "tier"), self.index.alias_entity,
                                       self.index.alias_abjad):
            if tier == "strong":
                scripts[entity] |= 1 if abjad else 2
        self._loaded_at = datetime.now(timezone.utc)
        self.analyzer = QueryAnalyzer(self.index, settings, key_table=key_table, morphology=morphology,
                                      wordlists=wordlists, script_rules=script_rules)
        self._alias_side = lru_cache(maxsize=settings.token_cache_size)(self._alias_side_uncached)
        # answers are immutable and pipelines repeat names: remember recent ones
        self._resolve_cached = lru_cache(maxsize=settings.resolution_cache_size)(self._resolve_uncached)

    @classmethod
    def load(cls, lexicon_dir: Path | str | None = None, *, settings: Settings | None = None) -> "Engine":
        """Load a lexicon directory (default: ``settings.lexicon_dir``, the bundled ``lexicons/``)
        with every table it is matched with (``load_bundle``), and build the index; or a
        compiled snapshot file (``namebridge lexicon compile``, ``matching/snapshot.py``)."""
        settings = (settings or Settings()).validated()
        directory = Path(lexicon_dir) if lexicon_dir is not None else Path(settings.lexicon_dir)
        settings = dataclasses.replace(settings, lexicon_dir=directory)
        if directory.is_file():
            from namebridge.matching.snapshot import load_snapshot

            return load_snapshot(directory, settings)
        return cls.from_bundle(load_bundle(directory, settings), settings)

    @classmethod
    def from_env(cls, lexicon_dir: Path | str | None = None) -> "Engine":
        """The engine as every command loads it (serve, batch, resolve, eval...): the
        ``NAMEBRIDGE_*`` settings, with ``lexicon_dir`` (when given) over them."""
        settings = settings_from_env(lexicon_dir=lexicon_dir)
        return cls.load(settings.lexicon_dir, settings=settings)

    @classmethod
    def from_bundle(cls, bundle: Bundle, settings: Settings, *, index: AliasIndex | None = None) -> "Engine":
        """The engine over a loaded bundle (and its prebuilt index, from a snapshot)."""
        return cls(bundle.lexicon, settings, key_table=bundle.key_table, morphology=bundle.morphology,
                   wordlists=bundle.wordlists, translit=bundle.translit, normalization=bundle.normalization,
                   script_rules=bundle.script_rules, calibration=bundle.calibration, index=index)

    # --- the pipeline ---------------------------------------------------------

    def resolve(self, name: str, *, language: str | None = None, script: str | None = None,
                entity_types: Collection[str] = (), max_candidates: int | None = None,
                min_score: float | None = None, stats: QueryStats | None = None) -> Resolution:
        """Resolve one name. Raises ``InvalidArgument`` naming the bad field.

        Recent answers are memoised (``Settings.resolution_cache_size``); a call
        that asks for ``stats`` is always computed.
        """
        types = tuple(sorted(set(entity_types))) if entity_types else ()
        if stats is None and isinstance(name, str):
            return self._resolve_cached(name, language, script, types, max_candidates, min_score, None)
        return self._resolve_uncached(name, language, script, types, max_candidates, min_score, stats)

    def _resolve_uncached(self, name: str, language: str | None, script: str | None,
                          entity_types: tuple[str, ...], max_candidates: int | None,
                          min_score: float | None, stats: QueryStats | None) -> Resolution:
        # 0. check the request
        options = ResolveOptions(name, language, script, entity_types, max_candidates, min_score).validated(
            self.settings, languages=self.lexicon.languages, entity_types=self.entity_types)
        limit, floor = options.limit, options.floor
        # 1-5. normalise, detect, key, look up, score: every entity's best alias, best first
        tokens, readings, ranked = self._search(options, language, stats)
        query_language, query_script = query_language_and_script(readings, language, script)
        # 6. decide, on the calibrated probability that the top candidate is right
        probability = self._probability(ranked)
        decision = self.scorer.decide([b.score for b in ranked], probability)
        # 7. explain, only for what is returned
        returned = [b for b in ranked if b.score >= floor][:limit]
        candidates = tuple(self._candidate(b) for b in returned)
        if decision is not Decision.NO_MATCH and not candidates:
            decision = Decision.NO_MATCH
        analysis = QueryAnalysis(
            original=name,
            normalized=" ".join(t.text for t in tokens),
            romanized=" ".join(self.translit.romanize(t.surface, lang) for t, (_s, lang) in zip(tokens, readings)),
            tokens=tuple(t.text for t in tokens),
            script=query_script,
            language=query_language,
        )
        return Resolution(analysis, decision, candidates, self.lexicon.version,
                          score=round(probability, 6) if candidates else 0.0)

    def calibration_inputs(self, name: str) -> tuple[str, tuple[float, ...]] | None:
        """(top entity ID, the calibration model's inputs) for a name, or None without a
        candidate: what ``make calibrate`` fits on (``evaluation/calibrate.py``)."""
        options = ResolveOptions(name, None, None, (), None, None).validated(
            self.settings, languages=self.lexicon.languages, entity_types=self.entity_types)
        _tokens, _readings, ranked = self._search(options, None, None)
        inputs = self._calibration_inputs(ranked)
        if inputs is None or ranked[0].score < options.floor:
            return None
        return self.index.entity_ids[ranked[0].entity], inputs

    def resolve_many(self, names: Iterable[str], **options: object) -> list[Resolution]:
        """``resolve`` for each name, in order."""
        return [self.resolve(n, **options) for n in names]  # type: ignore[arg-type]

    # --- steps ------------------------------------------------------------------

    def _search(self, options: ResolveOptions, language: str | None, stats: QueryStats | None,
                ) -> tuple[list, list[tuple[str, str]], list[ScoredAlias]]:
        """Steps 1-5 of ``resolve``: (tokens, their (script, language) readings, every
        entity's best alias, best first)."""
        types, limit, floor = options.entity_types, options.limit, options.floor
        # 1. normalise
        tokens = tokenize(options.text, self.normalization)[: self.settings.max_query_tokens]
        # 2. detect (a caller's hint overrides); drop suffixes written after an apostrophe or hyphen
        readings = token_languages(tokens, language, self.analyzer.script_rules)
        kept = self.morphology.rejoin(tokens)
        # 3-4. key and look up each token (memoised)
        query = self.analyzer.tokens(kept, language)
        if stats is not None:
            stats.vocabulary_matched = sum(len(q.matches) for q in query)
        # 5. score the candidate aliases, keep the best alias per entity; a query
        #    whose two tokens form one alias token (واتس اب, خاور میانه) is tried joined too.
        #    Asked for one candidate, a query that writes an alias exactly needs no more.
        best = self._exact_match(query, types, stats) if limit == 1 else None
        if best is None:
            best = self._score_candidates(query, types, floor, stats)
            for joined in self.analyzer.joined_readings(kept, query, language):
                _keep_better(best, self._score_candidates(joined, types, floor, None))
        return tokens, readings, self._ranked(best)

    def _probability(self, ranked: list[ScoredAlias]) -> float:
        """The calibrated probability that the top candidate is right (0 without one)."""
        inputs = self._calibration_inputs(ranked)
        return 0.0 if inputs is None else self.calibration.probability(inputs)

    def _calibration_inputs(self, ranked: list[ScoredAlias]) -> tuple[float, ...] | None:
        """The calibration model's inputs for the top candidate (``matching/calibration.py``).

        Only the top two raw scores are read; an exact, unshared top needs no
        runner-up (the exact-alias stop does not look for one).
        """
        if not ranked:
            return None
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        alias = self.index.aliases[top.position]
        return calibration_features(
            raw_score=top.score, runner_up=runner_up, exact_unshared=top.score >= EXACT_SCORE > runner_up,
            values=top.values, pairs=top.alignment.pairs, alias_weights=top.alignment.alias_weights,
            query_texts=[q.text for q in top.query], query_scripts=[q.script for q in top.query],
            alias_script=self.lexicon.languages.get(alias.language, ""), weak_alias=alias.tier != "strong",
            person=self._name_structure[top.entity] == PERSON)

    def _score_candidates(self, query: list[QueryToken], types: frozenset[str], floor: float,
                          stats: QueryStats | None) -> dict[int, ScoredAlias]:
        """Score the aliases the index proposes (see ``_score_aliases``), except those that
        cannot reach ``floor`` with the query tokens they hold (``_coverage_bound``).

        Leaving out an alias below ``floor`` changes no answer: it is never
        returned, and while the match threshold is at least ``floor`` + the
        margin, a runner-up below ``floor`` cannot stop a MATCH. Aliases that
        write initials are always scored (any name may pair with one).
        """
        bound = self._coverage_bound(query, floor)
        proposed = self.index.candidate_aliases([q.matches for q in query],
                                                expand_limit=self.settings.max_postings_expanded,
                                                score_limit=self.settings.max_aliases_scored,
                                                anchoring=tuple(q.role == NAME for q in query),
                                                initials=tuple(q.text for q in query if q.role == INITIAL),
                                                words=tuple(q.text for q in query if q.role == NAME),
                                                abjad=any(q.script in ABJADS for q in query),
                                                exact=self._exact_aliases(query),
                                                may_reach=None if bound is None else lambda m: bound(m) >= floor)
        if stats is not None:
            stats.aliases_scored = len(proposed)
        with_initials = self.index.alias_with_initials
        aliases = [position for position, mask in proposed
                   if bound is None or position in with_initials or bound(mask) >= floor]
        return self._score_aliases(query, aliases, types)

    def _coverage_bound(self, query: list[QueryToken], floor: float) -> Callable[[int], float] | None:
        """mask of query tokens an alias holds matches for -> the most it can score (memoised
        per mask); None where the bound may not be used to leave aliases out.

        An alias pairs only the query tokens it holds a match for, plus
        initials; the other names are left over in any alignment with it, and
        ``features.query_coverage_bound`` bounds its score. A token adds at most
        its best match's weight x similarity (an alias token weighs at most its
        vocabulary weight), an initial its own weight x the initial similarity.
        """
        if not (self.scorer.capped_by_query_coverage
                and self.settings.match_threshold >= floor + self.settings.match_margin):
            return None
        vocabulary = self.index.vocabulary
        initial = self.settings.initial_similarity
        gains = [q.weight * initial if q.role == INITIAL else
                 max((vocabulary[v].weight * s for v, (s, _key) in q.matches.items()), default=0.0)
                 for q in query]
        initials = sum(1 << i for i, q in enumerate(query) if q.role == INITIAL)
        names = [i for i, q in enumerate(query) if q.role in (NAME, PATRONYMIC)]
        known: dict[int, float] = {}

        def bound(mask: int) -> float:
            value = known.get(mask)
            if value is None:
                pairable = mask | initials
                value = known[mask] = features.query_coverage_bound(
                    [gains[i] for i in range(len(query)) if pairable >> i & 1],
                    [query[i].weight for i in names if not pairable >> i & 1])
            return value

        return bound

    def _exact_match(self, query: list[QueryToken], types: frozenset[str],
                     stats: QueryStats | None) -> dict[int, ScoredAlias] | None:
        """The best candidate and the decision without the fuzzy search, when they are known.

        Only an exact, complete alignment reaches ``EXACT_SCORE`` (the scorer
        keeps every other below it), and those are the aliases made of the
        query's very tokens. When one of them reaches it, the entities of those
        aliases are the only ones at the top: the best candidate, its score and
        the decision (MATCH, or AMBIGUOUS if another entity ties) are the ones
        the full search would give. ``exact_aliases`` gives them in the order the
        full search ranks equal evidence, so the same alias is reported. None when
        no alias is written exactly.
        """
        exact = self._exact_aliases(query)
        if not exact:
            return None
        best = self._score_aliases(query, exact, types)
        if not best or max(b.score for b in best.values()) < EXACT_SCORE:
            return None
        if stats is not None:
            stats.aliases_scored = len(exact)
        return best

    def _exact_aliases(self, query: list[QueryToken]) -> list[int]:
        """The aliases written with exactly the query's tokens, in any order (none if a
        query token is in no alias)."""
        by_text = self.index.by_text
        vids = [by_text.get(q.text) for q in query]
        if not vids or None in vids:
            return []
        abjad = any(q.script in ABJADS for q in query)
        return self.index.exact_aliases(vids, abjad=abjad)  # type: ignore[arg-type]

    def _score_aliases(self, query: list[QueryToken], aliases: Iterable[int],
                       types: frozenset[str]) -> dict[int, ScoredAlias]:
        """entity position -> the best alias of that entity; a strong alias wins a tie with a weak one."""
        index = self.index
        entity_list = self._entity_list
        fathers = frozenset(self.analyzer.father_positions(query))
        # the genders the query's titles name (Mrs: female), against each person's
        title_genders = {self.wordlists.title_genders.get(q.particle) for q in query if q.role == TITLE}
        title_genders.discard(None)
        # one word across an abjad and a vocalised script is the least evidence there is
        query_scripts = {q.script in ABJADS for q in query} if len(query) == 1 else set()
        query_abjad = query_scripts == {True}
        query_vocalised = query_scripts == {False}
        best: dict[int, ScoredAlias] = {}
        for position in aliases:
            entity = index.alias_entity[position]
            if types and entity_list[entity].type not in types:
                continue
            alignment = align(query, self._alias_side(position), index.vocabulary,
                              min_similarity=self.settings.min_token_similarity,
                              initial_similarity=self.settings.initial_similarity,
                              initials=self._name_structure[entity] == PERSON,
                              compound=self._name_structure[entity] == COMPOUND, fathers=fathers,
                              other_script=self._met_in_other_script(position, entity, query_abjad, query_vocalised),
                              other_gender=bool(title_genders) and bool(self._gender[entity])
                              and self._gender[entity] not in title_genders)
            alias = index.aliases[position]
            weak = alias.tier != "strong"
            score, values = self.scorer.score(alignment, weak=weak, epithet=alias.kind == EPITHET,
                                              entity_type=entity_list[entity].type)
            current = best.get(entity)
            if current is None or score > current.score or (
                    score == current.score and not weak and _is_weak(index, current.position)):
                best[entity] = ScoredAlias(score, position, alignment, entity, values, query)
        return best

    def _met_in_other_script(self, position: int, entity: int, query_abjad: bool, query_vocalised: bool) -> bool:
        """True if the alias is written in the other kind of script than the query (an abjad
        or one that writes its vowels) while the entity also has strong aliases in the
        query's kind: a name written in the query's kind would have met those."""
        scripts = self._alias_scripts[entity]
        if self.index.alias_abjad[position]:
            return query_vocalised and bool(scripts & 2)
        return query_abjad and bool(scripts & 1)

    def scan_all_aliases(self, name: str) -> list[tuple[str, float]]:
        """(entity ID, score) of every entity, best first, scoring EVERY alias.

        A slow oracle for tests: on anything the scan would MATCH, the indexed
        ``resolve`` must name the same entity (tests/test_engine_properties.py).
        """
        kept = self.morphology.rejoin(
            tokenize(checked_name(name, self.settings), self.normalization)[: self.settings.max_query_tokens])
        query = self.analyzer.tokens(kept, None)
        everything = range(len(self.index.aliases))
        best = self._score_aliases(query, everything, frozenset())
        for joined in self.analyzer.joined_readings(kept, query, None):
            _keep_better(best, self._score_aliases(joined, everything, frozenset()))
        return [(self.index.entity_ids[b.entity], b.score) for b in self._ranked(best)]

    def _ranked(self, best: dict[int, ScoredAlias]) -> list[ScoredAlias]:
        """Best score first; equal scores in entity ID order."""
        return sorted(best.values(), key=lambda b: (-b.score, self.index.entity_ids[b.entity]))

    def _alias_side_uncached(self, position: int) -> AliasSide:
        """What alignment needs of one alias that no query changes (memoised per alias)."""
        return alias_side(self.index, self.wordlists, self.morphology, position)

    def _candidate(self, scored: ScoredAlias) -> Candidate:
        """The labelled explanation of a returned alias."""
        alias = self.index.aliases[scored.position]
        record = self._entity_list[scored.entity]
        vids = self.index.alias_tokens[scored.position]
        alignment, query = scored.alignment, scored.query
        vocabulary = self.index.vocabulary
        matches = tuple(
            TokenMatch(query[i].text, vocabulary[vids[j]].text, key, round(similarity, 4),
                       round(alignment.alias_weights[j], 4))
            for i, j, similarity, key in sorted(alignment.pairs))
        return Candidate(
            entity_id=record.id, canonical_name=record.canonical_name, entity_type=record.type,
            score=round(scored.score, 6), matched_alias=alias.text, alias_language=alias.language,
            alias_kind=alias.kind, alias_source=alias.source, token_matches=matches,
            features=tuple((n, round(v, 4)) for n, v in scored.values))

    # --- the other questions ----------------------------------------------------

    def transliterate(self, text: str, *, language: str | None = None) -> Transliteration:
        """Romanize a text for display, token by token, with the detected (or given) language."""
        cleaned = checked_name(text, self.settings)
        check_hints(language, None, self.lexicon.languages)
        tokens = tokenize(cleaned, self.normalization)
        readings = token_languages(tokens, language, self.analyzer.script_rules)
        rows = [(t.surface, self.translit.romanize(t.surface, lang), script, lang)
                for t, (script, lang) in zip(tokens, readings)]
        query_language, query_script = query_language_and_script(readings, language, None)
        romanized_text = self.translit.romanize(cleaned, query_language) if query_language in self.translit.languages else cleaned
        return Transliteration(
            original=text, normalized=" ".join(t.text for t in tokens), romanized=romanized_text,
            tokens=tuple(rows), script=query_script, language=query_language,
            scheme=self.translit.scheme(query_language) if query_language in self.translit.languages else "as written",
        )

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this ID; ``NotFound("entity_id")`` if there is none."""
        if not entity_id or not entity_id.strip():
            raise InvalidArgument("entity_id", "must not be empty")
        entity = self.lexicon.entities.get(entity_id.strip())
        if entity is None:
            raise NotFound("entity_id", f"no entity {entity_id!r} in lexicon {self.lexicon.version}")
        return entity

    def info(self) -> LexiconInfo:
        """What is loaded, which version, which settings."""
        by_type = Counter(e.type for e in self._entity_list)
        by_language = Counter(alias_values(self.lexicon.aliases, "language"))
        return LexiconInfo(
            version=self.lexicon.version, entity_count=len(self._entity_list),
            alias_count=len(self.lexicon.aliases), counts_by_type=dict(sorted(by_type.items())),
            counts_by_language=dict(sorted(by_language.items())), loaded_at=self._loaded_at,
            lexicon_dir=str(self.lexicon.directory), settings=self.settings.as_dict())


def _keep_better(best: dict[int, ScoredAlias], other: dict[int, ScoredAlias]) -> None:
    """Merge per-entity results, keeping each entity's higher score."""
    for entity, entry in other.items():
        if entity not in best or entry.score > best[entity].score:
            best[entity] = entry


def _is_weak(index: AliasIndex, position: int) -> bool:
    return index.aliases[position].tier != "strong"
