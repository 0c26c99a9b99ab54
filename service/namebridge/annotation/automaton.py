"""Candidate mention spans: one multi-pattern automaton over the normalised text.

Built once per engine from the engine's index: each alias's normalised token
forms (the resolver's own ``tokenize`` + ``Morphology.rejoin``, as indexed), with its last
token also by its stems and its first token also without the article (the same
``lexicons/morphology/`` lists the resolver strips). The text is searched once
(Aho-Corasick, cost linear in the text plus the hits); a hit is a candidate
only when it covers whole words, except for proclitics before it and suffixes
after it that the morphology lists allow (``وكازاخستان``, ``Вашингтонға``,
``Zirvesinde``). A candidate is a proposal: the resolver confirms it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from namebridge.annotation.words import Word
from namebridge.matching.index import AliasIndex
from namebridge.text.morphology import Morphology
from namebridge.text.normalize import APOSTROPHE, NormalizationTables
from namebridge.text.scripts import ScriptRules, detect_script

#: a stem shorter than this (letters) makes no pattern: too many words start with it
MIN_STEM_PATTERN = 3
#: at most this many proclitics before a name (و + ب in وبكازاخستان), as the resolver
PREFIX_LAYERS = 2
#: at most this many suffixes after a name (үй + де + гі + лер)
SUFFIX_LAYERS = 3
#: a pattern shorter than this (characters) is an acronym or nothing
MIN_PATTERN_CHARS = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed span: words ``first``..``last`` (inclusive) and the aliases whose forms met it."""

    first: int
    last: int
    aliases: tuple[int, ...]   #: positions in ``lexicon.aliases``
    whole: tuple[int, ...]     #: those met as written, on whole words with no affix


class MentionAutomaton:
    """Alias forms -> the aliases written with them, in one Aho-Corasick automaton."""

    def __init__(self, index: AliasIndex, morphology: Morphology, tables: NormalizationTables,
                 script_rules: ScriptRules | None = None) -> None:
        """From the engine's index: its alias tokens are the resolver's own normalised,
        rejoined forms; stems and article-less forms are computed once per distinct token.
        A token holding an apostrophe that is a letter (``oʻzbekiston``, U+02BB) also
        gets the form a text writing another apostrophe normalises to (``ozbekiston``)."""
        self.morphology = morphology
        self.script_rules = script_rules
        apostrophes = {ord(c): None for c, kind in tables.joiners.items() if kind == APOSTROPHE}
        vocabulary = [v.text for v in index.vocabulary]
        stems: dict[str, list[str]] = {}
        bare: dict[str, str | None] = {}
        #: pattern -> (alias positions, whether the pattern is the alias as written)
        forms: dict[str, tuple[list[int], list[bool]]] = {}
        for position, vids in enumerate(index.alias_tokens):
            if not vids:
                continue
            written = [vocabulary[v] for v in vids]
            plain = [t.translate(apostrophes) for t in written]
            readings = [(written, True)] + ([(plain, False)] if plain != written else [])
            for texts, as_written in readings:
                last, first = texts[-1], texts[0]
                if last not in stems:
                    stems[last] = _stems(last, morphology, script_rules)
                if first not in bare:
                    bare[first] = _bare(first, morphology, script_rules)
                head = " ".join(texts[:-1])
                variants = [(" ".join(texts), as_written)]
                variants += [(f"{head} {stem}" if head else stem, False) for stem in stems[last]]
                if bare[first]:
                    variants.append((" ".join([bare[first]] + texts[1:]), False))  # type: ignore[list-item]
                for pattern, whole in variants:
                    if len(pattern) < MIN_PATTERN_CHARS:
                        continue
                    entry = forms.get(pattern)
                    if entry is None:
                        forms[pattern] = entry = ([], [])
                    entry[0].append(position)
                    entry[1].append(whole)
        self.automaton = ahocorasick.Automaton()
        self.patterns: list[tuple[tuple[int, ...], tuple[bool, ...]]] = []
        for pattern, (positions, written) in forms.items():
            self.automaton.add_word(pattern, (len(pattern), len(self.patterns)))
            self.patterns.append((tuple(positions), tuple(written)))
        if self.patterns:
            self.automaton.make_automaton()
        self._prefixes = {script: frozenset(morphology.prefix_sets.get(script, ()))
                          | frozenset(a for lang in langs for a in morphology.articles.get(lang, ()))
                          for script, langs in morphology.languages_by_script.items()}
        self._suffixes = {script: frozenset(morphology.suffix_sets.get(script, ()))
                          | (morphology.apostrophe_suffixes if script == "Latin" else frozenset())
                          for script in morphology.languages_by_script}
        self._chain = lru_cache(maxsize=65536)(self._chain_uncached)

    def candidates(self, words: list[Word]) -> list[Candidate]:
        """Every hit of a pattern that covers whole words (affixes allowed), in text order."""
        if not words or not self.patterns:
            return []
        starts: list[int] = []
        pieces: list[str] = []
        position = 1
        for word in words:
            starts.append(position)
            pieces.append(word.text)
            position += len(word.text) + 1
        normalised = " " + " ".join(pieces) + " "
        found: dict[tuple[int, int], dict[int, bool]] = {}
        for end, (length, pattern_id) in self.automaton.iter(normalised):
            a, b = end - length + 1, end + 1
            first = bisect_right(starts, a) - 1
            last = bisect_right(starts, b - 1) - 1
            first_word, last_word = words[first], words[last]
            prefix = normalised[starts[first]:a]
            suffix = normalised[b:starts[last] + len(last_word.text)]
            if prefix and not self._chain(prefix, first_word.script, True):
                continue
            if suffix and not self._chain(suffix, last_word.script, False):
                continue
            bare = not prefix and not suffix and not last_word.suffix
            met = found.setdefault((first, last), {})
            for alias, as_written in zip(*self.patterns[pattern_id]):
                met[alias] = met.get(alias, False) or (bare and as_written)
        return [Candidate(first, last, tuple(met), tuple(a for a, whole in met.items() if whole))
                for (first, last), met in sorted(found.items())]

    def _chain_uncached(self, rest: str, script: str, prefix: bool) -> bool:
        """True when ``rest`` is made of at most the allowed number of listed affixes."""
        affixes = (self._prefixes if prefix else self._suffixes).get(script, frozenset())
        layers = PREFIX_LAYERS if prefix else SUFFIX_LAYERS
        return _decomposes(rest, affixes, layers, prefix)


def _decomposes(rest: str, affixes: frozenset[str], layers: int, from_start: bool) -> bool:
    if not rest:
        return True
    if layers == 0:
        return False
    for size in range(1, len(rest) + 1):
        piece = rest[:size] if from_start else rest[-size:]
        if piece in affixes:
            remainder = rest[size:] if from_start else rest[:-size]
            if _decomposes(remainder, affixes, layers - 1, from_start):
                return True
    return False


def _stems(token: str, morphology: Morphology, script_rules: ScriptRules | None) -> list[str]:
    """The resolver's base forms of an alias token that are long enough to be a pattern."""
    return [s for s in morphology.stems(token, detect_script(token, script_rules))
            if len(s) >= MIN_STEM_PATTERN and " " not in s]


def _bare(token: str, morphology: Morphology, script_rules: ScriptRules | None) -> str | None:
    """The token without its article, if it has one and enough remains."""
    bare = morphology.without_article(token, detect_script(token, script_rules))
    return bare if bare and len(bare) >= MIN_STEM_PATTERN else None
