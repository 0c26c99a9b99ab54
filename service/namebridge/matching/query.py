"""Query analysis: each query token's script, language, role, weight and the vocabulary it meets.

``QueryAnalyzer.tokens`` is steps 2-4 of ``Engine.resolve`` for the tokens
(detect, key, look up): one token at a time, memoised per token, then the
fathers' names marked. ``joined_readings`` gives the query again with one
adjacent pair written together where that forms an alias token.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from namebridge.matching import features
from namebridge.matching.index import COMMON_NAME_FACTOR, PATRONYMIC_WEIGHT, AliasIndex
from namebridge.settings import Settings
from namebridge.text.keys import KeyTable, TokenKeys, acronym_key, token_keys
from namebridge.text.morphology import Morphology
from namebridge.text.normalize import Token
from namebridge.text.scripts import (ABJADS, MIXED, UNDETERMINED, UNKNOWN, ScriptRules, detect_language,
                                     detect_script, dominant)
from namebridge.text.wordlists import WordLists

#: weight of a one-letter query token (an initial)
INITIAL_WEIGHT = 0.3

#: base forms shorter than this are only taken when an alias has them as written
MIN_KEYED_STEM = 4

#: a joined pair of query tokens is tried when it meets an alias token this well
STRONG_TOKEN_SIMILARITY = 0.93

#: similarity of a query token and an alias token that share a base form (both inflected)
BASE_SIMILARITY = 0.95

#: the comparison that met an alias token through a shared base form
BASE_KEY = "base"

#: a particle or title found through a base form has at least this many letters
MIN_PARTICLE_STEM = 3

#: tokens this short may be another spelling of a particle (byn, аль)
MAX_PARTICLE_VARIANT_LENGTH = 3

#: roles of query tokens
NAME, INITIAL, PARTICLE, PATRONYMIC = "name", "initial", "particle", "patronymic"
#: structural roles (``lexicons/tokens/``): a title (dropped), an organisation or state
#: descriptor (optional), a generational marker (another person), a place qualifier
#: (another place; written ``qualifier:<type>`` when it names an entity type, ``qualifier:city``)
TITLE, DESCRIPTOR, GENERATION, QUALIFIER = "title", "descriptor", "generation", "qualifier"
#: a word a title takes with it (*Florida* Senator, президента *США*): no weight, no cost
COMPLEMENT = "complement"
#: words that open a query before a title and go with it (U.S. Secretary, Florida Senator)
MAX_LEADING_COMPLEMENT = 2
#: entity types whose names are places (a title's complement may be one)
PLACE_TYPES = frozenset({"country", "city", "region"})

#: similarity of a query token written in capitals and an acronym of the lexicon that are the
#: same letters in another alphabet (АКШ, AQSH ~ АҚШ)
ACRONYM_SIMILARITY = 0.95
#: a query token (or the part of it before a case ending) is written as an acronym with at least
#: this many capitals, its first letter one of them (АКШга, AQShning; not Aus)
MIN_ACRONYM_CAPITALS = 2
MAX_ACRONYM_LETTERS = 5

#: weight of a generational marker or place qualifier left over (the features
#: ``generational_marker`` and ``place_qualifier`` decide what it means)
STRUCTURE_WEIGHT = 0.1


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


class QueryAnalyzer:
    """Turns normalised tokens into ``QueryToken`` s against one index (read-only after construction)."""

    def __init__(self, index: AliasIndex, settings: Settings, *, key_table: KeyTable,
                 morphology: Morphology, wordlists: WordLists, script_rules: ScriptRules | None = None) -> None:
        self.index = index
        self.settings = settings
        self.key_table = key_table
        self.morphology = morphology
        self.wordlists = wordlists
        self.script_rules = script_rules        #: None: the bundled rules (detection memoised)
        self.lookup_token = lru_cache(maxsize=settings.token_cache_size)(self._lookup_token_uncached)
        self.generational = self._with_stems(wordlists.generational)
        #: vocabulary tokens written only in the names of countries, cities and regions
        self.place_vocabulary = place_vocabulary(index)
        self.qualifiers = self._with_stems(wordlists.qualifiers)
        #: acronym key (``keys.acronym_key``) -> the vocabulary tokens written as acronyms
        self.acronyms: dict[str, list[int]] = {}
        for vid, vt in enumerate(index.vocabulary):
            if vt.acronym and not vt.abjad:
                self.acronyms.setdefault(acronym_key(vt.text, key_table), []).append(vid)

    def _with_stems(self, tokens: Iterable[str]) -> dict[str, str]:
        """Each token and its base forms (as ``Morphology.stems`` gives them) -> the token."""
        forms: dict[str, str] = {}
        for token in tokens:
            forms[token] = token
            for stem in self.morphology.stems(token, detect_script(token, self.script_rules)):
                if len(stem) >= MIN_KEYED_STEM:
                    forms.setdefault(stem, token)
        return forms

    def structure_role(self, text: str, stems: list[str]) -> str | None:
        """``generation``, ``qualifier`` / ``qualifier:<type>``, or None: the role the token
        or one of its base forms has in ``generational_markers.tsv`` / ``place_qualifiers.tsv``."""
        for form in (text, *stems):
            if form in self.generational:
                return GENERATION
            if form in self.qualifiers:
                named = self.wordlists.qualifiers[self.qualifiers[form]]
                return f"{QUALIFIER}:{named}" if named else QUALIFIER
        return None

    def tokens(self, kept: list[Token], language: str | None) -> list[QueryToken]:
        """Each token keyed and looked up (memoised), fathers' names and titles' complements marked."""
        return self._complements_marked(self._patronymics_marked(
            [self.lookup_token(t.text, t.surface, language, first=(n == 0)) for n, t in enumerate(kept)]))

    def _complements_marked(self, query: list[QueryToken]) -> list[QueryToken]:
        """The words a title takes with it, marked ``complement`` (no weight, no cost):

        - the "of X" after a title (President *of Uzbekistan*, Secretary *of State*);
        - a place of one or more words right after a title or its "of X" (президента *США*
          Дональда Трампа, الرئيس *الأمريكي* دونالد ترامب, envoy to *the Middle East*), found
          by its matches: tokens of a country's, city's or region's name (``place_vocabulary``);
        - one or two words that open the query before a title (*Florida* Senator,
          *U.S.* President, *Kazakistan* Cumhurbaşkanı, *АҚШ* президенти).

        Only while a name is left after them: "President of Uzbekistan" alone keeps its words.
        """
        titles = [i for i, q in enumerate(query) if q.role == TITLE]
        if not titles:
            return query
        complement: set[int] = set()
        n = len(query)
        for i in titles:
            j = i + 1
            while j < n and query[j].role == PARTICLE:
                j += 1
            if i + 1 < j < n and query[j].role != TITLE:
                complement.add(j)
                j += 1
            # then a place of one or more words (envoy to *the Middle East*, المبعوث إلى *الشرق الأوسط*)
            while j < n and query[j].role not in (TITLE, PARTICLE) and self._is_place(query[j]):
                complement.add(j)
                j += 1
        first = titles[0]
        if 0 < first <= MAX_LEADING_COMPLEMENT and all(query[k].role not in (PARTICLE, PATRONYMIC)
                                                       for k in range(first)):
            complement.update(range(first))
        names = [i for i, q in enumerate(query) if q.role in (NAME, INITIAL) and i not in complement
                 and i > first]
        if not complement or not names:
            return query
        return [dataclasses.replace(q, role=COMPLEMENT, weight=0.0) if i in complement else q
                for i, q in enumerate(query)]

    def _is_place(self, token: QueryToken) -> bool:
        """True if the token meets, near-exactly, a token only places' names have (США, Узбекистана)."""
        places = self.place_vocabulary
        return any(vid in places and similarity >= STRONG_TOKEN_SIMILARITY
                   for vid, (similarity, _key) in token.matches.items())

    def joined_readings(self, kept: list[Token], query: list[QueryToken],
                        language: str | None) -> list[list[QueryToken]]:
        """The query with one adjacent pair joined, where the joined form is an alias token."""
        readings = []
        for i in range(len(kept) - 1):
            a, b = kept[i], kept[i + 1]
            if (is_structural(query[i].role) or is_structural(query[i + 1].role)
                    or self._is_lineage_marker(query[i]) or self._is_lineage_marker(query[i + 1])):
                continue   # a qualifier or marker is a word of its own (قضاء غزة is not قطاع غزة)
            if _is_letter(a) and _is_letter(b):
                continue   # single letters (U. S., J. D.): joined as a run below
            if not query[i].keys.skeleton[0] or not query[i + 1].keys.skeleton[0]:
                continue   # a word of vowels alone adds no evidence to a compound (Moscow Iowa)
            if a.text not in self.index.by_text or b.text not in self.index.by_text:
                joined = self.lookup_token(a.text + b.text, a.surface + b.surface, language, first=(i == 0))
                # the second word must add to the match: a joined form that meets only what one
                # of its words meets as well on its own swallows the other (Moscow Iowa is not
                # a spelling of Moscow); and it meets as written or by keys: a base form shared
                # with an alias token is no sign that the two words are one (Miami-Dade)
                apart = (query[i].matches, query[i + 1].matches)
                if any(similarity >= STRONG_TOKEN_SIMILARITY and key != BASE_KEY
                       and all(similarity > side.get(vid, (0.0, ""))[0] for side in apart)
                       for vid, (similarity, key) in joined.matches.items()):
                    readings.append(query[:i] + [joined] + query[i + 2:])
        readings += self._joined_letters(kept, query, language)
        return readings

    def _joined_letters(self, kept: list[Token], query: list[QueryToken],
                        language: str | None) -> list[list[QueryToken]]:
        """The query with a run of two single letters or more (U. S., J. D., U. S. A., written
        with spaces) written together, where that is an alias token as written."""
        readings = []
        start = 0
        while start < len(kept):
            end = start
            while end < len(kept) and _is_letter(kept[end]):
                end += 1
            if end - start >= 2:
                text = "".join(t.text for t in kept[start:end])
                if text in self.index.by_text:
                    joined = self.lookup_token(text, "".join(t.surface for t in kept[start:end]), language,
                                               first=(start == 0))
                    readings.append(query[:start] + [joined] + query[end:])
            start = end + 1 if end == start else end
        return readings

    def _is_lineage_marker(self, token: QueryToken) -> bool:
        """True for bin, uulu, آل, عبد... (``lineage_markers.tsv``), in any spelling the lists know."""
        w = self.wordlists
        text = token.particle or token.text
        return (text in w.patronymic_prefixes or text in w.patronymic_suffixes or text in w.family_markers
                or text in w.name_prefixes)

    def father_positions(self, query: list[QueryToken]) -> list[int]:
        """Query positions of a father's name, the particles read as the word lists write them."""
        return patronymic_positions([q.particle or q.text for q in query], self.wordlists)

    def _lookup_token_uncached(self, text: str, surface: str, language_hint: str | None, *,
                               first: bool) -> QueryToken:
        """Detect, key and look up one query token: its role, its weight and the vocabulary it meets.

        A patronymic is never a name's first token (Gurbanguly is a given name
        that merely ends like Kemeluly).
        """
        script = detect_script(surface, self.script_rules)
        language = language_hint or detect_language(surface, script, self.script_rules)
        keys = token_keys(text, self.key_table)
        abjad = script in ABJADS
        stems = self.morphology.stems(text, script)
        structure = self.structure_role(text, stems)
        if structure is not None:
            # Jr., City, محافظة: meets alias tokens as written (Oval Office holds office);
            # left over, the scorer's features say it names another entity
            # only the same structural word (قضاء is no spelling of قطاع)
            found: dict[int, tuple[float, str]] = {}
            self._match_form(text, keys, abjad, 1.0, found)
            vocabulary = self.index.vocabulary
            matches = {vid: hit for vid, hit in found.items()
                       if self.structure_role(vocabulary[vid].text,
                                              self.morphology.stems(vocabulary[vid].text, script)) == structure}
            return QueryToken(text, script, language, structure, STRUCTURE_WEIGHT, keys, matches)
        if is_initial(text, keys) and (first or text not in self.wordlists.particles):
            # a listed one-letter particle inside a name is that word (Южная *и* Центральная
            # Азия, جنوب *و* وسط آسيا), not an initial
            return QueryToken(text, script, language, INITIAL, INITIAL_WEIGHT, keys, {})
        role, weight = NAME, 1.0
        # a base form counts when it keeps most of the token (президента, والرئيس; Астаны is no ас)
        particle = next((t for t in (text, *stems) if t in self.wordlists.particles
                         and (t == text or len(t) >= max(MIN_PARTICLE_STEM, len(text) // 2))), None)
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
            return QueryToken(text, script, language, self.wordlists.role_of_particle(particle),
                              self.wordlists.particles[particle], keys, matches, particle)
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
        matches = {}
        self._match_form(text, keys, abjad, 1.0, matches)
        if text not in self.index.by_text:
            factor = self.settings.stemmed_factor
            keyed = set(self.morphology.stems(text, script, keyed=True))
            for stem in stems:
                if len(stem) >= MIN_KEYED_STEM and stem in keyed:
                    self._match_form(stem, token_keys(stem, self.key_table), abjad, factor, matches)
                elif stem in self.index.by_text:
                    vid = self.index.by_text[stem]
                    if factor > matches.get(vid, (0.0, ""))[0]:
                        matches[vid] = (factor, "exact+stem")
            if not abjad:
                self._match_bases(text, script, matches)
        if not abjad:
            self._match_acronyms(text, surface, stems, matches)
        if text in self.wordlists.ordinary_words:
            # an ordinary word (Was, Bon, الذين) meets a name only as written
            matches = {vid: hit for vid, hit in matches.items() if hit[1] == "exact"}
        return QueryToken(text, script, language, role, weight, keys, matches)

    def _match_bases(self, text: str, script: str, matches: dict[int, tuple[float, str]]) -> None:
        """Add the alias tokens that share a base form with the query token (both inflected:
        Штатов ~ Штаты, Белом ~ Белый, Соединенных ~ Соединённые), at ``BASE_SIMILARITY``."""
        by_base = self.index.by_base
        for base in self.morphology.base_forms(text, script):
            for vid in by_base.get(base, ()):
                if BASE_SIMILARITY > matches.get(vid, (0.0, ""))[0]:
                    matches[vid] = (BASE_SIMILARITY, BASE_KEY)

    def _match_acronyms(self, text: str, surface: str, stems: list[str],
                        matches: dict[int, tuple[float, str]]) -> None:
        """Add the acronyms of the lexicon that the token, written in capitals, spells letter
        for letter in another alphabet (АКШ, AQSH ~ АҚШ), or that it holds before a case ending
        (АКШга, AQShning, ABDnin): acronyms are otherwise met only as written."""
        if not self.acronyms:
            return
        for form in (text, *stems):
            if not text.startswith(form) or not _written_as_acronym(surface[:len(form)]):
                continue
            similarity = ACRONYM_SIMILARITY if form == text else ACRONYM_SIMILARITY * self.settings.stemmed_factor
            for vid in self.acronyms.get(acronym_key(form, self.key_table), ()):
                if similarity > matches.get(vid, (0.0, ""))[0]:
                    matches[vid] = (similarity, "acronym" if form == text else "acronym+stem")

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

    def _patronymics_marked(self, query: list[QueryToken]) -> list[QueryToken]:
        """A token after ``bin``/``ibn`` (or before ``uly`` written apart) is a father's name;
        after ``Āl``/``آل`` inside a name (not its first word: Al Jazeera) a family's
        (Mohammed bin Salman *Al Saud*): both weigh as a patronymic."""
        marked = list(query)
        family = self.wordlists.family_markers
        fathers = self.father_positions(query)
        fathers += [i + 1 for i in range(1, len(query) - 1) if (query[i].particle or query[i].text) in family]
        # a father's name in two words (bin Abd al-Aziz, بن عبد العزيز) is a father's name throughout
        prefixes = self.wordlists.name_prefixes
        fathers += [i + 1 for i in fathers if i + 1 < len(query) and (query[i].particle or query[i].text) in prefixes]
        for i in fathers:
            if marked[i].role == NAME:
                marked[i] = dataclasses.replace(marked[i], role=PATRONYMIC, weight=PATRONYMIC_WEIGHT)
        return marked

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
        script = detect_script(text, self.script_rules)
        return QueryToken(text, script, detect_language(text, script, self.script_rules),
                          self.wordlists.role_of_particle(best), particles[best], keys, matches,
                          best)


def token_languages(tokens: tuple[Token, ...], language: str | None,
                    rules: ScriptRules | None = None) -> list[tuple[str, str]]:
    """(script, language) of each token as written; a language hint overrides detection."""
    readings = []
    for t in tokens:
        script = detect_script(t.surface, rules)
        readings.append((script, language or detect_language(t.surface, script, rules)))
    return readings


def query_language_and_script(readings: list[tuple[str, str]], language: str | None,
                              script: str | None) -> tuple[str, str]:
    """(language, script) of the whole query: the hints, else the dominant ones."""
    query_script = script or dominant_script([s for s, _ in readings])
    query_language = language or dominant([lang for _, lang in readings]) or UNDETERMINED
    return query_language, query_script


def dominant_script(scripts: list[str]) -> str:
    """The script most tokens are written in; MIXED on a tie, UNKNOWN without letters."""
    letters = [s for s in scripts if s != UNKNOWN]
    if not letters:
        return UNKNOWN
    counts = Counter(letters)
    if len(counts) > 1:
        (first, n1), (_second, n2) = counts.most_common(2)
        return first if n1 > n2 else MIXED
    return letters[0]


def _is_letter(token: Token) -> bool:
    """True for a token of one letter (an initial, or a letter of a spaced acronym)."""
    return len(token.text) == 1 and token.text.isalpha()


def _written_as_acronym(surface: str) -> bool:
    """True for letters written as an acronym: ``MIN_ACRONYM_CAPITALS`` capitals or more, the
    first letter one of them (АКШ, AQSh; not Aus or Ash)."""
    letters = [c for c in surface if c.isalpha()]
    return (MIN_ACRONYM_CAPITALS <= len(letters) <= MAX_ACRONYM_LETTERS and letters[0].isupper()
            and sum(c.isupper() for c in letters) >= MIN_ACRONYM_CAPITALS)


def is_initial(text: str, keys: TokenKeys) -> bool:
    """One letter, or a romanized digraph that is one consonant (Sh., Zh., Kh.)."""
    if len(text) == 1:
        return text.isalpha()
    return len(text) == 2 and text.isalpha() and len(keys.full[0]) == 1 and keys.full[0].isupper()


def patronymic_positions(texts: list[str], wordlists: WordLists) -> list[int]:
    """Positions of a father's name: after bin/ibn, before uly/kyzy written apart, or written
    with a patronymic ending (Kemelevich, Kemeluly; never a name's first word)."""
    positions = []
    for i, text in enumerate(texts):
        if text in wordlists.patronymic_prefixes and i + 1 < len(texts):
            positions.append(i + 1)
        elif text in wordlists.patronymic_suffixes and i > 0:
            positions.append(i - 1)
        elif i > 0 and wordlists.is_patronymic(text):
            positions.append(i)
    return positions


def is_structural(role: str) -> bool:
    """True for a generational marker or a place qualifier (``lexicons/tokens/``)."""
    return role == GENERATION or role.startswith(QUALIFIER)


def place_vocabulary(index: AliasIndex) -> frozenset[int]:
    """Vocabulary ids of tokens that only names of places (``PLACE_TYPES``) write."""
    entity_types = [eid.partition(":")[0] for eid in index.entity_ids]
    alias_entity = index.alias_entity
    return frozenset(vid for vid, vt in enumerate(index.vocabulary)
                     if vt.postings and all(entity_types[alias_entity[p]] in PLACE_TYPES for p in vt.postings))
