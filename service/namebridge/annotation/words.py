"""Running text -> words with their offsets in the text as given.

The resolver's ``tokenize`` normalises a whole string at once (NFKC, removed
characters dropped), which loses positions. Here every token is first found in
the ORIGINAL text, so its start and end are Unicode code-point offsets into the
text as given, and only then normalised with the very same function
(``text.normalize.tokenize``) and the same tables. A token may hold characters
normalisation removes (ZWNJ, tatweel, harakat, bidi marks) inside it, never at
its edges; emoji, spaces, CR and LF and punctuation are gaps.

A *word* is what a mention span is made of: a token, with any suffix written
after an apostrophe or hyphen (``Kazakistan'ın``, ``АҚШ-тың``) kept in the span
but not in the normalised text, parts joined by an apostrophe that are not a
suffix (``O'zbekiston``) joined, and single letters joined by dots one word
(``U.S.``). The decisions are ``Morphology``'s, from ``lexicons/morphology/``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from namebridge.text.morphology import Morphology
from namebridge.text.normalize import APOSTROPHE, HYPHEN, NormalizationTables, tokenize
from namebridge.text.scripts import ScriptRules, detect_script

_MARKS = "\u0300-\u036F\u0483-\u0489\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F"


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: its span in the text as given and its normalised form."""

    start: int        #: code-point offset of its first character
    end: int          #: exclusive; covers an attached apostrophe or hyphen suffix
    text: str         #: normalised (suffix after an apostrophe/hyphen dropped)
    surface: str      #: the token as written (confusables folded), for script detection
    script: str
    suffix: str = ""  #: the normalised suffix written after an apostrophe or hyphen, if any
    proclitic: bool = False  #: a one- or two-letter proclitic written apart (لـ"الشرق)


def token_pattern(tables: NormalizationTables) -> re.Pattern[str]:
    """A token in the original text: word characters and marks, with removed characters
    and ``+`` allowed inside but not at the edges."""
    removed = "".join(re.escape(chr(c)) for c in sorted(tables.removed))
    core = rf"(?:[^\W_]|[{_MARKS}])"
    return re.compile(rf"{core}(?:(?:[{removed}+]|{core})*{core})?")


def split_words(text: str, tables: NormalizationTables, morphology: Morphology,
                pattern: re.Pattern[str], script_rules: ScriptRules | None = None) -> list[Word]:
    """The words of ``text`` in order (see the module docstring)."""
    words: list[Word] = []
    previous_end = 0
    dotted = 0   # letters of the last word if it is a dotted acronym in the making
    for match in pattern.finditer(text):
        start, end = match.span()
        gap = text[previous_end:start]
        previous_end = end
        parts = tokenize(match.group(), tables)
        if not parts:
            continue
        normal = "".join(p.text for p in parts)
        surface = "".join(p.surface for p in parts)
        clean_gap = unicodedata.normalize("NFKC", gap).translate(tables.removed)
        joiner = tables.joiners.get(clean_gap, "") if words and gap else ""
        if words and clean_gap == "." and len(normal) == 1 and normal.isalpha() and dotted \
                and len(words[-1].text) == dotted:
            last = words.pop()
            words.append(Word(last.start, end, last.text + normal, last.surface + surface, last.script))
            dotted += 1
            continue
        dotted = 1 if len(normal) == 1 and normal.isalpha() else 0
        script = detect_script(surface, script_rules)
        if joiner and words and not words[-1].suffix:
            last = words[-1]
            if joiner == APOSTROPHE:
                if morphology.is_apostrophe_suffix(normal):
                    words[-1] = Word(last.start, end, last.text, last.surface, last.script, normal)
                else:
                    words[-1] = Word(last.start, end, last.text + normal, last.surface + surface, last.script)
                continue
            if joiner == HYPHEN and normal in morphology.suffix_sets.get(script, ()):
                words[-1] = Word(last.start, end, last.text, last.surface, last.script, normal)
                continue
        proclitic = len(normal) <= 2 and normal in morphology.prefix_sets.get(script, ())
        words.append(Word(start, end, normal, surface, script, proclitic=proclitic))
    _close_dotted_acronyms(text, words)
    return words


def _close_dotted_acronyms(text: str, words: list[Word]) -> None:
    """``U.S.`` keeps its last dot: a dotted acronym's span ends after it."""
    for i, word in enumerate(words):
        piece = text[word.start:word.end]
        if "." in piece and word.end < len(text) and text[word.end] == "." and len(word.text) >= 2:
            words[i] = Word(word.start, word.end + 1, word.text, word.surface, word.script,
                            word.suffix, word.proclitic)
