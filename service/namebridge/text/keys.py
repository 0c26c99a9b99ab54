"""Matching keys: what survives romanization and unwritten vowels.

For a normalised token (``normalize.Token.text``) the key table
(``lexicons/keys/classes.tsv``) turns each written sequence into class
symbols, so that ``Tokayev``, ``Tokaev``, ``Toqaev``, ``Tokajew``, ``Тоқаев``,
``توکایف`` and ``توكاييف`` fall together. Two keys per reading:

- ``full``: consonant classes with each vowel run as ``a`` (``tokayev`` ->
  ``TaKaV``), for fully vocalised scripts;
- ``skeleton``: the consonant classes alone (``TKV``), which survives an abjad
  that does not write short vowels (``ترمب`` -> ``TRMB`` = ``trump``).

A sequence with several readings (``c`` = k or Turkish j; ``و`` = vowel or v)
gives several readings, at most ``MAX_READINGS``, those with the fewest
second choices first.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import read_table
from namebridge.text.scripts import ABJADS
from namebridge.settings import BUNDLED_LEXICON_DIR

VOWEL = "a"
SILENT = "-"
MAX_READINGS = 8
#: distinct tokens whose keys are remembered
KEYS_CACHE_SIZE = 262144
POSITIONS = ("any", "initial", "final")
#: vowel qualities (``*``: unknown, fits any)
QUALITIES = ("a", "e", "i", "o", "u", "*")
VOWELS_FILE = "vowels.tsv"
VOWEL_EQUIVALENTS_FILE = "vowel_equivalents.tsv"


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """The matching keys of one token: one entry per reading (deduplicated, in order)."""

    full: tuple[str, ...]
    skeleton: tuple[str, ...]
    #: per full reading (same order): the vowel qualities of each vowel run, e.g. Tokayev
    #: ("o", "ae"); "*" where the quality is unknown (see ``lexicons/keys/vowels.tsv``)
    vowels: tuple[tuple[str, ...], ...] = ()
    #: the first quality of each run (the vowel a diphthong starts with) widened by its
    #: equivalent qualities (e -> ei), for comparing
    vowels_wide: tuple[tuple[str, ...], ...] = ()
    #: "b" if the likeliest reading starts with a written vowel, "e" if it ends with one
    #: (a final e alone does not count: it is often silent); abjad spellings: "b" if the
    #: first letter may carry a vowel (ا ع و ي), "e" if the last may be one
    edges: str = ""

    def merged(self, other: "TokenKeys") -> "TokenKeys":
        """These keys with the readings of ``other`` added after them (edges stay these)."""
        full, vowels, wide = list(self.full), list(self.vowels), list(self.vowels_wide)
        for n, key in enumerate(other.full):
            if key not in full:
                full.append(key)
                vowels.append(other.vowels[n] if n < len(other.vowels) else ())
                wide.append(other.vowels_wide[n] if n < len(other.vowels_wide) else ())
        return TokenKeys(tuple(full), tuple(dict.fromkeys(self.skeleton + other.skeleton)),
                         tuple(vowels), tuple(wide), self.edges)


@dataclass(frozen=True, slots=True, eq=False)
class KeyTable:
    """The compiled class table: (sequence, position) -> alternative class strings."""

    rules: dict[tuple[str, str], tuple[str, ...]]
    longest: int
    #: letter -> (its vowel qualities, the quality of a run of it alone); from vowels.tsv
    vowel_letters: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: letter -> its qualities as a word's first letter, where they differ (initial alef: any)
    vowel_letters_first: dict[str, str] = field(default_factory=dict)
    #: quality -> the qualities it fits (itself first); from vowel_equivalents.tsv
    vowel_fits: dict[str, str] = field(default_factory=dict)
    #: letters of the sequences the table lists for an abjad (script Arabic)
    abjad_letters: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> "KeyTable":
        """The class table at ``path`` (``keys/classes.tsv``) with the vowel tables beside it."""
        problems: list[Problem] = []
        rules: dict[tuple[str, str], tuple[str, ...]] = {}
        abjad_letters: set[str] = set()
        for r in read_table(path, ("script", "sequence", "position", "key", "note"), problems):
            seq, pos = r["sequence"], r["position"]
            if pos not in POSITIONS:
                problems.append(r.problem(f"position must be one of {', '.join(POSITIONS)}"))
                continue
            if seq != seq.casefold():
                problems.append(r.problem("sequence must be lower case (tokens are case-folded)"))
                continue
            alternatives = tuple(a.strip() for a in r["key"].split("|"))
            bad = [a for a in alternatives if a != SILENT and not all(c == VOWEL or c.isupper() for c in a)]
            if bad or not all(alternatives):
                problems.append(r.problem(f"key must be class letters (A-Z), '{VOWEL}' or '{SILENT}', "
                                          f"alternatives separated by '|': {r['key']!r}"))
                continue
            if (seq, pos) in rules:
                problems.append(r.problem(f"duplicate sequence {seq!r} at position {pos}"))
                continue
            rules[(seq, pos)] = tuple("" if a == SILENT else a for a in alternatives)
            if r["script"] in ABJADS:
                abjad_letters.update(seq)
        vowel_letters, vowel_letters_first = _read_vowel_letters(path.parent / VOWELS_FILE, problems)
        vowel_fits = _read_vowel_fits(path.parent / VOWEL_EQUIVALENTS_FILE, problems)
        if problems:
            raise DataFileError(problems)
        return cls(rules, max(len(s) for s, _ in rules) if rules else 1, vowel_letters, vowel_letters_first,
                   vowel_fits, frozenset(abjad_letters))

    def segments(self, token: str) -> list[tuple[str, ...]]:
        """The token split into sequences, each as its alternative class strings."""
        return [alternatives for _text, alternatives in self.written_segments(token)]

    def written_segments(self, token: str) -> list[tuple[str, tuple[str, ...]]]:
        """The token split into sequences: (the letters as written, their alternative class strings)."""
        out: list[tuple[str, tuple[str, ...]]] = []
        i, n = 0, len(token)
        rules = self.rules
        while i < n:
            for size in range(min(self.longest, n - i), 0, -1):
                seq = token[i:i + size]
                position = "initial" if i == 0 else ("final" if i + size == n else "any")
                found = rules.get((seq, position)) or rules.get((seq, "any"))
                if found is not None:
                    out.append((seq, found))
                    i += size
                    break
            else:
                ch = token[i]
                base = unicodedata.normalize("NFD", ch)[0]
                found = rules.get((base, "any")) if base != ch else None
                # letters with no rule (other scripts) and digits stand for themselves
                out.append((ch, found if found is not None else (ch.upper() if ch.isalpha() else ch,)))
                i += 1
        return out

    def vowel_quality(self, letters: str, *, first: bool = False) -> tuple[str, str]:
        """(qualities, quality when alone) of the vowel letters of one sequence ("", "" if none);
        ``first`` if the sequence starts the word."""
        if first and letters[:1] in self.vowel_letters_first:
            return self.vowel_letters_first[letters[:1]], ""
        qualities, alone = "", ""
        for ch in letters:
            found = self.vowel_letters.get(ch)
            if found is None:
                base = unicodedata.normalize("NFD", ch)[0]
                found = self.vowel_letters.get(base) if base != ch else None
            if found is not None:
                qualities += found[0]
                alone += found[1]
        return qualities, alone

    def widened(self, qualities: str) -> str:
        """The qualities with every quality each of them fits (e -> ei)."""
        if "*" in qualities:
            return "*"
        return "".join(dict.fromkeys("".join(self.vowel_fits.get(q, q) for q in qualities)))


def _collapse(symbols: str) -> str:
    """Vowel runs to one ``a``, repeated consonant classes to one (``ss`` -> ``S``)."""
    out: list[str] = []
    for s in symbols:
        if not out or out[-1] != s:
            out.append(s)
    return "".join(out)


def _skeleton(full: str) -> str:
    """Consonant classes only. Repeats that a vowel separated stay (объединённые BTNN is not Putin BTN)."""
    return full.replace(VOWEL, "")


@lru_cache(maxsize=1)
def bundled_key_table() -> KeyTable:
    return KeyTable.load(BUNDLED_LEXICON_DIR / "keys" / "classes.tsv")


def token_keys(token: str, table: KeyTable | None = None) -> TokenKeys:
    """The keys of a normalised token (see the module docstring); memoised per table."""
    return _token_keys(token, table or bundled_key_table())


@lru_cache(maxsize=KEYS_CACHE_SIZE)
def _token_keys(token: str, table: KeyTable) -> TokenKeys:
    full: list[str] = []
    skeleton: list[str] = []
    vowels: list[tuple[str, ...]] = []
    segments = table.written_segments(token)
    for reading in _likeliest_readings([alternatives for _text, alternatives in segments]):
        f = _collapse("".join(reading))
        if f not in full:
            full.append(f)
            vowels.append(_vowel_runs(segments, reading, table))
        s = _skeleton(f)
        if s not in skeleton:
            skeleton.append(s)
    wide = tuple(tuple(table.widened(run[:1]) for run in runs) for runs in vowels)
    return TokenKeys(tuple(full), tuple(skeleton), tuple(vowels), wide,
                     _vowel_edges(token, segments, full[0] if full else "", table))


def _vowel_runs(segments: list[tuple[str, tuple[str, ...]]], reading: list[str],
                table: KeyTable) -> tuple[str, ...]:
    """The vowel qualities of each vowel run of one reading, in order (one per ``a`` of
    its full key). A run of semivowels alone takes their own quality (y: i); a run
    whose letters have no known quality is ``*`` (fits anything)."""
    runs: list[str] = []
    qualities = alone = ""
    open_run = False
    for n, ((letters, _alternatives), symbols) in enumerate(zip(segments, reading)):
        for symbol in symbols:
            if symbol == VOWEL:
                if not open_run:
                    qualities = alone = ""
                    open_run = True
                q, a = table.vowel_quality(letters, first=n == 0)
                qualities += q
                alone += a
            elif open_run:
                runs.append(_run_quality(qualities, alone))
                open_run = False
    if open_run:
        runs.append(_run_quality(qualities, alone))
    return tuple(runs)


def _run_quality(qualities: str, alone: str) -> str:
    found = (qualities or alone).replace(SILENT, "")
    return "".join(dict.fromkeys(found)) or "*"


def _vowel_edges(token: str, segments: list[tuple[str, tuple[str, ...]]], full: str,
                 table: KeyTable) -> str:
    """Which ends of the token write a vowel (see ``TokenKeys.edges``)."""
    if not segments:
        return ""
    if any(ch in table.abjad_letters for ch in token):
        first, last = segments[0][1], segments[-1][1]
        return (("b" if any(a[:1] in (VOWEL, "") for a in first) else "")
                + ("e" if any(a.endswith(VOWEL) for a in last) else ""))
    edges = ""
    if full.startswith(VOWEL) and table.vowel_quality(segments[0][0])[0].replace(SILENT, ""):
        edges += "b"
    if full.endswith(VOWEL):
        end = table.vowel_quality(segments[-1][0])[0].replace(SILENT, "")
        if end and set(end) != {"e"}:
            edges += "e"
    return edges


def _read_vowel_letters(path: Path, problems: list[Problem]) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(letter -> (qualities, alone), letter -> qualities as a first letter where they differ)."""
    letters: dict[str, tuple[str, str]] = {}
    firsts: dict[str, str] = {}
    for r in read_table(path, ("letter", "qualities", "alone", "first", "note"), problems):
        letter = r["letter"]
        qualities = "" if r["qualities"] == SILENT else r["qualities"].replace("|", "")
        alone = "" if r["alone"] == SILENT else r["alone"]
        first = qualities if r["first"] == "=" else r["first"].replace("|", "")
        if len(letter) != 1 or letter != letter.casefold():
            problems.append(r.problem(f"letter must be one lower-case character, found {letter!r}"))
        elif not set(qualities + alone + first) <= set(QUALITIES):
            problems.append(r.problem(f"qualities must be from {' '.join(QUALITIES)} separated by '|', or '-'"))
        elif letter in letters:
            problems.append(r.problem(f"duplicate letter {letter!r}"))
        else:
            letters[letter] = (qualities, alone)
            if first != qualities:
                firsts[letter] = first
    return letters, firsts


def _read_vowel_fits(path: Path, problems: list[Problem]) -> dict[str, str]:
    fits: dict[str, str] = {}
    for r in read_table(path, ("quality", "other", "note"), problems):
        a, b = r["quality"], r["other"]
        if a not in QUALITIES or b not in QUALITIES or a == b or "*" in (a, b):
            problems.append(r.problem(f"quality and other must be two different letters of {' '.join(QUALITIES[:-1])}"))
            continue
        fits[a] = fits.get(a, a) + b
        fits[b] = fits.get(b, b) + a
    return fits


def _likeliest_readings(segments: list[tuple[str, ...]]) -> list[list[str]]:
    """Up to MAX_READINGS readings, those with the fewest second choices first
    (no second choice, then one, then two...), without enumerating the rest."""
    first = [alternatives[0] for alternatives in segments]
    ambiguous = [i for i, alternatives in enumerate(segments) if len(alternatives) > 1]
    readings: list[list[str]] = []
    for deviations in range(len(ambiguous) + 1):
        for positions in itertools.combinations(ambiguous, deviations):
            for choice in itertools.product(*(segments[p][1:] for p in positions)):
                reading = list(first)
                for position, symbols in zip(positions, choice):
                    reading[position] = symbols
                readings.append(reading)
                if len(readings) == MAX_READINGS:
                    return readings
    return readings


def cross_script_key(token: str) -> str:
    """The likeliest full key of a normalised token (``tokayev`` -> ``TaKaV``)."""
    return token_keys(token).full[0]


def skeleton_key(token: str) -> str:
    """The likeliest consonant skeleton of a normalised token (``tokayev`` -> ``TKV``)."""
    return token_keys(token).skeleton[0]


def acronym_key(token: str, table: KeyTable | None = None) -> str:
    """An acronym's letters one by one, each as its likeliest class, a vowel as ``a`` and its
    quality (``АҚШ``, ``АКШ`` and ``AQSH`` -> ``aaKX``): the same acronym in another alphabet,
    letter for letter. Nothing is collapsed, so a letter more or less is another acronym
    (``aus`` is not ``us``)."""
    table = table or bundled_key_table()
    out: list[str] = []
    for letters, alternatives in table.written_segments(token):
        symbols = alternatives[0]
        if symbols == VOWEL:
            qualities, alone = table.vowel_quality(letters)
            out.append(VOWEL + ((qualities or alone)[:1] or "*"))
        else:
            out.append(symbols)
    return "".join(out)
