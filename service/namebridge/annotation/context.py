"""What the words around a candidate say: the context rules of mention annotation.

Four lists under ``lexicons/tokens/`` (read with the project's TSV reader,
normalised with the resolver's tables):

- ``names_also_words.tsv``: lexicon forms that are also ordinary words (``Fas``,
  ``الشرق``); such a form needs evidence (``has_name_evidence``).
- ``place_markers.tsv``: case endings, attached prepositions and preceding
  words that make a capital a place (``Вашингтонға``, ``بواشنطن``, ``في واشنطن``);
  without one, a form that is both a city and a country's metonym names the
  country (``is_place_reading``).
- ``adjective_endings.tsv``: endings that make a name an adjective or demonym
  (``الكازاخستاني``, ``آمریکایی``): not a mention (``is_adjective``).
- ``list_words.tsv``: words that join the items of a list (``ve``, ``және``), for
  the list evidence of ``has_name_evidence``.

The rules are stated in docs/design.md, "Mention annotation".
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Collection
from pathlib import Path

from namebridge.annotation.words import Word
from namebridge.errors import DataFileError, Problem
from namebridge.text.normalize import NormalizationTables, normalize_text
from namebridge.tsv import Row, read_table

ORDINARY_WORDS_FILE = "names_also_words.tsv"
ADJECTIVE_ENDINGS_FILE = "adjective_endings.tsv"
PLACE_MARKERS_FILE = "place_markers.tsv"
MARKER_POSITIONS = ("suffix", "prefix", "before")
#: quote marks that set a name apart
QUOTES = frozenset("\"'«»“”„‘’‹›")
LIST_WORDS_FILE = "list_words.tsv"
#: punctuation that joins the items of a list
LIST_PUNCTUATION = frozenset({"", ",", "،", "-", "–"})


@dataclass(frozen=True, slots=True)
class ContextLists:
    """The two lists, normalised."""

    ordinary_words: frozenset[str]
    place_suffixes: frozenset[str]
    place_prefixes: frozenset[str]
    place_words_before: frozenset[str]
    #: ending -> letters after which it is not an adjective ending
    adjective_endings: dict[str, str]
    list_words: frozenset[str]

    @classmethod
    def load(cls, directory: Path, tables: NormalizationTables) -> "ContextLists":
        """The lists of ``directory`` (a lexicon's ``tokens/`` folder); raises DataFileError
        naming every bad line."""
        problems: list[Problem] = []
        ordinary: set[str] = set()
        for row in read_table(directory / ORDINARY_WORDS_FILE, ("form", "language", "note"), problems):
            form = normalize_text(row["form"], tables)
            if not form:
                problems.append(row.problem("form is empty after normalisation"))
            elif form in ordinary:
                problems.append(row.problem(f"duplicate form {row['form']!r}"))
            ordinary.add(form)
        markers: dict[str, set[str]] = {p: set() for p in MARKER_POSITIONS}
        for row in read_table(directory / PLACE_MARKERS_FILE, ("marker", "position", "language", "note"),
                              problems):
            marker = normalize_text(row["marker"], tables)
            if row["position"] not in MARKER_POSITIONS:
                problems.append(row.problem(f"position must be one of {', '.join(MARKER_POSITIONS)}"))
            elif not marker or " " in marker:
                problems.append(row.problem(f"marker {row['marker']!r} is not one token"))
            elif marker in markers[row["position"]]:
                problems.append(row.problem(f"duplicate {row['position']} {row['marker']!r}"))
            else:
                markers[row["position"]].add(marker)
        endings: dict[str, str] = {}
        for row in read_table(directory / ADJECTIVE_ENDINGS_FILE, ("ending", "not_after", "note"), problems):
            ending = _one_token(row, "ending", endings, tables, problems, " (after normalisation)")
            if ending is not None:
                endings[ending] = "" if row["not_after"] == "-" else normalize_text(row["not_after"], tables)
        list_words: set[str] = set()
        for row in read_table(directory / LIST_WORDS_FILE, ("word", "language", "note"), problems):
            word = _one_token(row, "word", list_words, tables, problems)
            if word is not None:
                list_words.add(word)
        if problems:
            raise DataFileError(problems)
        return cls(frozenset(ordinary), frozenset(markers["suffix"]), frozenset(markers["prefix"]),
                   frozenset(markers["before"]), endings, frozenset(list_words))

    def _is_list_gap(self, gap: str) -> bool:
        """A comma, a dash or one list word between two mentions."""
        stripped = gap.strip()
        return stripped in LIST_PUNCTUATION or normalize_text(stripped) in self.list_words

    def is_adjective(self, name: str, suffix: str) -> bool:
        """True when ``suffix``, all that follows the normalised ``name`` in its word, makes
        it an adjective or demonym (``الكازاخستاني``), not a mention."""
        not_after = self.adjective_endings.get(suffix)
        return not_after is not None and not (name and name[-1] in not_after)

    def is_place_reading(self, text: str, words: list[Word], first: int, prefix: str, suffix: str) -> bool:
        """True when the words say a place is meant: a place case ending or attached
        preposition on the name, a place preposition right before it, or a dateline
        (the name opens its line, written in capitals)."""
        if suffix in self.place_suffixes or prefix in self.place_prefixes:
            return True
        if first > 0 and words[first - 1].text in self.place_words_before \
                and _only_space(text[words[first - 1].end:words[first].start]):
            return True
        word = words[first]
        line_start = text.rfind("\n", 0, word.start) + 1
        surface = text[word.start:word.end]
        return not text[line_start:word.start].strip() and surface.isupper()

    def has_name_evidence(self, text: str, words: list[Word], first: int, last: int,
                          span_start: int, span_end: int, entity_type: str,
                          neighbours: list[tuple[int, int, str]]) -> bool:
        """Evidence that an ordinary-word form is a name here: a Turkish apostrophe
        suffix; quotes or a detached proclitic before it; it ends its line (a byline);
        or it is listed with a mention of the same entity type (``Bahreyn ve Fas'ın``).
        ``neighbours``: (start, end, entity type) of the other mentions found."""
        if words[last].suffix and "'" in _apostrophes(text[words[last].start:words[last].end]):
            return True
        before = text[max(0, span_start - 1):span_start]
        after = text[span_end:span_end + 1]
        if before in QUOTES or after in QUOTES or span_start < words[first].start:
            return True
        line_end = text.find("\n", span_end)
        if not text[span_end:line_end if line_end >= 0 else len(text)].strip():
            return True
        for start, end, kind in neighbours:
            if kind != entity_type:
                continue
            gap = text[end:span_start] if end <= span_start else text[span_end:start] if start >= span_end else None
            if gap is not None and self._is_list_gap(gap):
                return True
        return False


def _apostrophes(piece: str) -> str:
    return piece.replace("’", "'").replace("ʼ", "'").replace("‘", "'")


def _only_space(gap: str) -> bool:
    return not gap.strip()


def _one_token(row: Row, column: str, seen: Collection[str], tables: NormalizationTables,
               problems: list[Problem], duplicate_note: str = "") -> str | None:
    """The row's ``column`` normalised, if it is one token not ``seen`` before; else a problem
    naming the row, and None."""
    value = normalize_text(row[column], tables)
    if not value or " " in value:
        problems.append(row.problem(f"{column} {row[column]!r} is not one token"))
        return None
    if value in seen:
        problems.append(row.problem(f"duplicate {column} {row[column]!r}{duplicate_note}"))
        return None
    return value
