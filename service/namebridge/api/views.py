"""Resolution messages built to the view a caller asked for, and remembered.

A ``Resolution`` message costs what its view needs: BASIC carries the verdict
(decision, entity, canonical name, type, score, matched alias) and builds no
query analysis, explanation line, token matches or features; FULL carries
everything. The servicer asks ``ResolutionMessages.message`` for each name; a
repeated request returns the message built the first time.

The cache key is the request (name, options, view). For one loaded engine
that *is* the answer: the engine is read-only after load, so the same request
always gives the same ``Resolution``. Keying on the request rather than on the
``Resolution`` object skips even the engine's own cache lookup, and holds no
object whose identity could be reused. It holds at most
``MESSAGE_CACHE_SIZE`` messages (a FULL message is about 0.6 KB serialised, 1.8
KB at most on the bundled lexicon, so a few tens of MB at worst), and never
more than ``Settings.resolution_cache_size``, so turning the engine's answer
cache off (size 1) turns this one off too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from namebridge.api.convert import resolution_to_proto
from namebridge.errors import InvalidArgument
from namebridge.matching.results import Decision, Resolution
from namebridge.v1 import resolver_pb2 as pb

if TYPE_CHECKING:
    from namebridge.matching.engine import Engine

#: built messages kept at most (see the module docstring)
MESSAGE_CACHE_SIZE = 16384

BASIC = pb.RESOLUTION_VIEW_BASIC
FULL = pb.RESOLUTION_VIEW_FULL

#: the options of one resolve request, in ``Engine.resolve`` keyword order:
#: (language, script, entity_types, max_candidates, min_score)
Options = tuple[Any, ...]

_DECISION_TO_PB = {
    Decision.MATCH: pb.DECISION_MATCH,
    Decision.AMBIGUOUS: pb.DECISION_AMBIGUOUS,
    Decision.NO_MATCH: pb.DECISION_NO_MATCH,
}


def checked_view(view: int, *, default: int) -> int:
    """The view to build: ``default`` for UNSPECIFIED; ``InvalidArgument("view")``
    for a number the API does not define (proto3 enums arrive open)."""
    if view == pb.RESOLUTION_VIEW_UNSPECIFIED:
        return default
    if view not in (BASIC, FULL):
        raise InvalidArgument("view", f"unknown ResolutionView {view}; use RESOLUTION_VIEW_BASIC "
                                      "or RESOLUTION_VIEW_FULL")
    return view


def basic_resolution_to_proto(resolution: Resolution) -> pb.Resolution:
    """The BASIC view: the verdict and, per candidate, who and through which alias."""
    top = resolution.candidates[0] if resolution.candidates else None
    return pb.Resolution(
        decision=_DECISION_TO_PB.get(resolution.decision, pb.DECISION_UNSPECIFIED),
        entity_id=top.entity_id if top is not None and resolution.decision is Decision.MATCH else "",
        score=resolution.score,
        candidates=[pb.Candidate(entity_id=c.entity_id, canonical_name=c.canonical_name,
                                 entity_type=c.entity_type, score=c.score, matched_alias=c.matched_alias)
                    for c in resolution.candidates],
        lexicon_version=resolution.lexicon_version,
    )


_BUILDERS = {BASIC: basic_resolution_to_proto, FULL: resolution_to_proto}


class ResolutionMessages:
    """``Engine.resolve`` as messages of a view, remembered per request (thread-safe)."""

    def __init__(self, engine: "Engine", *, cache_size: int) -> None:
        self.engine = engine
        self.message = lru_cache(maxsize=min(cache_size, MESSAGE_CACHE_SIZE))(self._message_uncached)

    def _message_uncached(self, name: str, options: Options, view: int) -> pb.Resolution:
        language, script, entity_types, max_candidates, min_score = options
        resolution = self.engine.resolve(name, language=language, script=script, entity_types=entity_types,
                                         max_candidates=max_candidates, min_score=min_score)
        return _BUILDERS[view](resolution)
