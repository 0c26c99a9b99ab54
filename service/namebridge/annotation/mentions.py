"""What annotation returns: one frozen record per mention."""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: alias kind -> mention kind (tests/eval/seed_mentions.tsv uses the same labels)
KIND_OF_ALIAS = {"name": "name", "short": "name", "variant": "name", "translation": "name",
                 "surname": "partial", "given_name": "partial", "abbreviation": "acronym",
                 "epithet": "epithet", "metonym": "metonym"}
INFLECTED = "inflected"


def mention_kind(alias_kind: str, inflected: bool) -> str:
    """``name``, ``partial``, ``acronym``, ``epithet`` or ``metonym``; an inflected name is
    ``inflected``, any other inflected kind ``<kind>+inflected``."""
    kind = KIND_OF_ALIAS.get(alias_kind, "name")
    if not inflected:
        return kind
    return INFLECTED if kind == "name" else f"{kind}+{INFLECTED}"


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a lexicon entity: ``text[start:end]`` of the text as given."""

    start: int            #: Unicode code point offset, inclusive
    end: int              #: exclusive
    text: str             #: the mention as written
    entity_id: str
    canonical_name: str
    entity_type: str
    score: float          #: the resolver's score of the span for this entity, in [0, 1]
    language: str         #: of the mention (detected, or the caller's hint)
    script: str
    kind: str             #: see ``mention_kind``
    matched_alias: str    #: the lexicon form that carried it

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["score"] = round(self.score, 4)
        return out
