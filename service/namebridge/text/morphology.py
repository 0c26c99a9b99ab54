"""Base forms of inflected query tokens, from the lists in ``lexicons/morphology/``.

Names arrive inflected (``Тоқаевтың``, ``Вашингтонға``, ``بكازاخستان``,
``قزاقستانی``) and with Turkish suffixes written after an apostrophe
(``Kazakistan'ın``). This module proposes base forms; it never decides: each
stem is looked up like the token itself and scored slightly lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import read_table
from namebridge.text.normalize import APOSTROPHE, HYPHEN, Token, normalize_text
from namebridge.text.scripts import detect_script

POSITIONS = ("suffix", "prefix", "article", "apostrophe_suffix")
#: which lists apply to a token of a script
LISTS_BY_SCRIPT = {"Cyrillic": ("kk", "ru", "ky"), "Arabic": ("ar", "fa"), "Latin": ("tr", "uz", "de", "cs")}
MIN_STEM_LETTERS = 2
#: layers of proclitics stripped (و + ب in وبكازاخستان)
PREFIX_LAYERS = 2
MAX_STEMS = 8


@dataclass(frozen=True, slots=True)
class Morphology:
    """Affix lists by language, each sorted longest first."""

    suffixes: dict[str, tuple[str, ...]]
    prefixes: dict[str, tuple[str, ...]]
    articles: dict[str, tuple[str, ...]]
    apostrophe_suffixes: frozenset[str]
    #: per script, every prefix and every suffix that applies (for membership tests)
    prefix_sets: dict[str, frozenset[str]]
    suffix_sets: dict[str, frozenset[str]]

    @classmethod
    def load(cls, directory: Path) -> "Morphology":
        problems: list[Problem] = []
        lists: dict[str, dict[str, set[str]]] = {p: {} for p in POSITIONS}
        for path in sorted(directory.glob("*.tsv")):
            language = path.stem
            for r in read_table(path, ("affix", "position", "note"), problems):
                position = r["position"]
                if position not in POSITIONS:
                    problems.append(r.problem(f"position must be one of {', '.join(POSITIONS)}"))
                    continue
                affix = normalize_text(r["affix"])
                if not affix or " " in affix:
                    problems.append(r.problem(f"affix {r['affix']!r} is not a single token"))
                    continue
                seen = lists[position].setdefault(language, set())
                if affix in seen:
                    problems.append(r.problem(f"duplicate {position} {r['affix']!r}"))
                    continue
                seen.add(affix)
        if problems:
            raise DataFileError(problems)

        def longest_first(by_language: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
            return {lang: tuple(sorted(items, key=lambda a: (-len(a), a))) for lang, items in by_language.items()}

        apostrophe = frozenset(a for items in lists["apostrophe_suffix"].values() for a in items)

        def by_script(position: str) -> dict[str, frozenset[str]]:
            return {script: frozenset(a for lang in langs for a in lists[position].get(lang, ()))
                    for script, langs in LISTS_BY_SCRIPT.items()}

        return cls(longest_first(lists["suffix"]), longest_first(lists["prefix"]),
                   longest_first(lists["article"]), apostrophe, by_script("prefix"), by_script("suffix"))

    def is_apostrophe_suffix(self, token: str) -> bool:
        """True for a suffix token written after an apostrophe (``ın`` in ``Kazakistan'ın``)."""
        return token in self.apostrophe_suffixes

    def rejoin(self, tokens: tuple[Token, ...] | list[Token]) -> list[Token]:
        """Tokens with joined parts resolved: a suffix after an apostrophe
        (``Kazakistan'ın``) or after a hyphen (``АҚШ-қа``) is dropped; any other
        part after an apostrophe is joined back (``O'zbekiston``, ``Jo'mart``)."""
        out: list[Token] = []
        for position, token in enumerate(tokens):
            if position + 1 < len(tokens) and self._is_detached_proclitic(token):
                continue
            if token.joiner and out:
                if token.joiner == APOSTROPHE:
                    if token.text in self.apostrophe_suffixes:
                        continue
                    previous = out.pop()
                    out.append(Token(previous.text + token.text, previous.surface + token.surface,
                                     previous.joiner))
                    continue
                if token.joiner == HYPHEN and token.text in self._suffix_set(detect_script(token.surface)):
                    continue
            out.append(token)
        return out

    def _is_detached_proclitic(self, token: Token) -> bool:
        """A proclitic written apart from its word (لـ"الشرق"): one or two letters from a prefix list."""
        if len(token.text) > 2:
            return False
        return token.text in self.prefix_sets.get(detect_script(token.surface), ())

    def _suffix_set(self, script: str) -> frozenset[str]:
        return self.suffix_sets.get(script, frozenset())

    def _lists(self, table: dict[str, tuple[str, ...]], script: str) -> list[str]:
        return [a for lang in LISTS_BY_SCRIPT.get(script, ()) for a in table.get(lang, ())]

    def without_article(self, token: str, script: str) -> str | None:
        """The token without a leading article (``الامارات`` -> ``امارات``), if one is there."""
        for article in self._lists(self.articles, script):
            if token.startswith(article) and len(token) - len(article) >= MIN_STEM_LETTERS:
                return token[len(article):]
        return None

    def stems(self, token: str, script: str) -> list[str]:
        """Candidate base forms of a normalised token, likeliest first, without the token itself."""
        prefixes = self._lists(self.prefixes, script) + self._lists(self.articles, script)
        suffixes = self._lists(self.suffixes, script)
        if not prefixes and not suffixes:
            return []
        bases = [token]
        for _layer in range(PREFIX_LAYERS):
            for base in list(bases):
                for prefix in prefixes:
                    if base.startswith(prefix) and len(base) - len(prefix) >= MIN_STEM_LETTERS:
                        stripped = base[len(prefix):]
                        if stripped not in bases:
                            bases.append(stripped)
        out: list[str] = []
        for base in bases:
            if base != token:
                out.append(base)
            for suffix in suffixes:
                if base.endswith(suffix) and len(base) - len(suffix) >= MIN_STEM_LETTERS:
                    stem = base[: -len(suffix)]
                    out.append(stem)
                    # one more layer (Persian قزاقستانی‌ها: ها then ی)
                    for inner in suffixes:
                        if stem.endswith(inner) and len(stem) - len(inner) >= MIN_STEM_LETTERS:
                            out.append(stem[: -len(inner)])
                            break
        unique: list[str] = []
        for s in out:
            if s not in unique and s != token:
                unique.append(s)
        return unique[:MAX_STEMS]
