"""Aliases kept as columns, each ``Alias`` built when it is read (a snapshot's lexicon).

A text load builds one ``Alias`` object per alias. A compiled snapshot
(``matching/snapshot.py``) holds the same aliases as columns: the alias
texts, its entity's position, line numbers, and codes into the distinct
values of the columns that repeat (language, kind, source, tier, path).
:class:`AliasColumns` reads them as a sequence of ``Alias``: an alias costs an
object only when something reads it (the engine reads the few it scores), so
a load of a million aliases builds none. It compares equal to a tuple of the
same aliases, and a slice or a reordering (``positions``) is another view of
the same columns, never a copy.

``alias_values(aliases, field)`` gives one field of every alias, from the
columns when it can (no ``Alias`` built), else from the objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

from namebridge.lexicon.model import Alias

#: the ``Alias`` fields stored as codes into their distinct values, in ``Alias`` order
CODED_FIELDS = ("language", "kind", "source", "tier", "path")


class AliasColumns(Sequence[Alias]):
    """The aliases at ``positions`` of the columns, as ``Alias`` objects built on access."""

    __slots__ = ("_columns", "_positions")

    def __init__(self, *, entity_ids: Sequence[str], owner: array, texts: Sequence[str],
                 coded: dict[str, tuple[list[str], array]], lines: array,
                 positions: range | array | None = None) -> None:
        if set(coded) != set(CODED_FIELDS):
            raise ValueError(f"coded columns {sorted(coded)} are not {list(CODED_FIELDS)}")
        lengths = {len(owner), len(texts), len(lines), *(len(codes) for _values, codes in coded.values())}
        if len(lengths) != 1:
            raise ValueError(f"alias columns of different lengths: {sorted(lengths)}")
        #: entity position -> ID, alias -> entity position, texts, per coded field its values and codes, lines
        self._columns = (entity_ids, owner, texts, tuple(coded[f][0] for f in CODED_FIELDS),
                         tuple(coded[f][1] for f in CODED_FIELDS), lines)
        self._positions = range(len(texts)) if positions is None else positions

    def _view(self, positions: range | array) -> "AliasColumns":
        view = object.__new__(AliasColumns)
        view._columns = self._columns
        view._positions = positions
        return view

    def reordered(self, positions: range | array) -> "AliasColumns":
        """The aliases at these positions of the columns (an index lists some aliases twice)."""
        return self._view(positions)

    def _alias(self, p: int) -> Alias:
        entity_ids, owner, texts, (language, kind, source, tier, path), codes, lines = self._columns
        return Alias(entity_ids[owner[p]], texts[p], language[codes[0][p]], kind[codes[1][p]],
                     source[codes[2][p]], tier[codes[3][p]], path[codes[4][p]], lines[p])

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, i: int) -> Alias: ...
    @overload
    def __getitem__(self, i: slice) -> "AliasColumns": ...

    def __getitem__(self, i: int | slice) -> "Alias | AliasColumns":
        if isinstance(i, slice):
            return self._view(self._positions[i])
        return self._alias(self._positions[i])

    def __iter__(self) -> Iterator[Alias]:
        return map(self._alias, self._positions)

    def values(self, field: str) -> list[Any]:
        """One field of every alias, in order, without building an ``Alias``."""
        entity_ids, owner, texts, values, codes, lines = self._columns
        if field in CODED_FIELDS:
            k = CODED_FIELDS.index(field)
            return list(map(values[k].__getitem__, map(codes[k].__getitem__, self._positions)))
        if field == "entity_id":
            return list(map(entity_ids.__getitem__, map(owner.__getitem__, self._positions)))
        column = {"text": texts, "line": lines}[field]
        return list(map(column.__getitem__, self._positions))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (tuple, list, AliasColumns)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"AliasColumns({len(self)} aliases)"


def alias_values(aliases: Sequence[Alias], field: str) -> list[Any]:
    """``[getattr(a, field) for a in aliases]``, read from the columns of an :class:`AliasColumns`."""
    if isinstance(aliases, AliasColumns):
        return aliases.values(field)
    return [getattr(a, field) for a in aliases]
