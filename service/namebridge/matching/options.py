"""The checks of a request, in one place: ``ResolveOptions.validated()``.

Every check raises ``InvalidArgument`` naming the field, in the order of the
fields (name, language, script, entity_types, max_candidates, min_score), so
a request with two bad fields always reports the same one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from namebridge.errors import InvalidArgument
from namebridge.settings import Settings


@dataclass(frozen=True, slots=True)
class ResolveOptions:
    """One resolve request as the caller gave it; ``validated`` gives the checked form."""

    name: object
    language: str | None = None
    script: str | None = None
    entity_types: Collection[str] = ()
    max_candidates: int | None = None
    min_score: float | None = None

    def validated(self, settings: Settings, *, languages: Mapping[str, str],
                  entity_types: Collection[str]) -> "ValidOptions":
        """The request checked against the settings and the lexicon's languages
        (language tag -> script) and entity types."""
        text = checked_name(self.name, settings)
        check_hints(self.language, self.script, languages)
        types = checked_types(self.entity_types, entity_types)
        limit = checked_max_candidates(self.max_candidates, settings)
        floor = settings.min_candidate_score if self.min_score is None else float(self.min_score)
        if not 0.0 <= floor <= 1.0:
            raise InvalidArgument("min_score", f"must be in [0, 1], got {self.min_score}")
        return ValidOptions(text, self.language, self.script, types, limit, floor)


@dataclass(frozen=True, slots=True)
class ValidOptions:
    """A checked request: the stripped name, the hints, the types asked for, how many
    candidates to return and the lowest score returned."""

    text: str
    language: str | None
    script: str | None
    entity_types: frozenset[str]
    limit: int
    floor: float


#: Unicode general categories of characters that show nothing: format (Cf: bidi marks,
#: ZWJ/ZWNJ, zero-width space, BOM, soft hyphen) and control (Cc)
_INVISIBLE = frozenset({"Cf", "Cc"})


def checked_name(name: object, settings: Settings) -> str:
    """The name stripped; ``InvalidArgument("name")`` if it is not usable."""
    if not isinstance(name, str):
        raise InvalidArgument("name", "must be a string")
    text = name.strip()
    if not text:
        raise InvalidArgument("name", "must not be empty or whitespace only")
    if all(c.isspace() or unicodedata.category(c) in _INVISIBLE for c in text):
        raise InvalidArgument("name", "must hold a visible character, not only invisible ones "
                                      "(bidi marks, joiners, zero-width spaces)")
    if len(text) > settings.max_name_length:
        raise InvalidArgument("name", f"is {len(text)} characters long; the limit is "
                                      f"{settings.max_name_length}")
    if "\x00" in text:
        raise InvalidArgument("name", "must not contain NUL characters")
    return text


def check_hints(language: str | None, script: str | None, languages: Mapping[str, str]) -> None:
    """A language hint must be a language of the lexicon, a script hint one of their scripts."""
    if language and language not in languages:
        raise InvalidArgument("language", f"unknown language tag {language!r}; known: "
                                          f"{', '.join(sorted(languages))}")
    known_scripts = set(languages.values())
    if script and script not in known_scripts:
        raise InvalidArgument("script", f"unknown script {script!r}; known: {', '.join(sorted(known_scripts))}")


def checked_types(asked: Collection[str], known: Collection[str]) -> frozenset[str]:
    """The entity types asked for (blank ones dropped); each must be a known type."""
    types = frozenset(t for t in asked if t)
    unknown = types - frozenset(known)
    if unknown:
        raise InvalidArgument("entity_types", f"unknown entity type(s) {', '.join(sorted(unknown))}; "
                                              f"known: {', '.join(sorted(known))}")
    return types


def checked_max_candidates(max_candidates: int | None, settings: Settings) -> int:
    """How many candidates to return: 0 or None means the default; at most the limit."""
    if max_candidates is None or max_candidates == 0:
        return settings.default_max_candidates
    if max_candidates < 0 or max_candidates > settings.max_candidates_limit:
        raise InvalidArgument("max_candidates", f"must be between 1 and "
                                                f"{settings.max_candidates_limit}, got {max_candidates}")
    return int(max_candidates)
