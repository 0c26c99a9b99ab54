"""Text in, clean tokens out: the first step of every request.

A pure function of its input. The rules are data (``lexicons/normalize/``):
removed characters (harakat, tatweel, ZWNJ/ZWJ, bidi marks), Arabic/Persian
letter variants and digits, Latin/Cyrillic confusables, apostrophes. In order:

1. NFKC; removed characters dropped;
2. tokens are runs of letters, digits, combining marks and ``+`` (``C5+1``;
   spaces around a ``+`` next to a digit go: ``C5 + 1`` is ``C5+1``);
   every other character (space, apostrophe, quote, hyphen, dot...) ends a
   token; a token right after an apostrophe or a hyphen remembers which
   (``Token.joiner``: Turkish suffixes, Uzbek ``O'zbekiston``, ``АҚШ-қа``);
   an apostrophe that Unicode counts as a letter (``ʻ`` U+02BB, ``ʼ`` U+02BC)
   is an apostrophe like the others (``Oʻzbekiston`` = ``O'zbekiston``);
   single letters joined by dots are one token (``U.S.`` -> ``us``);
3. a token mixing Latin and Cyrillic look-alikes is folded into its dominant
   script (``Аxios`` with a Cyrillic А becomes Latin ``axios``), and a code
   (letters with digits or ``+``) written in Cyrillic look-alikes alone is
   folded into Latin (``С5+1`` with a Cyrillic С is ``C5+1``);
4. case folding that is right for Turkish (``İ``/``I``/``ı`` all fold to ``i``)
   and Cyrillic; letter variants unified (``ی``=``ي``, ``ک``=``ك``, ``ة``=``ه``...),
   Persian and Arabic-Indic digits to ASCII.

``Token.surface`` keeps the token after step 3 but before case folding and
unification, for script and language detection (Persian ``ک`` vs Arabic ``ك``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import Row, read_table
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.text.scripts import CYRILLIC, LATIN, ScriptRules

# Letters and digits (not "_"), combining marks, and "+" inside a token.
#: the Unicode planes that hold combining marks: the BMP, the SMP (Brahmi, Chakma,
#: Adlam...) and plane 14 (variation selectors)
_PLANES_WITH_MARKS = (range(0x0000, 0x20000), range(0xE0000, 0xE1000))


def _mark_ranges() -> str:
    """Every combining mark (general category Mn, Mc or Me, from Python's Unicode
    database) as the body of a regular-expression class: ``\\u0300-\\u036F...``.

    The vowel signs of Brahmic scripts (Devanagari ``ा``, Tamil ``ி``), Hebrew
    points and Thai vowels are marks, not letters: without them a token would
    break at every vowel sign (``काजाकस्तान`` -> ``क ज कस त न``).
    """
    category = unicodedata.category
    parts: list[str] = []
    for plane in _PLANES_WITH_MARKS:
        start = None
        for cp in plane:
            if category(chr(cp))[0] == "M":
                if start is None:
                    start = cp
            elif start is not None:
                parts.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
                start = None
    return "".join(parts)


_MARKS = _mark_ranges()
#: distinct written tokens whose normal forms are remembered
TOKEN_FORMS_CACHE_SIZE = 262144

APOSTROPHE = "apostrophe"
HYPHEN = "hyphen"
#: spaces around a "+" with a digit on one side (C5 + 1, G7 + 2): the "+" joins a code
_PLUS_SPACING = re.compile(r"(?<=\d)\s+\+\s*(?=[^\W_])|(?<=\d)\+\s+(?=[^\W_])|(?<=[^\W_])\s*\+\s*(?=\d)")
_TOKEN = re.compile(rf"(?:[^\W_]|[{_MARKS}])(?:[^\W_]|[{_MARKS}]|\+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a name."""

    text: str              #: normalised form: folded, unified, case-folded
    surface: str           #: as written (confusables folded), for detection and display
    joiner: str = ""        #: APOSTROPHE or HYPHEN if directly preceded by one (Kazakistan'ın -> ın)


@dataclass(frozen=True, slots=True, eq=False)
class NormalizationTables:
    """The compiled rules of ``lexicons/normalize/``."""

    removed: dict[int, None]
    variants: dict[int, str]
    to_latin: dict[int, str]
    to_cyrillic: dict[int, str]
    joiners: dict[str, str]   #: character -> APOSTROPHE or HYPHEN
    scripts: ScriptRules      #: script_ranges.tsv: which letters are Latin, which Cyrillic
    #: joiners that Unicode counts as letters (Uzbek ʻ U+02BB, ʼ U+02BC) -> a joiner of the same
    #: kind that is not, so that they end a token like every other apostrophe
    letter_joiners: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> "NormalizationTables":
        problems: list[Problem] = []
        scripts = ScriptRules.load(directory)
        removed = {_codepoint(r, "codepoint", problems): None
                   for r in read_table(directory / "removed.tsv", ("codepoint", "note"), problems)}
        variants: dict[int, str] = {}
        for r in read_table(directory / "letter_variants.tsv", ("source", "target", "note"), problems):
            if len(r["source"]) != 1:
                problems.append(r.problem("source must be one character"))
            elif ord(r["source"]) in variants:
                problems.append(r.problem(f"duplicate source {r['source']!r}"))
            else:
                variants[ord(r["source"])] = r["target"]
        to_latin: dict[int, str] = {}
        to_cyrillic: dict[int, str] = {}
        for r in read_table(directory / "confusables.tsv", ("latin", "cyrillic"), problems):
            lat, cyr = r["latin"], r["cyrillic"]
            if (len(lat) != 1 or len(cyr) != 1 or scripts.char_script(lat) != LATIN
                    or scripts.char_script(cyr) != CYRILLIC):
                problems.append(r.problem("each side must be one Latin / one Cyrillic letter"))
            elif ord(cyr) in to_latin or ord(lat) in to_cyrillic:
                problems.append(r.problem("letter already listed"))
            else:
                to_latin[ord(cyr)] = lat
                to_cyrillic[ord(lat)] = cyr
        joiners: dict[str, str] = {}
        for r in read_table(directory / "joiners.tsv", ("codepoint", "kind", "note"), problems):
            if r["kind"] not in (APOSTROPHE, HYPHEN):
                problems.append(r.problem(f"kind must be {APOSTROPHE} or {HYPHEN}"))
            else:
                joiners[chr(_codepoint(r, "codepoint", problems))] = r["kind"]
        if problems:
            raise DataFileError(problems)
        return cls(removed, variants, to_latin, to_cyrillic, joiners, scripts, _letter_joiners(joiners))


def _letter_joiners(joiners: dict[str, str]) -> dict[int, str]:
    """Joiners the token pattern would take as letters (ʻ, ʼ) -> the first listed joiner of
    their kind that it does not (an apostrophe written as a letter still ends a token)."""
    plain = {}
    for char, kind in joiners.items():
        if not _TOKEN.fullmatch(char):
            plain.setdefault(kind, char)
    return {ord(char): plain[kind] for char, kind in joiners.items()
            if _TOKEN.fullmatch(char) and kind in plain}


def _codepoint(row: Row, column: str, problems: list[Problem]) -> int:
    text = row[column]
    if re.fullmatch(r"U\+[0-9A-F]{4,6}", text):
        return int(text[2:], 16)
    problems.append(row.problem(f"{column} must look like U+200C, got {text!r}"))
    return 0



@lru_cache(maxsize=1)
def bundled_tables() -> NormalizationTables:
    """The rules shipped in ``lexicons/normalize/`` (loaded once)."""
    return NormalizationTables.load(BUNDLED_LEXICON_DIR / "normalize")


def fold_case(text: str) -> str:
    """Case folding that is right for Turkish and Cyrillic.

    ``İ`` (dotted capital) and ``ı`` (dotless small) both fold to ``i``, as does
    ``I``: matching cannot know whether a capital I was Turkish, and treating
    the two i's as one letter costs nothing in names.
    """
    if text.isascii():
        return text.lower()
    text = text.replace("İ", "i").replace("ı", "i").casefold()
    # casefold may leave a combining dot above (from other dotted I's): drop it
    return unicodedata.normalize("NFKC", text.replace("i\u0307", "i"))


def _fold_confusables(token: str, tables: NormalizationTables) -> str:
    """Fold a token that mixes Latin and Cyrillic letters into its dominant script, and a
    code (letters with a digit or ``+``) of Cyrillic look-alikes alone into Latin (С5+1)."""
    latin = cyrillic = 0
    for ch in token:
        script = tables.scripts.char_script(ch)
        if script == CYRILLIC:
            cyrillic += 1
        elif script == LATIN and ch.isalpha():
            latin += 1
    if cyrillic and not latin and not token.isalpha() and all(
            ord(ch) in tables.to_latin for ch in token if ch.isalpha()):
        return token.translate(tables.to_latin)
    if not latin or not cyrillic:
        return token
    table = tables.to_latin if latin >= cyrillic else tables.to_cyrillic
    return token.translate(table)


@lru_cache(maxsize=TOKEN_FORMS_CACHE_SIZE)
def _token_forms(written: str, tables: NormalizationTables) -> tuple[str, str]:
    """(surface, normalised text) of one token as written; memoised, since names
    repeat their parts (loading a million aliases normalises a few thousand
    distinct tokens)."""
    surface = written if written.isascii() else _fold_confusables(written, tables)
    return surface, fold_case(surface).translate(tables.variants)


def tokenize(text: str, tables: NormalizationTables | None = None) -> tuple[Token, ...]:
    """The tokens of ``text``, normalised; see the module docstring for the steps."""
    tables = tables or bundled_tables()
    cleaned = unicodedata.normalize("NFKC", text).translate(tables.removed)
    if tables.letter_joiners:
        cleaned = cleaned.translate(tables.letter_joiners)
    if "+" in cleaned:
        cleaned = _PLUS_SPACING.sub("+", cleaned)
    tokens: list[Token] = []
    previous_end = 0
    acronym_letters = 0  # letters in the last token if it is a dotted acronym in the making
    for match in _TOKEN.finditer(cleaned):
        gap = cleaned[previous_end:match.start()]
        previous_end = match.end()
        surface, folded = _token_forms(match.group(), tables)
        if gap == "." and len(folded) == 1 and tokens and tokens[-1].text.isalpha() \
                and len(tokens[-1].text) == acronym_letters:
            # U.S., U.A.E.: single letters joined by dots are one acronym
            previous = tokens.pop()
            tokens.append(Token(previous.text + folded, previous.surface + surface, previous.joiner))
            acronym_letters += 1
            continue
        acronym_letters = 1 if len(folded) == 1 else 0
        tokens.append(Token(folded, surface, tables.joiners.get(gap, "") if tokens else ""))
    return tuple(tokens)


def normalize_text(text: str, tables: NormalizationTables | None = None) -> str:
    """The normalised text: tokens joined by single spaces.

    Invariant: ``normalize_text(normalize_text(x)) == normalize_text(x)``.
    """
    return " ".join(t.text for t in tokenize(text, tables))
