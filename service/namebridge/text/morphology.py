"""Base forms of inflected query tokens, from the lists in ``lexicons/morphology/``.

Names arrive inflected (``Тоқаевтың``, ``Вашингтонға``, ``بكازاخستان``,
``قزاقستانی``) and with Turkish suffixes written after an apostrophe
(``Kazakistan'ın``). This module proposes base forms; it never decides: each
stem is looked up like the token itself and scored slightly lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import display_path, read_table
from namebridge.text.normalize import APOSTROPHE, HYPHEN, NormalizationTables, Token, normalize_text
from namebridge.text.scripts import ScriptRules, detect_script

POSITIONS = ("suffix", "base_suffix", "prefix", "article", "apostrophe_suffix", "elision")
#: the file saying which languages' lists apply to a token of a script, in the order tried
SCRIPTS_FILE = "scripts.tsv"
SCRIPTS_COLUMNS = ("script", "language", "stems")
#: how a list's stems are used: ``keyed`` (compared by keys, like the token itself, and as
#: base forms) or ``base`` (only as base forms, with alias tokens' base forms as written).
#: A ``base_suffix`` row is a suffix of the second kind in any list: the short adjective and
#: noun endings that every word of a phrase takes (Russian -ого/-ая, German -en/-e, Czech -é/-á)
#: give base forms, never keyed stems
STEM_USES = ("keyed", "base")
MIN_STEM_LETTERS = 2
#: layers of proclitics stripped (و + ب in وبكازاخستان)
PREFIX_LAYERS = 2
MAX_STEMS = 8
#: base forms (``Morphology.base_forms``): at least this many letters...
MIN_BASE_LETTERS = 3
#: ... and a base shorter than this only if it keeps this share of the token (бел of белом and
#: of белого, not ми of мира)
MIN_KEYED_BASE = 4
SHORT_BASE_SHARE = 0.5
#: the file of letters an inflected form may write either way (ё and е)
FOLDS_FILE = "folds.tsv"
FOLDS_COLUMNS = ("letter", "folded", "note")


@dataclass(frozen=True, slots=True)
class Morphology:
    """Affix lists by language, each sorted longest first."""

    suffixes: dict[str, tuple[str, ...]]
    prefixes: dict[str, tuple[str, ...]]
    #: per language, ``suffixes`` with the ``base_suffix`` rows added (sorted longest first)
    base_suffixes: dict[str, tuple[str, ...]]
    articles: dict[str, tuple[str, ...]]
    apostrophe_suffixes: frozenset[str]
    #: per script, every prefix and every suffix that applies (for membership tests)
    prefix_sets: dict[str, frozenset[str]]
    suffix_sets: dict[str, frozenset[str]]
    #: script -> the languages whose lists apply, in the order tried (``scripts.tsv``)
    languages_by_script: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: script detection rules (None: the bundled ones)
    script_rules: ScriptRules | None = None
    #: letters folded in base forms (``folds.tsv``: ё -> е), as a ``str.translate`` table
    folds: dict[int, int] = field(default_factory=dict)
    #: elided articles and prepositions written before an apostrophe (l', d', dell')
    elisions: frozenset[str] = frozenset()
    #: languages whose stems are also compared by keys (``scripts.tsv``, column ``stems``)
    keyed_languages: frozenset[str] = frozenset()
    #: affix lists per (table, script, keyed) and their suffix indexes, built on first use
    affix_cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, directory: Path, *, script_rules: ScriptRules | None = None,
             normalization: NormalizationTables | None = None) -> "Morphology":
        """The lists of ``directory/<language>.tsv``, applied per script as ``scripts.tsv`` says;
        raises DataFileError listing every problem."""
        problems: list[Problem] = []
        lists: dict[str, dict[str, set[str]]] = {p: {} for p in POSITIONS}
        files = {path.stem: path for path in sorted(directory.glob("*.tsv"))
                 if path.name not in (SCRIPTS_FILE, FOLDS_FILE)}
        keyed: set[str] = set()
        languages = _languages_by_script(directory / SCRIPTS_FILE, files, problems, keyed)
        folds: dict[int, int] = {}
        for r in read_table(directory / FOLDS_FILE, FOLDS_COLUMNS, problems):
            letter, folded = normalize_text(r["letter"], normalization), normalize_text(r["folded"], normalization)
            if len(letter) != 1 or len(folded) != 1:
                problems.append(r.problem("letter and folded must be one letter each"))
            elif ord(letter) in folds:
                problems.append(r.problem(f"duplicate letter {r['letter']!r}"))
            else:
                folds[ord(letter)] = ord(folded)
        for language, path in files.items():
            for r in read_table(path, ("affix", "position", "note"), problems):
                position = r["position"]
                if position not in POSITIONS:
                    problems.append(r.problem(f"position must be one of {', '.join(POSITIONS)}"))
                    continue
                affix = normalize_text(r["affix"], normalization)
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

        def by_script(*positions: str) -> dict[str, frozenset[str]]:
            return {script: frozenset(a for lang in langs for p in positions for a in lists[p].get(lang, ()))
                    for script, langs in languages.items()}

        for language, items in lists["base_suffix"].items():
            for affix in sorted(items & lists["suffix"].get(language, set())):
                problems.append(Problem(display_path(files[language]), 0,
                                        f"{affix!r} is both a suffix and a base_suffix"))
        if problems:
            raise DataFileError(problems)
        with_base = {lang: lists["suffix"].get(lang, set()) | lists["base_suffix"].get(lang, set())
                     for lang in set(lists["suffix"]) | set(lists["base_suffix"])}
        return cls(longest_first(lists["suffix"]), longest_first(lists["prefix"]), longest_first(with_base),
                   longest_first(lists["article"]), apostrophe, by_script("prefix"),
                   by_script("suffix", "base_suffix"),
                   languages, script_rules, folds,
                   frozenset(a for items in lists["elision"].values() for a in items), frozenset(keyed))

    def is_apostrophe_suffix(self, token: str) -> bool:
        """True for a suffix token written after an apostrophe (``ın`` in ``Kazakistan'ın``)."""
        return token in self.apostrophe_suffixes

    def rejoin(self, tokens: tuple[Token, ...] | list[Token]) -> list[Token]:
        """Tokens with joined parts resolved: a suffix after an apostrophe
        (``Kazakistan'ın``) or after a hyphen (``АҚШ-қа``) is dropped, and so is an
        elided article before an apostrophe (``l'Ouzbékistan``); any other
        part after an apostrophe is joined back (``O'zbekiston``, ``Jo'mart``), and so is any
        part after a second apostrophe in one word (``oʻgʻli``: no Turkish suffix there)."""
        out: list[Token] = []
        #: the last token kept is a word already joined at an apostrophe (Uzbek oʻgʻ-): a Turkish
        #: word has one apostrophe, before its suffixes, so a second one is a letter (oʻgʻli)
        joined = False
        for position, token in enumerate(tokens):
            if position + 1 < len(tokens) and self._is_detached_proclitic(token):
                continue
            if token.joiner and out:
                if token.joiner == APOSTROPHE:
                    if token.text in self.apostrophe_suffixes and not joined:
                        continue
                    if out[-1].text in self.elisions:
                        # l'Ouzbékistan, dell'Uzbekistan: the elided article goes, the word stays
                        out[-1] = Token(token.text, token.surface, out[-1].joiner)
                        continue
                    previous = out.pop()
                    out.append(Token(previous.text + token.text, previous.surface + token.surface,
                                     previous.joiner))
                    joined = True
                    continue
                if token.joiner == HYPHEN and token.text in self._suffix_set(detect_script(token.surface, self.script_rules)):
                    continue
            out.append(token)
            joined = False
        return out

    def _is_detached_proclitic(self, token: Token) -> bool:
        """A proclitic written apart from its word (لـ"الشرق"): one or two letters from a prefix list."""
        if len(token.text) > 2:
            return False
        return token.text in self.prefix_sets.get(detect_script(token.surface, self.script_rules), ())

    def _suffix_set(self, script: str) -> frozenset[str]:
        return self.suffix_sets.get(script, frozenset())

    def _lists(self, table: dict[str, tuple[str, ...]], script: str, *, keyed: bool = False) -> tuple[str, ...]:
        """The affixes of ``table`` that apply to a token of ``script``, in the order tried (memoised)."""
        key = (id(table), script, keyed)
        found = self.affix_cache.get(key)
        if found is None:
            found = self.affix_cache[key] = tuple(
                a for lang in self.languages_by_script.get(script, ()) for a in table.get(lang, ())
                if not keyed or lang in self.keyed_languages)
        return found

    def _suffix_index(self, script: str, *, keyed: bool, base: bool = False) -> tuple[tuple[int, ...], dict[str, int]]:
        """(the suffix lengths, suffix -> its first place in the order tried) for ``script`` (memoised);
        the ``base_suffix`` rows too with ``base``."""
        key = ("index", script, keyed, base)
        found = self.affix_cache.get(key)
        if found is None:
            rank: dict[str, int] = {}
            table = self.base_suffixes if base else self.suffixes
            for place, suffix in enumerate(self._lists(table, script, keyed=keyed)):
                rank.setdefault(suffix, place)
            found = self.affix_cache[key] = (tuple(sorted({len(x) for x in rank})), rank)
        return found

    def without_article(self, token: str, script: str) -> str | None:
        """The token without a leading article (``الامارات`` -> ``امارات``), if one is there."""
        for article in self._lists(self.articles, script):
            if token.startswith(article) and len(token) - len(article) >= MIN_STEM_LETTERS:
                return token[len(article):]
        return None

    def base_forms(self, token: str, script: str) -> tuple[str, ...]:
        """The token and its stems, with the letters of ``folds.tsv`` folded (ё -> е), for
        comparing an inflected form with an inflected alias token by their shared base
        (Штатов and Штаты share штат). Bases shorter than ``MIN_BASE_LETTERS`` are left out, and
        short ones (fewer than ``MIN_KEYED_BASE`` letters) must be stems of both tokens, keeping
        ``SHORT_BASE_SHARE`` of each (Белого and Белый share бел; Майами and Майка do not share
        май, since no list strips -ка, and Рим is no stem of itself to meet Рима). The
        ``base_suffix`` rows count here."""
        forms = []
        for form in (token, *self.stems(token, script, base=True)):
            if len(form) < MIN_BASE_LETTERS or (len(form) < MIN_KEYED_BASE and (
                    form == token or len(form) < SHORT_BASE_SHARE * len(token))):
                continue
            folded = form.translate(self.folds)
            if folded not in forms:
                forms.append(folded)
        return tuple(forms)

    def stems(self, token: str, script: str, *, keyed: bool = False, base: bool = False) -> list[str]:
        """Candidate base forms of a normalised token, likeliest first, without the token itself;
        with ``keyed``, only from the lists whose stems may be compared by keys (``scripts.tsv``);
        with ``base``, also from the ``base_suffix`` rows (for ``base_forms``)."""
        prefixes = self._lists(self.prefixes, script, keyed=keyed) + self._lists(self.articles, script, keyed=keyed)
        lengths, rank = self._suffix_index(script, keyed=keyed, base=base)
        if not prefixes and not rank:
            return []

        def endings(word: str) -> list[str]:
            """The suffixes ``word`` ends with that leave a stem, in the order tried."""
            found = [word[-n:] for n in lengths if len(word) - n >= MIN_STEM_LETTERS and word[-n:] in rank]
            found.sort(key=rank.__getitem__)
            return found

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
            for suffix in endings(base):
                stem = base[: -len(suffix)]
                out.append(stem)
                # one more layer (Persian قزاقستانی‌ها: ها then ی)
                inner = endings(stem)
                if inner:
                    out.append(stem[: -len(inner[0])])
        unique: list[str] = []
        for s in out:
            if s not in unique and s != token:
                unique.append(s)
        return unique[:MAX_STEMS]


def _languages_by_script(path: Path, files: dict[str, Path], problems: list[Problem],
                         keyed: set[str]) -> dict[str, tuple[str, ...]]:
    """script -> languages from ``scripts.tsv`` (adding to ``keyed`` the languages whose stems
    are keyed); every list file must apply to a script, and every language listed must have its file."""
    by_script: dict[str, list[str]] = {}
    listed: set[str] = set()
    for r in read_table(path, SCRIPTS_COLUMNS, problems):
        language = r["language"]
        if r["stems"] not in STEM_USES:
            problems.append(r.problem(f"stems must be one of {', '.join(STEM_USES)}"))
        elif language in listed:
            problems.append(r.problem(f"language {language!r} is listed twice"))
        elif language not in files:
            problems.append(r.problem(f"no list {language}.tsv in {path.parent.name}/ for language {language!r}"))
        else:
            listed.add(language)
            by_script.setdefault(r["script"], []).append(language)
            if r["stems"] == "keyed":
                keyed.add(language)
    for language in sorted(set(files) - listed):
        problems.append(Problem(display_path(files[language]), 0,
                                f"{language}.tsv applies to no script: add a line for it to {SCRIPTS_FILE}"))
    return {script: tuple(languages) for script, languages in by_script.items()}
