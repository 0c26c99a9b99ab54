"""What a resolution returns: slotted, frozen, cheap to build on the hot path.

Transports (gRPC, CLI JSON, batch columns) turn these into their own shapes only
for the candidates they return.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Decision(str, enum.Enum):
    """The verdict on a query."""

    MATCH = "MATCH"          #: one entity, with enough score and margin
    AMBIGUOUS = "AMBIGUOUS"  #: plausible candidates, none decisive
    NO_MATCH = "NO_MATCH"    #: nothing in the lexicon fits
    INVALID = "INVALID"      #: the input was unusable (batch rows only)


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """One query token aligned with one alias token."""

    query_token: str
    alias_token: str
    key: str            #: which comparison aligned them: exact, cross, skeleton, fuzzy, initial (+stem, +father)
    similarity: float   #: in [0, 1]
    weight: float       #: how informative the alias token is, in [0, 1]

    def describe(self) -> str:
        return (f"{self.query_token}~{self.alias_token} "
                f"[{self.key} {self.similarity:.2f} w{self.weight:.2f}]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entity proposed for a query, with the alias that carried it."""

    entity_id: str
    canonical_name: str
    entity_type: str
    score: float                                  #: in [0, 1]
    matched_alias: str
    alias_language: str
    alias_kind: str
    alias_source: str
    token_matches: tuple[TokenMatch, ...]
    features: tuple[tuple[str, float], ...]       #: (feature name, value) that made the score

    def explanation(self) -> str:
        """One line a human can read: aligned tokens, then features."""
        tokens = "; ".join(m.describe() for m in self.token_matches) or "no aligned tokens"
        feats = ", ".join(f"{name}={value:.2f}" for name, value in self.features)
        return (f"alias '{self.matched_alias}' ({self.alias_language}, {self.alias_kind}, "
                f"{self.alias_source}): {tokens} | {feats}")

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "canonical_name": self.canonical_name,
            "entity_type": self.entity_type,
            "score": round(self.score, 4),
            "matched_alias": self.matched_alias,
            "alias_language": self.alias_language,
            "alias_kind": self.alias_kind,
            "alias_source": self.alias_source,
            "explanation": self.explanation(),
        }


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """How the query was read before any lookup."""

    original: str
    normalized: str
    romanized: str
    tokens: tuple[str, ...]
    script: str      #: dominant script: Latin, Cyrillic, Arabic, Mixed, Unknown
    language: str    #: BCP 47 code or "und"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer to one query."""

    query: QueryAnalysis
    decision: Decision
    candidates: tuple[Candidate, ...]
    lexicon_version: str = ""
    #: the calibrated probability that the top candidate is the entity meant (0 without
    #: one); each candidate's own ``score`` is its raw match score, which ranks them
    score: float = 0.0

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def entity_id(self) -> str | None:
        """The resolved entity: only on MATCH."""
        return self.candidates[0].entity_id if self.decision is Decision.MATCH else None

    def to_dict(self) -> dict[str, object]:
        """The JSON shape documented in the README (``--json``)."""
        top = self.candidates[0] if self.decision is Decision.MATCH else None
        return {
            "query": self.query.original,
            "normalized": self.query.normalized,
            "romanized": self.query.romanized,
            "script": self.query.script,
            "language": self.query.language,
            "decision": self.decision.value,
            "entity_id": top.entity_id if top else None,
            "canonical_name": top.canonical_name if top else None,
            "entity_type": top.entity_type if top else None,
            "score": round(self.score, 4),
            "candidates": [c.to_dict() for c in self.candidates],
            "lexicon_version": self.lexicon_version,
        }


@dataclass(frozen=True, slots=True)
class Transliteration:
    """A text romanized for display, token by token."""

    original: str
    normalized: str
    romanized: str
    tokens: tuple[tuple[str, str, str, str], ...]  #: (token, romanized, script, language)
    script: str
    language: str
    scheme: str  #: the romanization standard used for the dominant language


@dataclass(frozen=True, slots=True)
class LexiconInfo:
    """What is loaded: ``Engine.info()``, ``namebridge info`` and ``GetLexiconInfo``."""

    version: str
    entity_count: int
    alias_count: int
    counts_by_type: dict[str, int]
    counts_by_language: dict[str, int]
    loaded_at: datetime
    lexicon_dir: str
    settings: dict[str, str]
