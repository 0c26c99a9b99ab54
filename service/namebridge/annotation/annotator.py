"""Every mention of a lexicon entity in a text, resolved, with offsets.

``Annotator.annotate`` reads top to bottom:

    check -> words -> candidate spans (automaton) -> confirm (resolver) -> titles
    -> capitals (place or government) -> overlaps -> document pass -> ordinary words

The automaton proposes; the engine's own ``resolve`` decides what a span names,
so inflection, clitics, keys and scores are the resolver's. Built once per
engine (``Annotator(engine)``); read-only afterwards, safe to share between threads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from namebridge.annotation.automaton import Candidate, MentionAutomaton
from namebridge.annotation.context import ContextLists
from namebridge.annotation.mentions import Mention, mention_kind
from namebridge.annotation.words import Word, split_words, token_pattern
from namebridge.errors import InvalidArgument
from namebridge.lexicon.bundle import table_folders
from namebridge.lexicon.model import Alias, Entity
from namebridge.matching.engine import Engine
from namebridge.matching.options import check_hints
from namebridge.matching.results import Candidate as Resolved, Decision
from namebridge.text.normalize import normalize_text

#: the field an over-long or non-string text is reported on
TEXT_FIELD = "text"
#: alias kinds that only support a match: met whole, they name their entity in running text
WEAK_FORMS = ("epithet", "metonym")
CITY, COUNTRY = "city", "country"
ACRONYM_KIND = "abbreviation"
#: candidates asked of the resolver per span
SPAN_CANDIDATES = 5


@dataclass(slots=True)
class _Found:
    """A confirmed (or, with ``pending``, a not yet decided) span."""

    start: int
    end: int
    first: int
    last: int
    form: str                      #: normalised words of the span, for the same-surface rule
    resolved: Resolved | None
    language: str
    script: str
    inflected: bool
    options: tuple[str, ...] = ()  #: entities the span may name, when the resolver did not decide
    #: the resolver's candidate for each of ``options``
    option_records: dict[str, Resolved] = field(default_factory=dict)
    by_context: bool = False       #: the entity was chosen by the words around it (a capital)


class Annotator:
    """The automaton, the context lists and the engine that confirms."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        tables = engine.normalization
        self.automaton = MentionAutomaton(engine.index, engine.morphology, tables,
                                          engine.analyzer.script_rules)
        self.context = ContextLists.load(table_folders(engine.lexicon.directory)["tokens"] / "tokens", tables)
        self._pattern = token_pattern(tables)
        self._aliases = engine.index.aliases
        self._entities = engine.lexicon.entities
        #: normalised form of an alias text (memoised: a text repeats its mentions)
        self._form = lru_cache(maxsize=engine.settings.token_cache_size)(
            lambda alias_text: normalize_text(alias_text, tables))

    def annotate(self, text: str, *, language: str | None = None) -> list[Mention]:
        """The mentions in ``text``, in text order, spans never overlapping. Raises
        ``InvalidArgument`` on ``text`` (not a string, over ``max_annotate_chars``) or
        ``language`` (unknown tag)."""
        # 0. check
        if not isinstance(text, str):
            raise InvalidArgument(TEXT_FIELD, "must be a string")
        limit = self.engine.settings.max_annotate_chars
        if len(text) > limit:
            raise InvalidArgument(TEXT_FIELD, f"is {len(text)} characters long; the limit is {limit} "
                                              f"(NAMEBRIDGE_MAX_ANNOTATE_CHARS): split the text")
        language = language or None
        check_hints(language, None, self.engine.lexicon.languages)
        if not text.strip():
            return []
        # 1. words with offsets; 2. candidate spans
        words = split_words(text, self.engine.normalization, self.engine.morphology, self._pattern,
                            self.engine.analyzer.script_rules)
        # 3. confirm each span with the resolver
        found = [f for c in self.automaton.candidates(words) if (f := self._confirm(text, words, c, language))]
        # 4. a title listed as an epithet is not the name it stands before
        found = _without_titles_before_names(found, text)
        # 5. overlaps: the longest span, then the best score
        found = _longest_best(found)
        # 6. the document: undecided spans, one entity per surface, ordinary words
        found = self._document_pass(found)
        found = self._ordinary_words(found, text, words)
        return [self._mention(text, f) for f in found]

    # --- steps ------------------------------------------------------------------

    def _confirm(self, text: str, words: list[Word], candidate: Candidate, language: str | None) -> _Found | None:
        """The span of ``candidate`` as the resolver reads it, or None."""
        first, last = candidate.first, candidate.last
        start, end = words[first].start, words[last].end
        if first > 0 and words[first - 1].proclitic and not any(c.isspace() for c in text[words[first - 1].end:start]):
            start = words[first - 1].start   # لـ"الشرق: the proclitic belongs to the word
        if end - start > self.engine.settings.max_name_length:
            return None
        allowed = {self._aliases[a].entity_id for a in candidate.aliases}
        # asked for one candidate, the resolver answers a span written as an alias without
        # the fuzzy search; only a span it does not MATCH to a proposing entity is asked again
        resolution = self.engine.resolve(text[start:end], language=language, max_candidates=1)
        if not (resolution.decision is Decision.MATCH and resolution.candidates[0].entity_id in allowed):
            resolution = self.engine.resolve(text[start:end], language=language, max_candidates=SPAN_CANDIDATES)
        span_form = " ".join(w.text for w in words[first:last + 1])
        top = resolution.candidates[0] if resolution.candidates else None
        found = _Found(start, end, first, last, span_form, None, resolution.query.language,
                       resolution.query.script, False)
        if top is not None and resolution.decision is Decision.MATCH and top.entity_id in allowed:
            chosen: Resolved | None = top
        else:
            chosen = self._weak_form_met_whole(candidate, resolution.candidates)
        if chosen is None:
            records = {c.entity_id: c for c in resolution.candidates
                       if c.entity_id in allowed and c.score >= self.engine.settings.ambiguous_threshold}
            if not records:
                return None
            found.options = tuple(records)
            found.option_records = records
        elif not self._acronym_as_written(chosen, words[first]) or self._adjective(words, candidate, chosen):
            return None
        else:
            found.resolved = chosen
            found = self._capital(found, text, words, candidate, chosen, resolution.candidates, language)
        found.inflected = start < words[first].start or any(w.suffix for w in words[first:last + 1]) or (
            found.resolved is not None and span_form != self._form(found.resolved.matched_alias))
        return found

    def _weak_form_met_whole(self, candidate: Candidate, resolved: tuple[Resolved, ...]) -> Resolved | None:
        """An epithet or metonym alias met as written (affixes aside) names its entity: the
        resolver caps weak forms below a match, since alone they only support one."""
        for c in resolved:
            if c.alias_kind in WEAK_FORMS and any(self._aliases[a].entity_id == c.entity_id
                                                  and self._aliases[a].kind == c.alias_kind
                                                  for a in candidate.aliases):
                return c
        return None

    def _acronym_as_written(self, chosen: Resolved, word: Word) -> bool:
        """An acronym is met only written in capitals (ABD, АҚШ, U.S.; not "us")."""
        if chosen.alias_kind != ACRONYM_KIND:
            return True
        letters = [c for c in word.surface if c.isalpha()]
        return not letters or any(c.isupper() for c in letters) and all(
            c.isupper() for c in letters if c.lower() != c.upper())

    def _adjective(self, words: list[Word], candidate: Candidate, chosen: Resolved) -> bool:
        """The span's last word is the name plus an adjective ending (``الكازاخستاني``)."""
        form = self._form(chosen.matched_alias)
        _prefix, suffix = _affixes(words, candidate.first, candidate.last, form)
        return bool(suffix) and self.context.is_adjective(form, suffix)

    def _capital(self, found: _Found, text: str, words: list[Word], candidate: Candidate, chosen: Resolved,
                 resolved: tuple[Resolved, ...], language: str | None) -> _Found:
        """A form that names a city and, as a metonym, a country: the place with a place
        marker (``ContextLists.is_place_reading``), else the government."""
        met = [self._aliases[a] for a in candidate.aliases]
        cities = {a.entity_id for a in met if self._entities[a.entity_id].type == CITY and a.tier == "strong"}
        metonyms = [a for a in met if a.kind == "metonym" and self._entities[a.entity_id].type == COUNTRY]
        if not cities or not metonyms or chosen.entity_id not in cities | {a.entity_id for a in metonyms}:
            return found
        prefix, suffix = _affixes(words, candidate.first, candidate.last,
                                  self._form(metonyms[0].text))
        if found.start < words[candidate.first].start:
            prefix = words[candidate.first - 1].text + prefix
        place = self.context.is_place_reading(text, words, candidate.first, prefix, suffix)
        wanted = sorted(cities)[0] if place else metonyms[0].entity_id
        if chosen.entity_id != wanted:
            if len(resolved) < SPAN_CANDIDATES:
                resolved = self.engine.resolve(text[found.start:found.end], language=language,
                                               max_candidates=SPAN_CANDIDATES).candidates
            other = next((c for c in resolved if c.entity_id == wanted), None)
            chosen = other or _record(self._entities[wanted], None if place else metonyms[0], chosen.score)
        found.resolved = chosen
        found.by_context = True
        return found

    def _document_pass(self, found: list[_Found]) -> list[_Found]:
        """One text, one reading: a span the resolver left undecided names the entity among
        its options that the text names elsewhere (``Tokayev`` after ``Kasım Cömert Tokayev``),
        or nothing; the same surface names the same entity throughout, unless the words
        around a capital chose (``by_context``)."""
        named = {f.resolved.entity_id for f in found if f.resolved is not None}
        kept: list[_Found] = []
        for f in found:
            if f.resolved is None:
                options = [o for o in f.options if o in named]
                if len(options) != 1:
                    continue
                f.resolved = f.option_records[options[0]]
            kept.append(f)
        by_form: dict[str, list[_Found]] = defaultdict(list)
        for f in kept:
            if not f.by_context:
                by_form[f.form].append(f)
        for group in by_form.values():
            best = max(group, key=lambda f: f.resolved.score)   # type: ignore[union-attr]
            for f in group:
                if f.resolved.entity_id != best.resolved.entity_id:   # type: ignore[union-attr]
                    f.resolved = best.resolved
        return kept

    def _ordinary_words(self, found: list[_Found], text: str, words: list[Word]) -> list[_Found]:
        """A form that is also an ordinary word stays only with evidence (``has_name_evidence``)
        or when the text names its entity elsewhere with a form that is not one."""
        ordinary = self.context.ordinary_words
        if not ordinary:
            return found
        plain = {f.resolved.entity_id for f in found if f.resolved and not self._is_ordinary(f)}
        kept = []
        for i, f in enumerate(found):   # in text order: the neighbours are the mentions either side
            if self._is_ordinary(f) and f.resolved.entity_id not in plain:   # type: ignore[union-attr]
                neighbours = [(g.start, g.end, g.resolved.entity_type) for g in found[max(0, i - 1):i + 2]
                              if g is not f and g.resolved is not None]
                if not self.context.has_name_evidence(text, words, f.first, f.last, f.start, f.end,
                                                      f.resolved.entity_type, neighbours):   # type: ignore[union-attr]
                    continue
            kept.append(f)
        return kept

    def _is_ordinary(self, f: _Found) -> bool:
        """The span was met through a form listed as an ordinary word."""
        return f.resolved is not None and self._form(f.resolved.matched_alias) in self.context.ordinary_words

    def _mention(self, text: str, f: _Found) -> Mention:
        r = f.resolved
        if r is None:   # never: undecided spans leave in the document pass
            raise ValueError("undecided span")
        return Mention(start=f.start, end=f.end, text=text[f.start:f.end], entity_id=r.entity_id,
                       canonical_name=r.canonical_name, entity_type=r.entity_type, score=r.score,
                       language=f.language, script=f.script, kind=mention_kind(r.alias_kind, f.inflected),
                       matched_alias=r.matched_alias)


def _affixes(words: list[Word], first: int, last: int, form: str) -> tuple[str, str]:
    """(what precedes ``form`` in the span's first word, what follows it in the last)."""
    joined = " ".join(w.text for w in words[first:last + 1])
    at = joined.find(form)
    if at < 0:
        return "", words[last].suffix
    return joined[:at], joined[at + len(form):] + words[last].suffix


def _record(entity: Entity, alias: Alias | None, score: float) -> Resolved:
    """A candidate record for an entity the resolver did not return for the span (the
    country of a capital read as its government): its metonym alias, the span's score."""
    return Resolved(entity_id=entity.id, canonical_name=entity.canonical_name, entity_type=entity.type,
                    score=score, matched_alias=alias.text if alias else entity.canonical_name,
                    alias_language=alias.language if alias else "", alias_kind=alias.kind if alias else "name",
                    alias_source=alias.source if alias else "", token_matches=(), features=())


def _without_titles_before_names(found: list[_Found], text: str) -> list[_Found]:
    """An epithet span right before a mention of the same entity is a title (``ABD Başkanı
    Donald Trump``): it is dropped, and what it contains (ABD) stands on its own."""
    by_start = sorted(found, key=lambda f: f.start)
    dropped: set[int] = set()
    for i, f in enumerate(by_start):
        if f.resolved is None or f.resolved.alias_kind != "epithet":
            continue
        for g in by_start[i + 1:]:
            if g.start < f.end:
                continue
            if text[f.end:g.start].strip(" \t,") != "":
                break
            if g.resolved is not None and g.resolved.entity_id == f.resolved.entity_id or \
                    f.resolved.entity_id in g.options:
                dropped.add(id(f))
            break
    return [f for f in found if id(f) not in dropped]


def _longest_best(found: list[_Found]) -> list[_Found]:
    """Non-overlapping spans: longest first (in words, then characters), then the best score.
    Linear in the spans: taken characters are marked, and a span is short."""
    ranked = sorted(found, key=lambda f: (-(f.last - f.first), -(f.end - f.start),
                                          -(f.resolved.score if f.resolved else 0.0), f.start))
    taken: list[_Found] = []
    occupied: set[int] = set()
    for f in ranked:
        span = range(f.start, f.end)
        if not any(i in occupied for i in span):
            occupied.update(span)
            taken.append(f)
    return sorted(taken, key=lambda f: f.start)
