"""The resolution engine: one name in, a decision with ranked candidates out.

``Engine.resolve`` reads top to bottom as the pipeline:

    normalise -> detect -> key -> look up -> score -> decide -> explain

Everything that can be computed once (tables, keys of every alias token, the
index, token weights) is built in ``Engine.load``; a query does only its own
work, and the per-token part of it is memoised.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Collection, Iterable

from namebridge import features
from namebridge.errors import InvalidArgument, NotFound
from namebridge.features import Alignment
from namebridge.index import COMMON_NAME_FACTOR, COMPOUND_TYPES, PATRONYMIC_WEIGHT, AliasIndex
from namebridge.keys import KeyTable, TokenKeys, token_keys
from namebridge.lexicon.loader import Lexicon, load_lexicon
from namebridge.lexicon.model import Entity
from namebridge.morphology import Morphology
from namebridge.normalize import Token, tokenize
from namebridge.results import (Candidate, Decision, LexiconInfo, QueryAnalysis, Resolution, TokenMatch,
                                Transliteration)
from namebridge.scoring import EXACT_SCORE, Scorer
from namebridge.scripts import ABJADS, MIXED, UNDETERMINED, UNKNOWN, detect_language, detect_script, dominant
from namebridge.settings import BUNDLED_LEXICON_DIR, Settings
from namebridge.translit import TranslitTables
from namebridge.wordlists import WordLists

#: weight of a one-letter query token (an initial)
INITIAL_WEIGHT = 0.3

#: base forms shorter than this are only taken when an alias has them as written
MIN_KEYED_STEM = 4

#: a joined pair of query tokens is tried when it meets an alias token this well
STRONG_TOKEN_SIMILARITY = 0.93

#: similarity factor of a name that is a father's name on one side of a pair only
FATHER_MISMATCH_FACTOR = 0.9
#: ... and the mark on the pair's key
FATHER_MISMATCH = "+father"

#: tokens this short may be another spelling of a particle (byn, аль)
MAX_PARTICLE_VARIANT_LENGTH = 3

#: the alias kind whose multi-word forms, matched whole, may carry a match
EPITHET = "epithet"

#: the entity type whose names are written with initials
PERSON = "person"

#: roles of query tokens
NAME, INITIAL, PARTICLE, PATRONYMIC = "name", "initial", "particle", "patronymic"


@dataclass(slots=True)
class QueryStats:
    """Cost counters of one query (tests use them to prove the index bounds the work)."""

    vocabulary_matched: int = 0
    aliases_scored: int = 0


@dataclass(frozen=True, slots=True)
class AliasSide:
    """An alias as alignment sees it: its tokens, their weights (a father's name weighs
    little), which are common given names, and where it writes one-letter initials."""

    vids: tuple[int, ...]
    weights: tuple[float, ...]
    common: tuple[bool, ...]
    letters: tuple[int, ...]
    fathers: frozenset[int]     #: positions of a father's name (after bin, before uly written apart)


@dataclass(frozen=True, slots=True)
class QueryToken:
    """A query token after detection and lookup (memoised per token)."""

    text: str
    script: str
    language: str
    role: str
    weight: float                                   #: weight when it meets no alias token
    keys: TokenKeys
    matches: dict[int, tuple[float, str]] = field(hash=False, compare=False)  #: vocabulary id -> (similarity, key)
    particle: str = ""          #: the particle it is, as the word lists write it (byn, вин -> bin)


class Engine:
    """Load once, resolve many times; safe to share between threads (read-only after load)."""

    def __init__(self, lexicon: Lexicon, settings: Settings, *, key_table: KeyTable,
                 morphology: Morphology, wordlists: WordLists, translit: TranslitTables) -> None:
        self.lexicon = lexicon
        self.settings = settings
        self.scorer = Scorer.from_settings(settings)
        self.key_table = key_table
        self.morphology = morphology
        self.wordlists = wordlists
        self.translit = translit
        self.index = AliasIndex.build(lexicon, key_table=key_table, morphology=morphology,
                                      wordlists=wordlists)
        self.entity_types = lexicon.entity_types
        self._entity_list: list[Entity] = list(lexicon.entities.values())
        self._loaded_at = datetime.now(timezone.utc)
        self._lookup_token = lru_cache(maxsize=settings.token_cache_size)(self._lookup_token_uncached)
        self._alias_side = lru_cache(maxsize=settings.token_cache_size)(self._alias_side_uncached)
        # answers are immutable and pipelines repeat names: remember recent ones
        self._resolve_cached = lru_cache(maxsize=settings.resolution_cache_size)(self._resolve_uncached)

    @classmethod
    def load(cls, lexicon_dir: Path | str | None = None, *, settings: Settings | None = None) -> "Engine":
        """Load a lexicon directory (default: the bundled ``lexicons/``) and build the index.

        The matching tables (``keys/``, ``morphology/``, ``tokens/``,
        ``translit/``) come from the lexicon directory when it has them, else
        from the bundled lexicon.
        """
        settings = (settings or Settings()).validated()
        directory = Path(lexicon_dir) if lexicon_dir is not None else Path(settings.lexicon_dir)
        settings = dataclasses.replace(settings, lexicon_dir=directory)
        lexicon = load_lexicon(directory)

        def data(folder: str) -> Path:
            own = directory / folder
            return own if own.is_dir() else BUNDLED_LEXICON_DIR / folder

        key_table = KeyTable.load(data("keys") / "classes.tsv")
        return cls(lexicon, settings,
                   key_table=key_table,
                   morphology=Morphology.load(data("morphology")),
                   wordlists=WordLists.load(data("tokens"), key_table),
                   translit=TranslitTables.load(data("translit"),
                                                languages_file=directory / "languages.tsv"))

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
        text = self._checked_name(name)
        self._check_hints(language, script)
        types = self._checked_types(entity_types)
        limit = self._checked_max_candidates(max_candidates)
        floor = self.settings.min_candidate_score if min_score is None else float(min_score)
        if not 0.0 <= floor <= 1.0:
            raise InvalidArgument("min_score", f"must be in [0, 1], got {min_score}")

        # 1. normalise
        tokens = tokenize(text)[: self.settings.max_query_tokens]
        # 2. detect (a caller's hint overrides); drop suffixes written after an apostrophe or hyphen
        readings = self._token_languages(tokens, language)
        query_language, query_script = self._detect(readings, language, script)
        kept = self.morphology.rejoin(tokens)
        # 3-4. key and look up each token (memoised)
        query = self._query_tokens(kept, language)
        if stats is not None:
            stats.vocabulary_matched = sum(len(q.matches) for q in query)
        # 5. score the candidate aliases, keep the best alias per entity; a query
        #    whose two tokens form one alias token (واتس اب, خاور میانه) is tried joined too.
        #    Asked for one candidate, a query that writes an alias exactly needs no more.
        best = self._exact_match(query, types, stats) if limit == 1 else None
        if best is None:
            best = self._score_candidates(query, types, floor, stats)
            for joined in self._joined_readings(kept, query, language):
                _keep_better(best, self._score_candidates(joined, types, floor, None))
        ranked = sorted(best.values(), key=lambda b: (-b[0], self.index.entity_ids[b[3]]))
        # 6. decide
        decision = self.scorer.decide_scores([b[0] for b in ranked])
        # 7. explain, only for what is returned
        returned = [b for b in ranked if b[0] >= floor][:limit]
        candidates = tuple(self._candidate(*b) for b in returned)
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
        return Resolution(analysis, decision, candidates, self.lexicon.version)

    def resolve_many(self, names: Iterable[str], **options: object) -> list[Resolution]:
        """``resolve`` for each name, in order."""
        return [self.resolve(n, **options) for n in names]  # type: ignore[arg-type]

    # --- steps ------------------------------------------------------------------

    def _token_languages(self, tokens: tuple[Token, ...], language: str | None) -> list[tuple[str, str]]:
        """(script, language) of each token as written; a language hint overrides detection."""
        readings = []
        for t in tokens:
            script = detect_script(t.surface)
            readings.append((script, language or detect_language(t.surface, script)))
        return readings

    def _detect(self, readings: list[tuple[str, str]], language: str | None,
                script: str | None) -> tuple[str, str]:
        """(language, script) of the whole query: the hints, else the dominant ones."""
        query_script = script or _dominant_script([s for s, _ in readings])
        query_language = language or dominant([lang for _, lang in readings]) or UNDETERMINED
        return query_language, query_script

    def _lookup_token_uncached(self, text: str, surface: str, language_hint: str | None, *,
                               first: bool) -> QueryToken:
        """Detect, key and look up one query token: its role, its weight and the vocabulary it meets.

        A patronymic is never a name's first token (Gurbanguly is a given name
        that merely ends like Kemeluly).
        """
        script = detect_script(surface)
        language = language_hint or detect_language(surface, script)
        keys = token_keys(text, self.key_table)
        abjad = script in ABJADS
        if _is_initial(text, keys):
            return QueryToken(text, script, language, INITIAL, INITIAL_WEIGHT, keys, {})
        role, weight = NAME, 1.0
        stems = self.morphology.stems(text, script)
        particle = next((t for t in (text, *stems) if t in self.wordlists.particles), None)
        if particle is not None:
            # a particle or title, possibly with a clitic (والرئيس = and the president):
            # it meets only particles (ben ~ bin ~ бин)
            matches = {}
            prefixes = self.wordlists.patronymic_prefixes
            for vid in self.index.vocabulary_candidates(text, keys, abjad=abjad):
                other = self.index.vocabulary[vid]
                if other.text == text or other.text in self.wordlists.particles:
                    similarity, key = features.form_similarity(text, keys, abjad, other)
                    if (similarity < self.settings.min_token_similarity and particle in prefixes
                            and other.text in prefixes):
                        # "son of" in any spelling (ibn, bin, بن written without its alef)
                        similarity, key = features.FULL_KEY_SIMILARITY, "particle"
                    if similarity >= self.settings.min_token_similarity:
                        matches[vid] = (similarity, key)
            return QueryToken(text, script, language, PARTICLE, self.wordlists.particles[particle], keys, matches,
                              particle)
        if len(text) <= MAX_PARTICLE_VARIANT_LENGTH:
            # a particle in another spelling (byn for bin, аль for al) is still a particle
            variant = self._particle_variant(text, keys, abjad)
            if variant is not None:
                return variant
        if not first and self.wordlists.is_patronymic(text):
            role, weight = PATRONYMIC, PATRONYMIC_WEIGHT
        elif self.wordlists.is_common_given_name(keys, abjad=abjad):
            weight = COMMON_NAME_FACTOR
        # the token as written; then, unless an alias has it as written, its base forms
        # (a short base form, үй in үйдегілер, only counts if an alias has it as written)
        matches: dict[int, tuple[float, str]] = {}
        self._match_form(text, keys, abjad, 1.0, matches)
        if text not in self.index.by_text:
            factor = self.settings.stemmed_factor
            for stem in stems:
                if len(stem) >= MIN_KEYED_STEM:
                    self._match_form(stem, token_keys(stem, self.key_table), abjad, factor, matches)
                elif stem in self.index.by_text:
                    vid = self.index.by_text[stem]
                    if factor > matches.get(vid, (0.0, ""))[0]:
                        matches[vid] = (factor, "exact+stem")
        return QueryToken(text, script, language, role, weight, keys, matches)

    def _match_form(self, form: str, keys: TokenKeys, abjad: bool, factor: float,
                    matches: dict[int, tuple[float, str]]) -> None:
        """Add to ``matches`` the vocabulary tokens ``form`` meets, similarity scaled by ``factor``."""
        vocabulary = self.index.vocabulary
        minimum = self.settings.min_token_similarity
        particles = self.wordlists.particles
        for vid in self.index.vocabulary_candidates(form, keys, abjad=abjad)[: self.settings.max_token_candidates]:
            other = vocabulary[vid]
            if other.text in particles and other.text != form:
                continue  # a name never meets a particle by its keys (Bijan read as bin)
            similarity, key = features.form_similarity(form, keys, abjad, other)
            similarity *= factor
            if similarity >= minimum and similarity > matches.get(vid, (0.0, ""))[0]:
                matches[vid] = (similarity, key if factor == 1.0 else f"{key}+stem")

    def _joined_readings(self, kept: list[Token], query: list[QueryToken],
                         language: str | None) -> list[list[QueryToken]]:
        """The query with one adjacent pair joined, where the joined form is an alias token."""
        readings = []
        for i in range(len(kept) - 1):
            a, b = kept[i], kept[i + 1]
            if a.text not in self.index.by_text or b.text not in self.index.by_text:
                joined = self._lookup_token(a.text + b.text, a.surface + b.surface, language, first=(i == 0))
                if any(similarity >= STRONG_TOKEN_SIMILARITY for similarity, _key in joined.matches.values()):
                    readings.append(query[:i] + [joined] + query[i + 2:])
        return readings

    def _query_tokens(self, kept: list[Token], language: str | None) -> list[QueryToken]:
        """Each token keyed and looked up (memoised), fathers' names marked."""
        return self._patronymics_marked(
            [self._lookup_token(t.text, t.surface, language, first=(n == 0)) for n, t in enumerate(kept)])

    def _patronymics_marked(self, query: list[QueryToken]) -> list[QueryToken]:
        """A token after ``bin``/``ibn`` (or before ``uly`` written apart) is a father's name."""
        marked = list(query)
        for i in self._father_positions(query):
            if marked[i].role == NAME:
                marked[i] = dataclasses.replace(marked[i], role=PATRONYMIC, weight=PATRONYMIC_WEIGHT)
        return marked

    def _father_positions(self, query: list[QueryToken]) -> list[int]:
        """Query positions of a father's name, the particles read as the word lists write them."""
        return _patronymic_positions([q.particle or q.text for q in query], self.wordlists)

    def _particle_variant(self, text: str, keys: TokenKeys, abjad: bool) -> QueryToken | None:
        """A short token that reads as a particle of the lexicon, as a particle token (else None)."""
        particles = self.wordlists.particles
        matches = {}
        for vid in self.index.vocabulary_candidates(text, keys, abjad=abjad):
            other = self.index.vocabulary[vid]
            if other.text in particles:
                similarity, key = features.form_similarity(text, keys, abjad, other)
                if similarity >= features.FULL_KEY_SIMILARITY:
                    matches[vid] = (similarity, key)
        if not matches:
            return None
        best = self.index.vocabulary[max(matches, key=lambda v: matches[v][0])].text
        script = detect_script(text)
        return QueryToken(text, script, detect_language(text, script), PARTICLE, particles[best], keys, matches,
                          best)

    def _score_candidates(self, query: list[QueryToken], types: frozenset[str], floor: float,
                          stats: QueryStats | None) -> dict[int, tuple]:
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
                     stats: QueryStats | None) -> dict[int, tuple] | None:
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
        if not best or max(b[0] for b in best.values()) < EXACT_SCORE:
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
                       types: frozenset[str]) -> dict[int, tuple]:
        """entity position -> (score, alias position, alignment, entity position, feature values,
        query tokens), the best alias of each entity; a strong alias wins a tie with a weak one."""
        index = self.index
        entity_list = self._entity_list
        fathers = frozenset(self._father_positions(query))
        best: dict[int, tuple] = {}
        for position in aliases:
            entity = index.alias_entity[position]
            if types and entity_list[entity].type not in types:
                continue
            entity_type = entity_list[entity].type
            alignment = self._align(query, position, initials=entity_type == PERSON,
                                    compound=entity_type in COMPOUND_TYPES, fathers=fathers)
            alias = index.aliases[position]
            weak = alias.tier != "strong"
            score, values = self.scorer.score(alignment, weak=weak, epithet=alias.kind == EPITHET)
            current = best.get(entity)
            if current is None or score > current[0] or (score == current[0] and not weak and _is_weak(index, current[1])):
                best[entity] = (score, position, alignment, entity, values, query)
        return best

    def scan_all_aliases(self, name: str) -> list[tuple[str, float]]:
        """(entity ID, score) of every entity, best first, scoring EVERY alias.

        A slow oracle for tests: on anything the scan would MATCH, the indexed
        ``resolve`` must name the same entity (tests/test_engine_properties.py).
        """
        kept = self.morphology.rejoin(tokenize(self._checked_name(name))[: self.settings.max_query_tokens])
        query = self._query_tokens(kept, None)
        everything = range(len(self.index.aliases))
        best = self._score_aliases(query, everything, frozenset())
        for joined in self._joined_readings(kept, query, None):
            _keep_better(best, self._score_aliases(joined, everything, frozenset()))
        ranked = sorted(best.values(), key=lambda b: (-b[0], self.index.entity_ids[b[3]]))
        return [(self.index.entity_ids[b[3]], b[0]) for b in ranked]

    def _alias_side_uncached(self, position: int) -> AliasSide:
        """What alignment needs of one alias that no query changes (memoised per alias)."""
        vocabulary = self.index.vocabulary
        vids = self.index.alias_tokens[position]
        weights = [vocabulary[v].weight for v in vids]
        common = [vocabulary[v].common for v in vids]
        fathers = frozenset(_patronymic_positions([vocabulary[v].text for v in vids], self.wordlists))
        for j in fathers:
            # a father's name (Salman in Mohammed bin Salman) is no evidence on its own
            weights[j] = min(weights[j], PATRONYMIC_WEIGHT)
            common[j] = True
        letters = tuple(j for j, v in enumerate(vids) if len(vocabulary[v].text) == 1)
        return AliasSide(vids, tuple(weights), tuple(common), letters, fathers)

    def _align(self, query: list[QueryToken], position: int, *, initials: bool, compound: bool = False,
               fathers: frozenset[int] = frozenset()) -> Alignment:
        """Greedy one-to-one alignment of query tokens and alias tokens, best pairs first.

        With ``initials`` (person names only), a one-letter token on either side
        may stand for a word of the other written in an alphabet. ``fathers``
        are the query positions of a father's name; a token that is a father's
        name on one side only meets at a lower similarity.
        """
        side = self._alias_side(position)
        alias_vids = side.vids
        vocabulary = self.index.vocabulary
        minimum = self.settings.min_token_similarity
        pairs: list[tuple[float, int, int, str]] = []   # (-similarity, query index, alias index, key)
        initial_similarity = -self.settings.initial_similarity
        alias_letters = side.letters if initials else ()
        for i, q in enumerate(query):
            if q.role == INITIAL:
                if initials:
                    for j, vid in enumerate(alias_vids):
                        v = vocabulary[vid]
                        if not v.abjad and features.initial_fits(q.text, q.keys, v.text, v.keys):
                            pairs.append((initial_similarity, i, j, "initial"))
                continue
            matches = q.matches
            father = i in fathers
            for j, vid in enumerate(alias_vids):
                hit = matches.get(vid)
                if hit is not None and hit[0] >= minimum:
                    if father != (j in side.fathers):
                        # the same name as a father's on one side only (Zaki bin Adel
                        # is not Adel bin Zaki): the pair stands, but not as exact
                        pairs.append((-hit[0] * FATHER_MISMATCH_FACTOR, i, j, hit[1] + FATHER_MISMATCH))
                    else:
                        pairs.append((-hit[0], i, j, hit[1]))
                elif j in alias_letters and q.role == NAME and features.initial_fits(
                        vocabulary[vid].text, vocabulary[vid].keys, q.text, q.keys):
                    # the alias writes an initial (J. D. Vance) where the query has the word
                    pairs.append((initial_similarity, i, j, "initial"))
        pairs.sort()   # best first; a query and alias index pair occurs once, so keys never tie
        used_q: set[int] = set()
        used_a: set[int] = set()
        chosen: list[tuple[int, int, float, str]] = []
        for negative, i, j, key in pairs:
            if i in used_q or j in used_a:
                continue
            used_q.add(i)
            used_a.add(j)
            chosen.append((i, j, -negative, key))
        alias_weights = side.weights
        query_weights = [q.weight for q in query]
        for i, j, _s, key in chosen:
            if key != "initial":
                query_weights[i] = alias_weights[j]
        return Alignment(
            pairs=chosen,
            query_weights=query_weights,
            alias_weights=alias_weights,
            query_roles=[q.role for q in query],
            alias_common=side.common,
            unmatched_query=[i for i in range(len(query)) if i not in used_q],
            unmatched_alias=[j for j in range(len(alias_vids)) if j not in used_a],
            compound=compound,
        )

    def _candidate(self, score: float, position: int, alignment: Alignment,
                   entity: int, values: tuple, query: list[QueryToken]) -> Candidate:
        alias = self.index.aliases[position]
        record = self._entity_list[entity]
        vids = self.index.alias_tokens[position]
        vocabulary = self.index.vocabulary
        matches = tuple(
            TokenMatch(query[i].text, vocabulary[vids[j]].text, key, round(similarity, 4),
                       round(alignment.alias_weights[j], 4))
            for i, j, similarity, key in sorted(alignment.pairs))
        return Candidate(
            entity_id=record.id, canonical_name=record.canonical_name, entity_type=record.type,
            score=round(score, 6), matched_alias=alias.text, alias_language=alias.language,
            alias_kind=alias.kind, alias_source=alias.source, token_matches=matches,
            features=tuple((n, round(v, 4)) for n, v in values))

    # --- validation -------------------------------------------------------------

    def _checked_name(self, name: object) -> str:
        if not isinstance(name, str):
            raise InvalidArgument("name", "must be a string")
        text = name.strip()
        if not text:
            raise InvalidArgument("name", "must not be empty or whitespace only")
        if len(text) > self.settings.max_name_length:
            raise InvalidArgument("name", f"is {len(text)} characters long; the limit is "
                                          f"{self.settings.max_name_length}")
        if "\x00" in text:
            raise InvalidArgument("name", "must not contain NUL characters")
        return text

    def _check_hints(self, language: str | None, script: str | None) -> None:
        if language and language not in self.lexicon.languages:
            raise InvalidArgument("language", f"unknown language tag {language!r}; known: "
                                              f"{', '.join(sorted(self.lexicon.languages))}")
        known_scripts = set(self.lexicon.languages.values())
        if script and script not in known_scripts:
            raise InvalidArgument("script", f"unknown script {script!r}; known: {', '.join(sorted(known_scripts))}")

    def _checked_types(self, entity_types: Collection[str]) -> frozenset[str]:
        types = frozenset(t for t in entity_types if t)
        unknown = types - self.entity_types
        if unknown:
            raise InvalidArgument("entity_types", f"unknown entity type(s) {', '.join(sorted(unknown))}; "
                                                  f"known: {', '.join(sorted(self.entity_types))}")
        return types

    def _checked_max_candidates(self, max_candidates: int | None) -> int:
        if max_candidates is None or max_candidates == 0:
            return self.settings.default_max_candidates
        if max_candidates < 0 or max_candidates > self.settings.max_candidates_limit:
            raise InvalidArgument("max_candidates", f"must be between 1 and "
                                                    f"{self.settings.max_candidates_limit}, got {max_candidates}")
        return int(max_candidates)

    # --- the other questions ----------------------------------------------------

    def transliterate(self, text: str, *, language: str | None = None) -> Transliteration:
        """Romanize a text for display, token by token, with the detected (or given) language."""
        cleaned = self._checked_name(text)
        self._check_hints(language, None)
        tokens = tokenize(cleaned)
        readings = self._token_languages(tokens, language)
        rows = [(t.surface, self.translit.romanize(t.surface, lang), script, lang)
                for t, (script, lang) in zip(tokens, readings)]
        query_language, query_script = self._detect(readings, language, None)
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
        by_language = Counter(a.language for a in self.lexicon.aliases)
        return LexiconInfo(
            version=self.lexicon.version, entity_count=len(self._entity_list),
            alias_count=len(self.lexicon.aliases), counts_by_type=dict(sorted(by_type.items())),
            counts_by_language=dict(sorted(by_language.items())), loaded_at=self._loaded_at,
            lexicon_dir=str(self.lexicon.directory), settings=self.settings.as_dict())


def _dominant_script(scripts: list[str]) -> str:
    letters = [s for s in scripts if s != UNKNOWN]
    if not letters:
        return UNKNOWN
    counts = Counter(letters)
    if len(counts) > 1:
        (first, n1), (_second, n2) = counts.most_common(2)
        return first if n1 > n2 else MIXED
    return letters[0]


def _keep_better(best: dict[int, tuple], other: dict[int, tuple]) -> None:
    """Merge per-entity results, keeping each entity's higher score."""
    for entity, entry in other.items():
        if entity not in best or entry[0] > best[entity][0]:
            best[entity] = entry


def _is_initial(text: str, keys: TokenKeys) -> bool:
    """One letter, or a romanized digraph that is one consonant (Sh., Zh., Kh.)."""
    if len(text) == 1:
        return text.isalpha()
    return len(text) == 2 and text.isalpha() and len(keys.full[0]) == 1 and keys.full[0].isupper()


def _patronymic_positions(texts: list[str], wordlists: WordLists) -> list[int]:
    """Positions of a father's name: after bin/ibn, or before uly/kyzy written apart."""
    positions = []
    for i, text in enumerate(texts):
        if text in wordlists.patronymic_prefixes and i + 1 < len(texts):
            positions.append(i + 1)
        elif text in wordlists.patronymic_suffixes and i > 0:
            positions.append(i - 1)
    return positions


def _is_weak(index: AliasIndex, position: int) -> bool:
    return index.aliases[position].tier != "strong"
