"""One batch row's result columns, from a resolution or a reason; shared by the
in-process runner and the server resolver (``remote.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from namebridge.errors import NamebridgeError
from namebridge.matching.results import Decision, Resolution

Key = tuple[str | None, str | None]
#: one resolved pair: entity_id, canonical_name, entity_type, score, decision,
#: matched_alias, reason, candidates [(entity_id, score, matched_alias)] or None
Row = tuple[str | None, str | None, str | None, float | None, str, str | None, str | None,
            list[tuple[str, float, str]] | None]


#: the reason given to a row whose name is missing
NULL_NAME = "name is null (missing or empty field)"


def invalid_row(reason: str) -> Row:
    return (None, None, None, None, Decision.INVALID.value, None, reason, None)


def row_from_resolution(res: Resolution, top_k: int | None) -> Row:
    """The columns batch writes for one resolution (scores rounded as in ``to_dict``)."""
    top = res.candidates[0] if res.decision is Decision.MATCH and res.candidates else None
    cands = None
    if top_k:
        cands = [(c.entity_id, round(c.score, 4), c.matched_alias) for c in res.candidates[:top_k]]
    return (
        top.entity_id if top else None,
        top.canonical_name if top else None,
        top.entity_type if top else None,
        round(res.score, 4),
        res.decision.value,
        top.matched_alias if top else None,
        None,
        cands,
    )


def candidates_asked(top_k: int | None) -> int:
    """Candidates to ask for: a row shows the best one, and the top k on request
    (explaining runners-up nobody reads costs a tenth of a resolution)."""
    return top_k or 1


def resolve_key(engine: Any, name: str | None, language: str | None, top_k: int | None) -> Row:
    """Resolve one pair; an unusable name becomes an INVALID row, never an exception."""
    if name is None:
        return invalid_row(NULL_NAME)
    try:
        res = engine.resolve(name, language=language, max_candidates=candidates_asked(top_k))
    except NamebridgeError as exc:
        return invalid_row(str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad name must not lose a million rows
        return invalid_row(f"engine error: {type(exc).__name__}: {exc}")
    return row_from_resolution(res, top_k)


class Resolver(Protocol):
    """Resolves lists of distinct pairs, answers in the same order.

    ``submit`` starts the work and returns a function that waits for the
    answers, so the next chunk can be read while workers resolve this one.
    """

    def submit(self, keys: Sequence[Key]) -> Callable[[], list[Row]]: ...

    def close(self) -> None: ...
