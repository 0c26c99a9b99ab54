"""Display romanization: one table per language under ``lexicons/translit/``.

A table is a list of explicit pairs ``source -> target`` with a position
(``any``, ``initial``, ``after:<letters>``), read with the one TSV reader and
validated as a whole (all problems at once, as ``path:line: message``).
``TranslitTables.load`` compiles each table once into:

* a ``str.translate`` dict (a character may become several, or nothing);
* one regular expression for the few context rules (Russian ``е`` -> ``ye``
  at the start of a word and after a vowel; Arabic ``و`` -> ``w``/``u``...);
* an all-caps variant, so that ``ЖОМАРТ`` gives ``JOMART`` and ``ЩЁЛКОВО``
  gives ``SHCHELKOVO`` rather than ``ShchELKOVO``.

``romanize`` is then at most one ``translate`` and one or two regex scans, and
returns pure-ASCII text untouched. The same pairs also become a
``transliterate`` language pack per language (``register_packs``), so callers
of ``transliterate.translit(text, "kk", reversed=True)`` get our tables;
``romanize_slow`` goes that way and serves only the tests (which prove the two
paths agree on every vector row) and the cost measurement.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import transliterate
from transliterate.base import TranslitLanguagePack, registry

from namebridge.errors import DataFileError, InvalidArgument, Problem
from namebridge.tsv import Row, display_path, read_table

#: columns of ``translit/<language>.tsv``
TABLE_COLUMNS = ("source", "target", "position")
#: columns of ``translit/schemes.tsv``
SCHEME_COLUMNS = ("language", "scheme")
#: columns of ``languages.tsv`` (next to the ``translit/`` folder)
LANGUAGE_COLUMNS = ("code", "name", "script")
SCHEMES_FILE = "schemes.tsv"
#: a target written as this means "write nothing"
NOTHING = "-"
ANY = "any"
INITIAL = "initial"
AFTER = "after:"
#: Unicode categories a source may have outside its script (marks, joiners,
#: tatweel) -- only when its target is NOTHING
IGNORABLE_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Lm"})
#: Turkic case pairs (Unicode SpecialCasing.txt, tr/az): lower -> upper
TURKIC_UPPER = MappingProxyType({"i": "İ", "ı": "I"})
#: characters a target may contain besides Latin letters
TARGET_EXTRA = frozenset("'-")
#: a source written as a code point, for marks nobody can see in a file
_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")
#: a letter (``\w`` without digits and underscore) for the context lookbehinds
_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"


@dataclass(frozen=True, slots=True)
class Pair:
    """One row of a table: ``source`` becomes ``target`` ('' = nothing) at ``position``."""

    source: str
    target: str
    position: str
    line: int


@dataclass(frozen=True, slots=True, repr=False)
class CompiledTable:
    """One language's table, compiled once; ``romanize`` does no setup."""

    def __repr__(self) -> str:
        return f"CompiledTable({self.language!r}, {self.path!r}, {len(self.pairs)} pairs)"

    language: str
    scheme: str
    path: str
    pairs: tuple[Pair, ...]
    #: str.translate table for the ``any`` pairs
    table: Mapping[int, str]
    #: the same for words written all in capitals (targets fully upper-cased)
    caps_table: Mapping[int, str]
    #: marks and joiners removed before the context rules look at neighbours
    ignorable: Mapping[int, None] | None
    #: finds any of them (a search is cheaper than a translate that finds none)
    ignorable_present: re.Pattern[str]
    #: one alternation over the context rules; group n is rule n
    context: re.Pattern[str] | None
    context_targets: tuple[Mapping[str, str], ...]
    context_caps_targets: tuple[Mapping[str, str], ...]
    #: a word of two or more capitals, when capitals need the caps table
    caps_word: re.Pattern[str] | None

    def prepare(self, text: str) -> str:
        """Everything but the per-character table: NFC, marks, all-caps words, context rules.

        Shared by ``romanize`` and the ``transliterate`` pack, whose own
        tables then do the per-character part.
        """
        if not unicodedata.is_normalized("NFC", text):  # a decomposed й or ё is one letter here
            text = unicodedata.normalize("NFC", text)
        if self.ignorable is not None and self.ignorable_present.search(text) is not None:
            text = text.translate(self.ignorable)
        if self.caps_word is not None and not (text.istitle() or text.islower()):
            text = self.caps_word.sub(self._caps, text)
        if self.context is not None:
            text = self.context.sub(self._rule, text)
        return text

    def romanize(self, text: str) -> str:
        """``text`` in Latin letters; case kept; characters outside the table kept."""
        return self.prepare(text).translate(self.table)

    def _rule(self, match: re.Match[str]) -> str:
        index: int = match.lastindex  # type: ignore[assignment]  # one group per rule
        return self.context_targets[index - 1][match.group(index)]

    def _caps_rule(self, match: re.Match[str]) -> str:
        index: int = match.lastindex  # type: ignore[assignment]
        return self.context_caps_targets[index - 1][match.group(index)]

    def _caps(self, match: re.Match[str]) -> str:
        word = match.group()
        if self.context is not None:
            word = self.context.sub(self._caps_rule, word)
        return word.translate(self.caps_table)


class _TablePack(TranslitLanguagePack):
    """A ``transliterate`` pack built from a table's pairs (see ``_pack_class``)."""

    compiled: CompiledTable | None = None

    def translit(self, value: str, reversed: bool = False, strict: bool = False,
                 fail_silently: bool = True) -> str:
        # context rules, all-caps words and marks are the table's, shared; the
        # per-character mapping is the pack's own (mapping + pre-processors)
        if reversed and self.compiled is not None:
            value = self.compiled.prepare(value)
        return super().translit(value, reversed=reversed, strict=strict,
                                fail_silently=fail_silently)


@dataclass(frozen=True, slots=True, repr=False)
class TranslitTables:
    """Every display romanization table, compiled; load once, share freely."""

    def __repr__(self) -> str:
        return f"TranslitTables(languages={sorted(self.tables)})"

    tables: Mapping[str, CompiledTable]
    #: languages written in Latin script (languages.tsv): romanized as themselves
    latin_languages: frozenset[str]
    #: every language tag languages.tsv knows
    known_languages: frozenset[str]
    packs: Mapping[str, type[TranslitLanguagePack]]

    @classmethod
    def load(cls, directory: Path, *, languages_file: Path | None = None) -> "TranslitTables":
        """Read and compile ``directory/<language>.tsv`` (``lexicons/translit``).

        ``languages_file`` defaults to ``directory.parent / "languages.tsv"``.
        Raises ``DataFileError`` listing every problem as ``path:line: message``.
        """
        directory = Path(directory)
        problems: list[Problem] = []
        scripts = _read_languages(languages_file or directory.parent / "languages.tsv", problems)
        schemes = _read_schemes(directory / SCHEMES_FILE, scripts, problems)
        tables: dict[str, CompiledTable] = {}
        paths = sorted(directory.iterdir()) if directory.is_dir() else []
        if not directory.is_dir():
            problems.append(Problem(display_path(directory), 0, "not a directory"))
        for path in paths:
            if path.name == SCHEMES_FILE or path.name.startswith("."):
                continue
            shown = display_path(path)
            language = path.name.removesuffix(".tsv")
            if not path.is_file() or path.suffix != ".tsv":
                problems.append(Problem(shown, 0, f"unknown file: this folder holds <language>.tsv "
                                                  f"tables and {SCHEMES_FILE} only"))
                continue
            if language not in scripts:
                problems.append(Problem(shown, 0, f"unknown language {language!r}: "
                                                  f"the file name must be a code from languages.tsv"))
                continue
            if language not in schemes:
                problems.append(Problem(shown, 0, f"no row for {language!r} in {SCHEMES_FILE}"))
                continue
            before = len(problems)
            rows = read_table(path, TABLE_COLUMNS, problems)
            pairs = _check_pairs(rows, scripts[language], problems)
            if not pairs and len(problems) == before:
                problems.append(Problem(shown, 0, "table has no pairs"))
            if len(problems) == before:
                tables[language] = _compile(language, schemes[language][0], shown, pairs)
        for language, (_scheme, row) in schemes.items():
            if language not in tables and not (directory / f"{language}.tsv").is_file():
                problems.append(row.problem(f"no table file {language}.tsv for this row"))
        if problems:
            raise DataFileError(problems)
        latin = frozenset(code for code, script in scripts.items() if script == "Latin")
        return cls(tables=MappingProxyType(tables), latin_languages=latin,
                   known_languages=frozenset(scripts),
                   packs=MappingProxyType({lang: _pack_class(t) for lang, t in tables.items()}))

    @property
    def languages(self) -> frozenset[str]:
        """Languages that have a table."""
        return frozenset(self.tables)

    def romanize(self, text: str, language: str) -> str:
        """``text`` romanized for display with ``language``'s table.

        Case is kept (``Тоқаев`` -> ``Toqaev``, ``ТОҚАЕВ`` -> ``TOQAEV``),
        characters the table does not know (digits, punctuation, other
        scripts) pass through, pure-ASCII text is returned as is. A language
        of languages.tsv written in Latin script, or without a table, gives
        the text unchanged; an unknown tag raises ``InvalidArgument("language")``.
        """
        if text.isascii():
            return text
        compiled = self.tables.get(language)
        if compiled is not None:
            return compiled.romanize(text)
        if language in self.known_languages:
            return text
        raise InvalidArgument("language", f"unknown language {language!r}; "
                                          f"tables exist for {', '.join(sorted(self.tables))}")

    def scheme(self, language: str) -> str:
        """The standard ``language``'s table follows, e.g. ``BGN/PCGN 1947 (Russian), simplified``."""
        compiled = self.tables.get(language)
        if compiled is not None:
            return compiled.scheme
        if language in self.latin_languages:
            return "none (Latin script)"
        if language in self.known_languages:
            return "none (no table)"
        raise InvalidArgument("language", f"unknown language {language!r}")

    def register_packs(self) -> None:
        """Register each table as a ``transliterate`` pack (idempotent).

        A pack ``transliterate`` ships for the same code (``ru``, ``uk``) is
        unregistered first; a pack from an earlier ``TranslitTables`` is
        replaced. Raises ``RuntimeError`` if a third party force-registered the code.
        """
        transliterate.get_available_language_codes()  # let it discover its own packs first
        for language, pack in self.packs.items():
            current = registry.get(language)
            if current is pack:
                continue
            if current is not None:
                registry.unregister(current)
            if not registry.register(pack):
                raise RuntimeError(f"cannot register the {language!r} transliteration pack: "
                                   f"{registry.get(language)!r} was force-registered")


def romanize_slow(text: str, language: str) -> str:
    """``text`` through ``transliterate.translit(text, language, reversed=True)``.

    The pack must have been registered (``TranslitTables.register_packs``).
    For tests and ``measure_translit_cost`` only: it builds the pack's tables
    again on every call.
    """
    return transliterate.translit(text, language, reversed=True)


# --- loading and validation --------------------------------------------------

def _read_languages(path: Path, problems: list[Problem]) -> dict[str, str]:
    """language tag -> script, from languages.tsv (validated fully by the lexicon loader)."""
    return {row["code"]: row["script"] for row in read_table(path, LANGUAGE_COLUMNS, problems)}


def _read_schemes(path: Path, scripts: Mapping[str, str],
                  problems: list[Problem]) -> dict[str, tuple[str, Row]]:
    schemes: dict[str, tuple[str, Row]] = {}
    for row in read_table(path, SCHEME_COLUMNS, problems):
        language = row["language"]
        if language in schemes:
            problems.append(row.problem(f"duplicate language {language!r} "
                                        f"(first at line {schemes[language][1].line})"))
        elif scripts and language not in scripts:
            problems.append(row.problem(f"unknown language {language!r} (not in languages.tsv)"))
        else:
            schemes[language] = (row["scheme"], row)
    return schemes


def _source_char(row: Row, problems: list[Problem]) -> str | None:
    value = row["source"]
    code = _CODE_POINT.fullmatch(value)
    if code is not None:
        number = int(code.group(1), 16)
        if number > 0x10FFFF:
            problems.append(row.problem(f"source {value} is not a code point"))
            return None
        return chr(number)
    if len(value) != 1:
        problems.append(row.problem(f"source must be one character (or U+XXXX), found {value!r}"))
        return None
    return value


def _in_script(char: str, script: str) -> bool:
    return unicodedata.name(char, "").startswith(script.upper() + " ")


def _check_target(row: Row, problems: list[Problem]) -> str | None:
    value = row["target"]
    if value == NOTHING:
        return ""
    for char in value:
        if not (char in TARGET_EXTRA or ("a" <= char.lower() <= "z")
                or unicodedata.name(char, "").startswith(("LATIN ", "MODIFIER LETTER "))):
            problems.append(row.problem(f"target {value!r} has {char!r} "
                                        f"(U+{ord(char):04X}), not a Latin letter"))
            return None
    return value


def _check_position(row: Row, script: str, problems: list[Problem]) -> str | None:
    value = row["position"]
    if value in (ANY, INITIAL):
        return value
    if value.startswith(AFTER) and len(value) > len(AFTER):
        letters = value[len(AFTER):]
        strangers = [c for c in letters if not _in_script(c, script)]
        if strangers:
            problems.append(row.problem(f"position {value!r}: {''.join(strangers)!r} "
                                        f"not {script} letters"))
            return None
        return AFTER + "".join(sorted(set(letters)))
    problems.append(row.problem(f"position must be {ANY}, {INITIAL} or {AFTER}<letters>, "
                                f"found {value!r}"))
    return None


def _check_pairs(rows: list[Row], script: str, problems: list[Problem]) -> tuple[Pair, ...]:
    """Pairs of one table; every problem appended (path:line)."""
    pairs: list[Pair] = []
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        source = _source_char(row, problems)
        target = _check_target(row, problems)
        position = _check_position(row, script, problems)
        if source is None or target is None or position is None:
            continue
        if not _in_script(source, script) and not (
                target == "" and unicodedata.category(source) in IGNORABLE_CATEGORIES):
            problems.append(row.problem(f"source {source!r} (U+{ord(source):04X} "
                                        f"{unicodedata.name(source, '?')}) is not in the "
                                        f"{script} script"))
            continue
        key = (source, position)
        if key in seen:
            problems.append(row.problem(f"duplicate source {row['source']!r} at position "
                                        f"{position!r} (first at line {seen[key].line})"))
            continue
        seen[key] = row
        pairs.append(Pair(source, target, position, row.line))
    by_key = {(p.source, p.position): p for p in pairs}
    _check_defaults(pairs, by_key, rows, problems)
    _check_case(pairs, by_key, rows, problems)
    return tuple(pairs)


def _row_at(rows: list[Row], line: int) -> Row:
    return next(r for r in rows if r.line == line)


def _check_defaults(pairs: list[Pair], by_key: Mapping[tuple[str, str], Pair],
                    rows: list[Row], problems: list[Problem]) -> None:
    for pair in pairs:
        if pair.position != ANY and (pair.source, ANY) not in by_key:
            problems.append(_row_at(rows, pair.line).problem(
                f"context row for {pair.source!r} needs an '{ANY}' row for the same source"))


def _is_cased(char: str) -> bool:
    """A letter with an upper and a lower case (``ʼ`` and ``ʻ`` have none)."""
    return char.upper() != char.lower()


def _is_case_pair(lower: str, upper: str) -> bool:
    return lower != upper and (lower.upper() == upper or TURKIC_UPPER.get(lower) == upper)


def _check_case(pairs: list[Pair], by_key: Mapping[tuple[str, str], Pair],
                rows: list[Row], problems: list[Problem]) -> None:
    """Upper and lower rows come together and agree: ``Ж zh`` needs ``Ж Zh``."""
    upper_of_letter: dict[str, tuple[str, Pair]] = {}
    for pair in pairs:
        source = pair.source
        if source.islower() and source.upper() != source:
            partner = source.upper()
        elif source.isupper() and source.lower() != source:
            partner = source.lower()
        else:
            continue
        other = by_key.get((partner, pair.position))
        row = _row_at(rows, pair.line)
        if other is None:
            problems.append(row.problem(f"{source!r} has no row for its other case "
                                        f"{partner!r} at position {pair.position!r}"))
            continue
        if not source.islower():
            continue  # the lower row checks the pair once
        lower, upper = pair.target, other.target
        cased = _is_cased(lower[:1])
        agree = (len(lower) == len(upper) and lower[1:] == upper[1:]
                 and (_is_case_pair(lower[0], upper[0]) if cased else lower[:1] == upper[:1]))
        if not agree:
            problems.append(_row_at(rows, other.line).problem(
                f"{other.source!r} -> {upper!r} does not match {source!r} -> {lower!r} "
                f"(line {pair.line}): the upper target must be the lower one capitalised"))
            continue
        if cased:
            letter = lower[0]
            first = upper_of_letter.setdefault(letter, (upper[0], pair))
            if first[0] != upper[0]:
                problems.append(_row_at(rows, other.line).problem(
                    f"{letter!r} is capitalised {upper[0]!r} here but {first[0]!r} "
                    f"at line {first[1].line}"))


# --- compiling ---------------------------------------------------------------

def _letter_uppers(pairs: Iterable[Pair]) -> dict[str, str]:
    """How this table capitalises a target letter (learned from its own case pairs)."""
    lowers = {(p.source, p.position): p.target for p in pairs if p.source.islower()}
    uppers: dict[str, str] = {}
    for p in pairs:
        lower = lowers.get((p.source.lower(), p.position)) if p.source.isupper() else None
        if lower and p.target and lower[0] != p.target[0]:
            uppers[lower[0]] = p.target[0]
    return uppers


def _all_caps(target: str, uppers: Mapping[str, str]) -> str:
    return "".join(uppers.get(c, c.upper()) for c in target)


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


def _with_cases(letters: str) -> str:
    return "".join(sorted({c for letter in letters for c in (letter, letter.upper(), letter.lower())}))


def _compile(language: str, scheme: str, path: str, pairs: tuple[Pair, ...]) -> CompiledTable:
    uppers = _letter_uppers(pairs)
    table = {ord(p.source): p.target for p in pairs if p.position == ANY}
    caps_table = {ord(p.source): (_all_caps(p.target, uppers) if p.source.isupper() else p.target)
                  for p in pairs if p.position == ANY}
    ignorable = {ord(p.source): None for p in pairs
                 if p.position == ANY and p.target == ""
                 and unicodedata.category(p.source) in IGNORABLE_CATEGORIES}
    rules: dict[str, dict[str, str]] = {}
    for p in pairs:
        if p.position != ANY:
            rules.setdefault(p.position, {})[p.source] = p.target
    alternatives = []
    targets: list[Mapping[str, str]] = []
    caps_targets: list[Mapping[str, str]] = []
    for position in sorted(rules):
        sources = rules[position]
        group = "(" + _char_class(sources) + ")"
        if position == INITIAL:
            alternatives.append(_LETTER_BEFORE + group)
        else:
            alternatives.append("(?<=" + _char_class(_with_cases(position[len(AFTER):])) + ")" + group)
        targets.append(MappingProxyType(dict(sources)))
        caps_targets.append(MappingProxyType({s: _all_caps(t, uppers) if s.isupper() else t
                                              for s, t in sources.items()}))
    capitals = {p.source for p in pairs if p.source.isupper()}
    caps_needed = any(_all_caps(p.target, uppers) != p.target for p in pairs if p.source.isupper())
    caps_word = (re.compile(_LETTER_BEFORE + _char_class(capitals) + "{2,}" + _NO_LETTER_AFTER)
                 if caps_needed else None)
    return CompiledTable(
        language=language, scheme=scheme, path=path, pairs=pairs,
        table=MappingProxyType(table), caps_table=MappingProxyType(caps_table),
        ignorable=MappingProxyType(ignorable) if ignorable else None,
        ignorable_present=re.compile(_char_class(chr(c) for c in ignorable) if ignorable else "(?!)"),
        context=re.compile("|".join(alternatives)) if alternatives else None,
        context_targets=tuple(targets), context_caps_targets=tuple(caps_targets),
        caps_word=caps_word)


def _pack_class(compiled: CompiledTable) -> type[TranslitLanguagePack]:
    """A ``transliterate`` pack from the table's ``any`` pairs, one pair at a time.

    ``mapping`` holds the one-letter targets, ``pre_processor_mapping`` the
    longer ones; both are reversed by ``transliterate`` (Latin -> native
    becomes native -> Latin), so a target shared by two sources (``е`` and
    ``э`` both -> ``e``) would silently lose one of them there. Such pairs, and
    pairs written as nothing, go to ``reversed_specific_pre_processor_mapping``
    (native -> Latin, one direction), which cannot collide.
    """
    counts: dict[str, int] = {}
    plain = [p for p in compiled.pairs if p.position == ANY]
    for p in plain:
        counts[p.target] = counts.get(p.target, 0) + 1
    latin, native = [], []
    longer: dict[str, str] = {}
    one_way: dict[str, str] = {}
    for p in plain:
        if not p.target or counts[p.target] > 1:
            one_way[p.source] = p.target
        elif len(p.target) == 1:
            latin.append(p.target)
            native.append(p.source)
        else:
            longer[p.target] = p.source
    if len(latin) != len(native):  # explicit, never zipped from two strings
        raise ValueError(f"{compiled.path}: pack mapping built with unequal sides")
    attributes = {
        "language_code": compiled.language,
        "language_name": f"{compiled.language} ({compiled.scheme})",
        "mapping": ("".join(latin), "".join(native)),
        "pre_processor_mapping": longer or None,
        "reversed_specific_pre_processor_mapping": one_way or None,
        "compiled": compiled,
    }
    name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z]", compiled.language)) + "Pack"
    return type(name, (_TablePack,), attributes)


# --- cost --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TranslitCost:
    """Seconds for the same tokens through ``romanize`` and ``transliterate.translit``."""

    tokens: int
    fast_seconds: float
    slow_seconds: float

    @property
    def ratio(self) -> float:
        return self.slow_seconds / self.fast_seconds if self.fast_seconds else float("inf")

    def __str__(self) -> str:
        return (f"translit: {self.tokens} tokens  compiled tables {self.fast_seconds * 1e3:.1f} ms "
                f"({self.fast_seconds / self.tokens * 1e6:.2f} us/token)  transliterate.translit "
                f"{self.slow_seconds * 1e3:.1f} ms ({self.slow_seconds / self.tokens * 1e6:.2f} "
                f"us/token)  ratio {self.ratio:.1f}x")


def measure_translit_cost(tables: TranslitTables | None = None, *, tokens: int = 10_000,
                          seed: int = 0, repeats: int = 7) -> TranslitCost:
    """Time ``romanize`` and ``romanize_slow`` on the same ``tokens`` tokens.

    Each figure is the best of ``repeats`` runs, the two paths alternating.

    The tokens are capitalised random words of 3 to 10 letters drawn from each
    table's own letters, in equal shares per language, so every context rule
    and multi-letter target is exercised. Both paths share the context and
    all-caps step (``CompiledTable.prepare``); the difference is the
    per-character work and ``transliterate``'s per-call pack construction.
    Prints nothing; ``make bench`` prints the returned figures.
    """
    if tables is None:
        from namebridge.settings import BUNDLED_LEXICON_DIR
        tables = TranslitTables.load(BUNDLED_LEXICON_DIR / "translit")
    tables.register_packs()
    rng = random.Random(seed)
    work: list[tuple[str, str]] = []
    languages = sorted(tables.tables)
    for i in range(tokens):
        language = languages[i % len(languages)]
        letters = [p.source for p in tables.tables[language].pairs
                   if p.position == ANY and p.source.isalpha()]
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
        work.append((word[:1].upper() + word[1:].lower(), language))
    for text, language in work[:50]:
        if tables.romanize(text, language) != romanize_slow(text, language):
            raise RuntimeError(f"fast and slow romanization disagree on {text!r} ({language})")

    def once(function: Callable[[str, str], str]) -> float:
        start = time.perf_counter()
        for text, language in work:
            function(text, language)
        return time.perf_counter() - start

    # alternate the two so a busy spell on a shared machine hits both alike
    fast = slow = float("inf")
    for _ in range(repeats):
        fast = min(fast, once(tables.romanize))
        slow = min(slow, once(romanize_slow))
    return TranslitCost(tokens=tokens, fast_seconds=fast, slow_seconds=slow)


if __name__ == "__main__":
    print(measure_translit_cost())
