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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import read_table
from namebridge.settings import BUNDLED_LEXICON_DIR

VOWEL = "a"
SILENT = "-"
MAX_READINGS = 8
#: distinct tokens whose keys are remembered
KEYS_CACHE_SIZE = 262144
POSITIONS = ("any", "initial", "final")


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """The matching keys of one token: one entry per reading (deduplicated, in order)."""

    full: tuple[str, ...]
    skeleton: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class KeyTable:
    """The compiled class table: (sequence, position) -> alternative class strings."""

    rules: dict[tuple[str, str], tuple[str, ...]]
    longest: int

    @classmethod
    def load(cls, path: Path) -> "KeyTable":
        problems: list[Problem] = []
        rules: dict[tuple[str, str], tuple[str, ...]] = {}
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
        if problems:
            raise DataFileError(problems)
        return cls(rules, max(len(s) for s, _ in rules) if rules else 1)

    def segments(self, token: str) -> list[tuple[str, ...]]:
        """The token split into sequences, each as its alternative class strings."""
        out: list[tuple[str, ...]] = []
        i, n = 0, len(token)
        rules = self.rules
        while i < n:
            for size in range(min(self.longest, n - i), 0, -1):
                seq = token[i:i + size]
                position = "initial" if i == 0 else ("final" if i + size == n else "any")
                found = rules.get((seq, position)) or rules.get((seq, "any"))
                if found is not None:
                    out.append(found)
                    i += size
                    break
            else:
                ch = token[i]
                base = unicodedata.normalize("NFD", ch)[0]
                found = rules.get((base, "any")) if base != ch else None
                # letters with no rule (other scripts) and digits stand for themselves
                out.append(found if found is not None else (ch.upper() if ch.isalpha() else ch,))
                i += 1
        return out


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
    for reading in _likeliest_readings(table.segments(token)):
        f = _collapse("".join(reading))
        if f not in full:
            full.append(f)
        s = _skeleton(f)
        if s not in skeleton:
            skeleton.append(s)
    return TokenKeys(tuple(full), tuple(skeleton))


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
