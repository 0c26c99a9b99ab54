"""ResolveOptions.validated: one place checks a request, fields in a fixed order."""

from __future__ import annotations

import pytest

from namebridge.errors import InvalidArgument
from namebridge.matching.options import ResolveOptions
from namebridge.settings import Settings

LANGUAGES = {"en": "Latin", "ru": "Cyrillic"}
TYPES = frozenset({"person", "country"})


def _validated(**fields: object):
    return ResolveOptions(**fields).validated(Settings(), languages=LANGUAGES, entity_types=TYPES)  # type: ignore[arg-type]


def test_a_good_request_is_normalised() -> None:
    options = _validated(name="  Astana ", entity_types=["person", ""], max_candidates=0)
    assert options.text == "Astana"
    assert options.entity_types == frozenset({"person"})
    assert options.limit == Settings().default_max_candidates
    assert options.floor == Settings().min_candidate_score


@pytest.mark.parametrize("fields, field", [
    ({"name": " ", "language": "xx", "min_score": 2.0}, "name"),
    ({"name": "a", "language": "xx", "script": "Klingon"}, "language"),
    ({"name": "a", "script": "Klingon", "entity_types": ["ship"]}, "script"),
    ({"name": "a", "entity_types": ["ship"], "max_candidates": -1}, "entity_types"),
    ({"name": "a", "max_candidates": 10_000, "min_score": 2.0}, "max_candidates"),
    ({"name": "a", "min_score": -0.1}, "min_score"),
    ({"name": 7}, "name"),
])
def test_the_first_bad_field_in_order_is_reported(fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        _validated(**fields)
    assert caught.value.field == field
