"""Which script and language a token is written in.

Detection reads the token as written (``Token.surface``: before letter
unification, so Persian ``ک``/``ی`` still differ from Arabic ``ك``/``ي``). The
rules are data: ``lexicons/normalize/script_ranges.tsv`` and
``language_markers.tsv``. A caller's hint always overrides detection.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import read_table
from namebridge.settings import BUNDLED_LEXICON_DIR

UNKNOWN = "Unknown"
MIXED = "Mixed"
#: script names of script_ranges.tsv that the code itself needs (confusable folding)
LATIN = "Latin"
CYRILLIC = "Cyrillic"
UNDETERMINED = "und"

#: distinct tokens whose script is remembered
SCRIPT_CACHE_SIZE = 262144

#: scripts whose writing leaves short vowels out (compare them on skeletons)
ABJADS = frozenset({"Arabic", "Hebrew"})


@dataclass(frozen=True, slots=True)
class ScriptRules:
    """Compiled detection rules."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    names: tuple[str, ...]
    markers: tuple[tuple[str, str, frozenset[str]], ...]  #: (script, language, letters)
    defaults: dict[str, str]                              #: script -> default language

    @classmethod
    def load(cls, directory: Path) -> "ScriptRules":
        problems: list[Problem] = []
        ranges = []
        for r in read_table(directory / "script_ranges.tsv", ("script", "first", "last"), problems):
            try:
                first, last = int(r["first"][2:], 16), int(r["last"][2:], 16)
            except ValueError:
                problems.append(r.problem("first/last must look like U+0600"))
                continue
            if first > last:
                problems.append(r.problem("first is after last"))
                continue
            ranges.append((first, last, r["script"]))
        ranges.sort()
        for (a0, a1, _), (b0, _b1, _s) in zip(ranges, ranges[1:]):
            if b0 <= a1:
                problems.append(Problem(str(directory / "script_ranges.tsv"), 0,
                                        f"ranges overlap at U+{b0:04X}"))
        markers = []
        defaults: dict[str, str] = {}
        for r in read_table(directory / "language_markers.tsv", ("script", "language", "letters"), problems):
            if r["letters"] == "*":
                if r["script"] in defaults:
                    problems.append(r.problem(f"second default row for {r['script']}"))
                defaults[r["script"]] = r["language"]
            else:
                markers.append((r["script"], r["language"], frozenset(r["letters"])))
        if problems:
            raise DataFileError(problems)
        return cls(tuple(a for a, _, _ in ranges), tuple(b for _, b, _ in ranges),
                   tuple(s for _, _, s in ranges), tuple(markers), defaults)

    def char_script(self, ch: str) -> str | None:
        cp = ord(ch)
        i = bisect.bisect_right(self.starts, cp) - 1
        if i >= 0 and cp <= self.ends[i]:
            return self.names[i]
        return None


@lru_cache(maxsize=1)
def bundled_rules() -> ScriptRules:
    return ScriptRules.load(BUNDLED_LEXICON_DIR / "normalize")


def detect_script(token: str, rules: ScriptRules | None = None) -> str:
    """The script most of the token's letters belong to (``Unknown`` if none; the first
    script seen wins a tie)."""
    if token.isascii():
        return LATIN if any(c.isalpha() for c in token) else UNKNOWN
    if rules is None:
        return _bundled_script(token)
    return _majority_script(token, rules)


@lru_cache(maxsize=SCRIPT_CACHE_SIZE)
def _bundled_script(token: str) -> str:
    return _majority_script(token, bundled_rules())


def _majority_script(token: str, rules: ScriptRules) -> str:
    counts: dict[str, int] = {}
    for ch in token:
        script = rules.char_script(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else UNKNOWN


def detect_language(token: str, script: str, rules: ScriptRules | None = None) -> str:
    """The language a token's letters point to within its script (``und`` if none)."""
    rules = rules or bundled_rules()
    letters = set(token)
    for marker_script, language, marker_letters in rules.markers:
        if marker_script == script and letters & marker_letters:
            return language
    return rules.defaults.get(script, UNDETERMINED)


def dominant(values: list[str], *, ignore: frozenset[str] = frozenset({UNKNOWN, UNDETERMINED})) -> str | None:
    """The most frequent value, ignoring the uninformative ones (None if none is left)."""
    counts = Counter(v for v in values if v not in ignore)
    return counts.most_common(1)[0][0] if counts else None
