"""The lexicon's records: one per entity, each with its aliases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Alias:
    """One surface form of an entity."""

    entity_id: str
    text: str
    language: str   #: BCP 47 tag from lexicons/languages.tsv
    kind: str       #: from lexicons/alias_kinds.tsv
    source: str     #: a seed file name, "curated" or the https:// address of a public page
    tier: str       #: "strong" (can carry a match) or "weak" (only supports one)
    path: str = ""  #: file and line it was read from, for error messages
    line: int = 0


@dataclass(frozen=True, slots=True)
class Entity:
    """A thing names refer to: a person, a country, an agreement..."""

    id: str
    type: str
    canonical_name: str
    external_ids: tuple[tuple[str, str], ...]
    aliases: tuple[Alias, ...]
    #: a person's gender (``female``/``male``), "" when not known or not a person: a title
    #: of the other gender names someone else (Mrs Trump is not Donald Trump)
    gender: str = ""
