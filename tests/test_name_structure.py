"""Name structure as data (lexicons/tokens/): titles are dropped, patronymics and lineage
optional, generational markers and place qualifiers make another entity, descriptors optional.

Most cases are generated from the token files themselves, so every line a maintainer adds
is exercised: each title in front of a person's name, each generational marker after it,
each patronymic ending on a father's name, each lineage marker in a chain, each qualifier
after a city's name, each state form in front of a country's name. The hand-made vectors
(tests/vectors/name_structure.tsv) add the forms of each language issue 12 lists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import read_vectors
from namebridge.errors import DataFileError
from namebridge.matching.results import Decision
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.text.keys import KeyTable
from namebridge.text.scripts import detect_script
from namebridge.text.wordlists import WordLists
from namebridge.tsv import read_table_strict

TOKENS = BUNDLED_LEXICON_DIR / "tokens"
TOKAYEV = "person:kassym-jomart-tokayev"
MBS = "person:mohammed-bin-salman"
ASTANA = "city:astana"
KAZAKHSTAN = "country:kz"

#: (given name, father's name, surname) of Tokayev in each script, as the lexicon writes them
TOKAYEV_PARTS = {"Latin": ("Kassym-Jomart", "Kemel", "Tokayev"),
                 "Cyrillic": ("Касым-Жомарт", "Кемел", "Токаев"),
                 "Arabic": ("قاسم جومارت", "كيميل", "توكاييف")}
#: Mohammed bin Salman's given name, his father's and grandfather's, in each script
MBS_PARTS = {"Latin": ("Mohammed", "Salman", "Abdulaziz"),
             "Cyrillic": ("Мухаммед", "Сальман", "Абдулазиз"),
             "Arabic": ("محمد", "سلمان", "عبدالعزيز")}
#: a city and a country of the lexicon in each script
ASTANA_NAMES = {"Latin": "Astana", "Cyrillic": "Астана", "Arabic": "أستانا"}
KAZAKHSTAN_NAMES = {"Latin": "Kazakhstan", "Cyrillic": "Казахстан", "Arabic": "كازاخستان"}


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = [{c: r[c] for c in columns} for r in read_table_strict(TOKENS / name, columns)]
    assert rows, f"no rows in {name}"
    return rows


def _script(text: str) -> str:
    script = detect_script(text)
    return script if script in TOKAYEV_PARTS else "Latin"


def _top(engine, query: str) -> tuple[Decision, str | None]:
    r = engine.resolve(query)
    return r.decision, (r.candidates[0].entity_id if r.candidates else None)


TITLES = _rows("titles.tsv", ("token", "lang", "gender", "note"))
GENERATIONAL = _rows("generational_markers.tsv", ("token", "lang", "note"))
ENDINGS = _rows("patronymic_endings.tsv", ("ending", "lang", "note"))
LINEAGE = _rows("lineage_markers.tsv", ("token", "lang", "position", "weight", "note"))
QUALIFIERS = _rows("place_qualifiers.tsv", ("token", "lang", "names", "note"))
DESCRIPTORS = _rows("org_descriptors.tsv", ("token", "lang", "kind", "note"))


def test_the_sample_names_are_lexicon_aliases(engine) -> None:
    """The names the generated cases build on resolve on their own (else the cases prove nothing)."""
    for given, _father, surname in TOKAYEV_PARTS.values():
        assert _top(engine, f"{given} {surname}") == (Decision.MATCH, TOKAYEV)
    for name in ASTANA_NAMES.values():
        assert _top(engine, name) == (Decision.MATCH, ASTANA)
    for name in KAZAKHSTAN_NAMES.values():
        assert _top(engine, name) == (Decision.MATCH, KAZAKHSTAN)


@pytest.mark.parametrize("row", TITLES, ids=[f"{r['token']}-{r['lang']}" for r in TITLES])
def test_a_title_is_dropped(engine, row: dict[str, str]) -> None:
    given, _father, surname = TOKAYEV_PARTS[_script(row["token"])]
    if row["gender"] == "female":
        # a title only women take names someone else than Kassym-Jomart Tokayev
        assert _top(engine, f"{row['token']} {given} {surname}")[0] is not Decision.MATCH
    else:
        assert _top(engine, f"{row['token']} {given} {surname}") == (Decision.MATCH, TOKAYEV)
    # ... and is no evidence on its own
    assert engine.resolve(row["token"]).decision is not Decision.MATCH


@pytest.mark.parametrize("row", GENERATIONAL, ids=[f"{r['token']}-{r['lang']}" for r in GENERATIONAL])
def test_a_generational_marker_names_another_person(engine, row: dict[str, str]) -> None:
    given, _father, surname = TOKAYEV_PARTS[_script(row["token"])]
    decision, top = _top(engine, f"{given} {surname} {row['token']}")
    assert not (decision is Decision.MATCH and top == TOKAYEV)


@pytest.mark.parametrize("row", ENDINGS, ids=[f"{r['ending']}-{r['lang']}" for r in ENDINGS])
def test_a_patronymic_is_optional(engine, row: dict[str, str]) -> None:
    given, father, surname = TOKAYEV_PARTS[_script(row["ending"])]
    assert _top(engine, f"{given} {father}{row['ending']} {surname}") == (Decision.MATCH, TOKAYEV)


FATHER_PREVIOUS = [r for r in LINEAGE if r["position"] == "father_previous"]
FATHER_NEXT = [r for r in LINEAGE if r["position"] == "father_next"]
FAMILY_NEXT = [r for r in LINEAGE if r["position"] == "family_next"]


@pytest.mark.parametrize("row", FATHER_PREVIOUS, ids=[f"{r['token']}-{r['lang']}" for r in FATHER_PREVIOUS])
def test_a_patronymic_written_apart_is_optional(engine, row: dict[str, str]) -> None:
    given, father, surname = TOKAYEV_PARTS[_script(row["token"])]
    assert _top(engine, f"{given} {father} {row['token']} {surname}") == (Decision.MATCH, TOKAYEV)


@pytest.mark.parametrize("row", FATHER_NEXT, ids=[f"{r['token']}-{r['lang']}" for r in FATHER_NEXT])
def test_a_lineage_chain_is_optional_beyond_the_name(engine, row: dict[str, str]) -> None:
    """Mohammed bin Salman bin Abdulaziz is Mohammed bin Salman (any "son of" spelling);
    Salman bin Abdulaziz, his father, is not."""
    marker = row["token"]
    given, father, grandfather = MBS_PARTS[_script(marker)]
    assert _top(engine, f"{given} {marker} {father} {marker} {grandfather}") == (Decision.MATCH, MBS)
    decision, top = _top(engine, f"{father} {marker} {grandfather}")
    assert not (decision is Decision.MATCH and top == MBS)


@pytest.mark.parametrize("row", FAMILY_NEXT, ids=[f"{r['token']}-{r['lang']}" for r in FAMILY_NEXT])
def test_a_family_name_is_optional(engine, row: dict[str, str]) -> None:
    script = _script(row["token"])
    given, father, _grandfather = MBS_PARTS[script]
    son_of = {"Latin": "bin", "Cyrillic": "бин", "Arabic": "بن"}[script]
    family = {"Latin": "Saud", "Cyrillic": "Сауд", "Arabic": "سعود"}[script]
    assert _top(engine, f"{given} {son_of} {father} {row['token']} {family}") == (Decision.MATCH, MBS)


@pytest.mark.parametrize("row", QUALIFIERS, ids=[f"{r['token']}-{r['lang']}" for r in QUALIFIERS])
def test_a_place_qualifier_names_another_place(engine, row: dict[str, str]) -> None:
    """Astana Region is not the city; "Astana city" is, for a qualifier that names cities."""
    query = f"{ASTANA_NAMES[_script(row['token'])]} {row['token']}"
    decision, top = _top(engine, query)
    if row["names"] == "city":
        assert (decision, top) == (Decision.MATCH, ASTANA)
    else:
        assert not (decision is Decision.MATCH and top == ASTANA)


STATE_FORMS = [r for r in DESCRIPTORS if r["kind"] == "state"]
ORG_FORMS = [r for r in DESCRIPTORS if r["kind"] == "org"]
AGREEMENT_FORMS = [r for r in DESCRIPTORS if r["kind"] == "agreement"]
#: the Abraham Accords in a script's main language, for a descriptor of an agreement
ACCORDS_NAMES = {"Latin": "Abraham Accords", "Cyrillic": "Авраамовы соглашения", "Arabic": "اتفاقات أبراهام"}


@pytest.mark.parametrize("row", STATE_FORMS, ids=[f"{r['token']}-{r['lang']}" for r in STATE_FORMS])
def test_the_form_of_a_state_is_optional(engine, row: dict[str, str]) -> None:
    query = f"{row['token']} {KAZAKHSTAN_NAMES[_script(row['token'])]}"
    assert _top(engine, query) == (Decision.MATCH, KAZAKHSTAN)


@pytest.mark.parametrize("row", ORG_FORMS, ids=[f"{r['token']}-{r['lang']}" for r in ORG_FORMS])
def test_an_organisation_descriptor_is_optional_for_an_organisation_only(engine, row: dict[str, str]) -> None:
    if _script(row["token"]) == "Latin":
        assert _top(engine, f"Kazinform {row['token']}") == (Decision.MATCH, "org:kazinform")
    given, _father, surname = TOKAYEV_PARTS[_script(row["token"])]
    decision, top = _top(engine, f"{given} {surname} {row['token']}")
    assert not (decision is Decision.MATCH and top == TOKAYEV)


@pytest.mark.parametrize("row", AGREEMENT_FORMS, ids=[f"{r['token']}-{r['lang']}" for r in AGREEMENT_FORMS])
def test_an_agreements_descriptor_is_optional_for_an_agreement_only(engine, row: dict[str, str]) -> None:
    script = _script(row["token"])
    assert _top(engine, f"{ACCORDS_NAMES[script]} {row['token']}") == (Decision.MATCH, "agreement:abraham-accords")
    given, _father, surname = TOKAYEV_PARTS[script]
    decision, top = _top(engine, f"{given} {surname} {row['token']}")
    assert not (decision is Decision.MATCH and top == TOKAYEV)


VECTORS = read_vectors("name_structure.tsv", ("query", "expected", "note"))


@pytest.mark.parametrize(("query", "expected", "note"), VECTORS, ids=[r[0] for r in VECTORS])
def test_name_structure_vectors(engine, query: str, expected: str, note: str) -> None:
    decision, top = _top(engine, query)
    if expected == "NIL":
        assert decision is not Decision.MATCH, f"{note}: {query!r} matched {top}"
    else:
        assert (decision, top) == (Decision.MATCH, expected), note


# --- the files are validated like every other table ------------------------------


def _copy_tokens(tmp_path: Path) -> Path:
    target = tmp_path / "tokens"
    target.mkdir()
    for path in TOKENS.glob("*.tsv"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.mark.parametrize(("name", "line", "message"), [
    ("titles.tsv", "president\tEnglish\t-\thead of state\n", "lang must be"),
    ("titles.tsv", "madam\ten\tf\tform of address\n", "gender must be"),
    ("letter_names.tsv", "ыы\tA\tru\tcapital\n", "letter must be"),
    ("generational_markers.tsv", "jr\ten\tagain\n", "duplicate token"),
    ("place_qualifiers.tsv", "city\tfr\ttown\tdifferent type\n", "names another type"),
    ("lineage_markers.tsv", "wuld\tar-Latn\tnext\t0.1\tbad position\n", "position must be"),
    ("org_descriptors.tsv", "sarl\tfr\tCompany\twrong kind\n", "kind must be"),
    ("org_descriptors.tsv", "group\tde\tagreement\tanother type\n", "describes another type"),
    ("titles.tsv", "bin\tar-Latn\t-\talso a marker\n", "also a particle or lineage marker"),
])
def test_a_bad_line_is_reported_with_its_file(tmp_path: Path, name: str, line: str, message: str) -> None:
    directory = _copy_tokens(tmp_path)
    with (directory / name).open("a", encoding="utf-8") as f:
        f.write(line)
    with pytest.raises(DataFileError) as caught:
        WordLists.load(directory, KeyTable.load(BUNDLED_LEXICON_DIR / "keys" / "classes.tsv"))
    assert f"tokens/{name}:" in str(caught.value) and message in str(caught.value)


def test_full_given_names_meet_initials_beside_a_full_name_in_another_script(tmp_path: Path) -> None:
    """James David Vance meets the alias J. D. Vance even when another alias holds two of its
    names (Джеймс Дэвид Вэнс, as a curated list may add): the alias writing initials stays a
    candidate."""
    import shutil

    from namebridge.matching.engine import Engine

    copy = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_LEXICON_DIR, copy)
    with (copy / "aliases" / "person.tsv").open("a", encoding="utf-8") as f:
        f.write("person:jd-vance\tДжеймс Дэвид Вэнс\tru\tname\ttest: full name in Cyrillic\n")
    engine = Engine.load(copy)
    assert _top(engine, "James David Vance") == (Decision.MATCH, "person:jd-vance")
