"""The lexicon loader and validator: each rule names the file and line it breaks.

Every test builds a real lexicon directory in ``tmp_path`` (the reference
tables copied from the bundled ``lexicons/``, entity and alias files written
line by line) and runs from ``tmp_path`` so problems read ``lexicons/...:N``.
In the files written here the header is line 1, so the n-th row is line n + 1.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from namebridge.cli import app
from namebridge.errors import DataFileError
from namebridge.lexicon.loader import REFERENCE_FILES, Lexicon, check_lexicon, is_address, load_lexicon
from namebridge.lexicon.bundle import INHERIT_COLUMNS, TABLE_FOLDERS, load_bundle
from namebridge.lexicon.loader import INHERIT_FILE
from namebridge.settings import BUNDLED_LEXICON_DIR

ENTITY_HEADER = ("id", "canonical_name", "external_ids")
PERSON_HEADER = (*ENTITY_HEADER, "gender")
ALIAS_HEADER = ("entity_id", "text", "lang", "kind", "source")
SEED = "000_article.txt"

PEOPLE = [
    ("person:douglas-adams", "Douglas Adams", "wikidata:Q42"),
    ("person:john-adams", "John Adams", "-"),
]
COUNTRIES = [
    ("country:kz", "Kazakhstan", "iso3166-1:KZ iso3166-1-a3:KAZ wikidata:Q232"),
]
PEOPLE_ALIASES = [
    ("person:douglas-adams", "Дуглас Адамс", "ru", "name", "curated"),
    ("person:john-adams", "Джон Адамс", "ru", "name", "curated"),
]
COUNTRY_ALIASES = [
    ("country:kz", "Казахстан", "ru", "name", SEED),
    ("country:kz", "Kazakistan", "tr", "name", "curated"),
]


def write_table(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\t".join(r) + "\n" for r in [header, *rows]), encoding="utf-8")


@pytest.fixture
def make_lexicon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Build ``tmp_path/lexicons`` (and ``tmp_path/seeds``); returns the lexicon directory."""
    monkeypatch.chdir(tmp_path)

    def make(entities: dict[str, list[tuple[str, ...]]] | None = None,
             aliases: dict[str, list[tuple[str, ...]]] | None = None,
             *, seeds: bool = True) -> Path:
        root = tmp_path / "lexicons"
        root.mkdir()
        (root / "entities").mkdir()
        (root / "aliases").mkdir()
        for name in REFERENCE_FILES:
            shutil.copyfile(BUNDLED_LEXICON_DIR / name, root / name)
        if seeds:
            (tmp_path / "seeds").mkdir()
            (tmp_path / "seeds" / SEED).write_text("Kazakhstan, Казахстан\n", encoding="utf-8")
        entities = {"person": PEOPLE, "country": COUNTRIES} if entities is None else entities
        aliases = {"person": PEOPLE_ALIASES, "country": COUNTRY_ALIASES} if aliases is None else aliases
        for entity_type, rows in entities.items():
            if entity_type == "person":   # a person's table adds the gender ('-': not known)
                write_table(root / "entities" / f"{entity_type}.tsv", PERSON_HEADER,
                            [row if len(row) == len(PERSON_HEADER) else (*row, "-") for row in rows])
            else:
                write_table(root / "entities" / f"{entity_type}.tsv", ENTITY_HEADER, rows)
        for entity_type, rows in aliases.items():
            write_table(root / "aliases" / f"{entity_type}.tsv", ALIAS_HEADER, rows)
        write_table(root / INHERIT_FILE, INHERIT_COLUMNS, [(f, "the bundled tables") for f in TABLE_FOLDERS])
        return root

    return make


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load_lexicon(directory)
    return [str(p) for p in caught.value.problems]


# --- a valid lexicon -------------------------------------------------------


def test_valid_lexicon_has_entities_aliases_and_reference_tables(make_lexicon) -> None:
    lex = load_lexicon(make_lexicon())
    assert isinstance(lex, Lexicon)
    assert gc.isenabled(), "the loader pauses the cyclic GC and must turn it back on"
    # entity files in name order, rows in file order
    assert list(lex.entities) == ["country:kz", "person:douglas-adams", "person:john-adams"]
    kz = lex.entities["country:kz"]
    assert kz.type == "country" and kz.canonical_name == "Kazakhstan"
    assert kz.external_ids == (("iso3166-1", "KZ"), ("iso3166-1-a3", "KAZ"), ("wikidata", "Q232"))
    assert lex.entities["person:john-adams"].external_ids == ()
    # the canonical name is an implicit alias, placed at its entity row
    implicit = kz.aliases[0]
    assert (implicit.text, implicit.language, implicit.kind, implicit.source, implicit.tier) == \
        ("Kazakhstan", "en", "name", "curated", "strong")
    assert (implicit.path, implicit.line) == ("lexicons/entities/country.tsv", 2)
    assert [(a.text, a.language, a.source, a.line) for a in kz.aliases[1:]] == \
        [("Казахстан", "ru", SEED, 2), ("Kazakistan", "tr", "curated", 3)]
    assert lex.aliases == tuple(a for e in lex.entities.values() for a in e.aliases)
    assert len(lex.aliases) == 3 + 4
    assert lex.entity_types >= {"person", "country", "city", "org", "agreement"}
    assert lex.languages["kk"] == "Cyrillic" and lex.languages["kk-Latn"] == "Latin"
    assert lex.alias_kinds["name"] == "strong" and lex.alias_kinds["epithet"] == "weak"
    assert lex.seed_files == frozenset({SEED})
    assert lex.warnings == ()
    assert len(lex.version) == 16 and int(lex.version, 16) >= 0


def test_explicit_row_with_the_canonical_name_replaces_the_implicit_alias(make_lexicon) -> None:
    # same text after NFC in English: the row (kind variant) stands, no second alias
    decomposed = unicodedata.normalize("NFD", "Kazakhstan")
    lex = load_lexicon(make_lexicon(aliases={"country": [("country:kz", decomposed, "en", "variant", "curated")]}))
    kz = lex.entities["country:kz"].aliases
    assert [(a.kind, a.line, a.path) for a in kz] == [("variant", 2, "lexicons/aliases/country.tsv")]


def test_version_hashes_relative_paths_and_bytes(make_lexicon, tmp_path: Path) -> None:
    root = make_lexicon()
    first = load_lexicon(root).version
    copy = shutil.copytree(root, tmp_path / "copy" / "lexicons")
    assert load_lexicon(copy).version == first            # same files elsewhere: same version
    (root / "README.md").write_text("not read by the loader\n", encoding="utf-8")
    assert load_lexicon(root).version == first
    with (root / "aliases" / "person.tsv").open("a", encoding="utf-8") as f:
        f.write("person:john-adams\tДжон Адамс\tuk\tname\tcurated\n")
    assert load_lexicon(root).version != first


def test_source_is_not_checked_without_a_seeds_folder(make_lexicon) -> None:
    lex = load_lexicon(make_lexicon(seeds=False))
    assert lex.seed_files == frozenset()
    assert lex.entities["country:kz"].aliases[1].source == SEED


# --- layout ----------------------------------------------------------------


def test_unknown_files_and_folders_are_errors(make_lexicon) -> None:
    root = make_lexicon()
    (root / "notes.txt").write_text("x\n", encoding="utf-8")
    (root / "extra").mkdir()
    (root / ".gitkeep").write_text("", encoding="utf-8")   # hidden: ignored
    (root / "translit").mkdir()                             # another module's folder: ignored
    (root / "translit" / "anything.txt").write_text("x\n", encoding="utf-8")
    write_table(root / "entities" / "planet.tsv", ENTITY_HEADER, [("planet:mars", "Mars", "-")])
    (root / "aliases" / "person.csv").write_text("x\n", encoding="utf-8")
    assert problems_of(root) == [
        "lexicons/extra:0: unknown folder in the lexicon directory",
        "lexicons/notes.txt:0: unknown file in the lexicon directory",
        "lexicons/entities/planet.tsv:0: unknown file in entities/: 'planet' is not a type in entity_types.tsv",
        "lexicons/aliases/person.csv:0: unknown file in aliases/: only <type>.tsv files belong here",
    ]


def test_aliases_file_without_its_entities_file(make_lexicon) -> None:
    root = make_lexicon(aliases={"city": [("city:almaty", "Алматы", "ru", "name", "curated")]})
    assert problems_of(root) == [
        "lexicons/aliases/city.tsv:0: aliases file without its entities file entities/city.tsv",
    ]


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert problems_of(tmp_path / "nowhere") == ["nowhere:0: lexicon directory not found"]


# --- entities --------------------------------------------------------------


def test_bad_entity_id_format(make_lexicon) -> None:
    # the alias naming the malformed ID gets no second, derived problem
    root = make_lexicon(
        entities={"person": [*PEOPLE, ("person:Jane_Doe", "Jane Doe", "-"), ("janedoe", "Jane Doe", "-")]},
        aliases={"person": [("person:Jane_Doe", "Джейн", "ru", "given_name", "curated")]})
    message = "must be '<type>:<slug>' with slug [a-z0-9]+(-[a-z0-9]+)*"
    assert problems_of(root) == [
        f"lexicons/entities/person.tsv:4: bad entity ID 'person:Jane_Doe': {message}",
        f"lexicons/entities/person.tsv:5: bad entity ID 'janedoe': {message}",
    ]


def test_a_persons_gender_is_female_male_or_not_known(make_lexicon) -> None:
    root = make_lexicon(entities={"person": [*PEOPLE, ("person:jane-doe", "Jane Doe", "-", "f")]}, aliases={})
    assert problems_of(root) == [
        "lexicons/entities/person.tsv:4: gender must be one of female, male or '-' (not known), found 'f'"]
    people = load_lexicon(BUNDLED_LEXICON_DIR).entities
    assert people["person:reema-bint-bandar-al-saud"].gender == "female"
    assert people["person:donald-trump"].gender == "male"
    assert people["country:kz"].gender == ""


def test_entity_id_type_must_be_the_files(make_lexicon) -> None:
    root = make_lexicon(entities={"person": [*PEOPLE, ("city:almaty", "Almaty", "-")]}, aliases={})
    assert problems_of(root) == [
        "lexicons/entities/person.tsv:4: entity ID 'city:almaty' has type 'city' but is in entities/person.tsv",
    ]


def test_country_slug_is_the_alpha2_code(make_lexicon) -> None:
    root = make_lexicon(entities={"country": [
        ("country:kz", "Kazakhstan", "iso3166-1:KZ"),
        ("country:kaz", "Kazakhstan again", "-"),
        ("country:kg", "Kyrgyzstan", "iso3166-1:KZ"),
    ]}, aliases={})
    assert problems_of(root) == [
        "lexicons/entities/country.tsv:3: country slug 'kaz' must be the ISO 3166-1 alpha-2 code "
        "in lower case (country:kz)",
        "lexicons/entities/country.tsv:4: country slug 'kg' does not match its iso3166-1 code 'KZ'",
    ]


def test_duplicate_entity_id_in_the_same_and_in_another_file(make_lexicon) -> None:
    root = make_lexicon(entities={
        "person": [*PEOPLE, ("person:douglas-adams", "Douglas Noel Adams", "-")],
        "city": [("person:john-adams", "John Adams", "-")],
    }, aliases={})
    # entity files are read in name order: city.tsv before person.tsv
    assert problems_of(root) == [
        "lexicons/entities/city.tsv:2: entity ID 'person:john-adams' has type 'person' but is in entities/city.tsv",
        "lexicons/entities/person.tsv:3: duplicate entity ID 'person:john-adams' "
        "(first at lexicons/entities/city.tsv:2)",
        "lexicons/entities/person.tsv:4: duplicate entity ID 'person:douglas-adams' "
        "(first at lexicons/entities/person.tsv:2)",
    ]


@pytest.mark.parametrize(("external_ids", "message"), [
    ("Q42", "bad external ID 'Q42': expected scheme:value, pairs separated by one space, or '-'"),
    ("wikidata:Q42  iso3166-1-a3:KAZ", "bad external ID '': expected scheme:value, pairs separated by one space, or '-'"),
    ("isni:0000000121", "unknown external ID scheme 'isni' (known: iso3166-1, iso3166-1-a3, wikidata, geonames, un-m49)"),
    ("wikidata:42", "bad wikidata value '42': expected a Wikidata QID such as Q232"),
    ("iso3166-1:kz", "bad iso3166-1 value 'kz': expected two capital letters (ISO 3166-1 alpha-2)"),
    ("iso3166-1-a3:KZ", "bad iso3166-1-a3 value 'KZ': expected three capital letters (ISO 3166-1 alpha-3)"),
    ("wikidata:Q42 wikidata:Q43", "external ID scheme 'wikidata' given twice"),
])
def test_bad_external_ids(make_lexicon, external_ids: str, message: str) -> None:
    root = make_lexicon(entities={"country": [("country:kz", "Kazakhstan", external_ids)]}, aliases={})
    assert problems_of(root) == [f"lexicons/entities/country.tsv:2: {message}"]


def test_country_codes_only_on_countries(make_lexicon) -> None:
    root = make_lexicon(entities={"city": [("city:almaty", "Almaty", "iso3166-1:KZ")]}, aliases={})
    assert problems_of(root) == [
        "lexicons/entities/city.tsv:2: external ID scheme 'iso3166-1' is for countries only",
    ]


def test_canonical_name_may_not_start_with_the_comment_marker(make_lexicon) -> None:
    root = make_lexicon(entities={"person": [("person:x", "#x", "-")]}, aliases={})
    assert problems_of(root) == [
        "lexicons/entities/person.tsv:2: canonical_name may not start with '#' (the comment marker)",
    ]


# --- aliases ---------------------------------------------------------------


def test_alias_of_an_unknown_entity(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [*PEOPLE_ALIASES, ("person:jane-doe", "Jane", "en", "given_name", "curated")]})
    assert problems_of(root) == [
        "lexicons/aliases/person.tsv:4: unknown entity 'person:jane-doe' (not in entities/person.tsv)",
    ]


def test_alias_of_an_entity_of_another_type(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [("country:kz", "Qazaqstan", "kk-Latn", "name", "curated")]})
    assert problems_of(root) == [
        "lexicons/aliases/person.tsv:2: entity 'country:kz' is a country: its aliases belong in aliases/country.tsv",
    ]


def test_alias_text_may_not_start_with_the_comment_marker(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [("person:douglas-adams", "#DouglasAdams", "en", "variant", "curated")]})
    assert problems_of(root) == [
        "lexicons/aliases/person.tsv:2: alias text may not start with '#' (the comment marker)",
    ]


def test_empty_alias_text_is_reported_by_the_reader(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [("person:douglas-adams", " ", "en", "variant", "curated")]})
    assert problems_of(root) == ["lexicons/aliases/person.tsv:2: empty field(s): text"]


def test_unknown_language_kind_and_source(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [
        ("person:douglas-adams", "Duglas Adams", "xx", "variant", "curated"),
        ("person:douglas-adams", "Дуглас", "ru", "nickname", "curated"),
        ("person:douglas-adams", "Duglas Adams", "tr", "variant", "999_missing.txt"),
    ]})
    assert problems_of(root) == [
        "lexicons/aliases/person.tsv:2: unknown language 'xx' (not in languages.tsv)",
        "lexicons/aliases/person.tsv:3: unknown alias kind 'nickname' (not in alias_kinds.tsv)",
        "lexicons/aliases/person.tsv:4: unknown source '999_missing.txt': must be 'curated', a file name "
        "in seeds/ or the https:// address of a public page",
    ]


def test_source_may_be_the_address_of_a_public_page(make_lexicon) -> None:
    page = "https://en.wikipedia.org/wiki/Douglas_Adams"
    lex = load_lexicon(make_lexicon(aliases={"person": [
        ("person:douglas-adams", "Duglas Adams", "tr", "variant", page)]}))
    assert [a.source for a in lex.entities["person:douglas-adams"].aliases if a.language == "tr"] == [page]


def test_source_that_is_no_https_address_is_reported(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [
        ("person:douglas-adams", "Дуглас Адамс", "ru", "name", "http://example.org/adams"),
        ("person:douglas-adams", "Дуглас Адамс", "uk", "name", "https://"),
    ]})
    assert problems_of(root) == [
        "lexicons/aliases/person.tsv:2: unknown source 'http://example.org/adams': must be 'curated', "
        "a file name in seeds/ or the https:// address of a public page",
        "lexicons/aliases/person.tsv:3: unknown source 'https://': must be 'curated', "
        "a file name in seeds/ or the https:// address of a public page",
    ]


def test_duplicate_alias_same_entity_text_after_nfc_and_language(make_lexicon) -> None:
    composed = "Adamsé"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    root = make_lexicon(aliases={"person": [
        ("person:douglas-adams", composed, "fr", "variant", "curated"),
        ("person:douglas-adams", composed, "de", "variant", "curated"),     # another language: fine
        ("person:douglas-adams", decomposed, "fr", "name", "curated"),
    ]})
    assert problems_of(root) == [
        f"lexicons/aliases/person.tsv:4: duplicate alias {decomposed!r} (fr) of person:douglas-adams "
        "(first at lexicons/aliases/person.tsv:2)",
    ]


def test_strong_form_of_two_entities_is_a_warning_weak_is_not(make_lexicon) -> None:
    lex = load_lexicon(make_lexicon(aliases={"person": [
        ("person:douglas-adams", "Adams", "en", "surname", "curated"),
        ("person:john-adams", "ADAMS", "en", "surname", "curated"),        # strong, case-folded equal
        ("person:douglas-adams", "Douglas", "en", "given_name", "curated"),
        ("person:john-adams", "Douglas", "en", "given_name", "curated"),   # weak: no warning
        ("person:john-adams", "Douglas Adams", "de", "variant", "curated"),  # the other's canonical name
    ]}))
    assert [str(w) for w in lex.warnings] == [
        "lexicons/aliases/person.tsv:3: 'ADAMS' is a strong alias of person:john-adams and of "
        "person:douglas-adams (lexicons/aliases/person.tsv:2)",
        "lexicons/aliases/person.tsv:6: 'Douglas Adams' is a strong alias of person:john-adams and of "
        "person:douglas-adams (lexicons/entities/person.tsv:2)",
    ]


# --- reference tables ------------------------------------------------------


@pytest.mark.parametrize(("name", "line", "message"), [
    ("alias_kinds.tsv", "alias\tsometimes\tan alias", "bad tier 'sometimes': must be strong or weak"),
    ("alias_kinds.tsv", "name\tstrong\tagain", "duplicate alias kind 'name' (first at lexicons/alias_kinds.tsv:{first})"),
    ("languages.tsv", "xx\tKlingon\tpIqaD", "unknown script 'pIqaD' (known: "),
    ("languages.tsv", "KK\tKazakh\tCyrillic", "bad language tag 'KK': expected BCP 47 language[-Script][-REGION], e.g. kk or kk-Latn"),
    ("entity_types.tsv", "person\tperson\tagain", "duplicate type 'person' (first at lexicons/entity_types.tsv:{first})"),
    ("entity_types.tsv", "Planet\tcompound\ta planet", "bad type 'Planet': lower-case letters a-z only"),
    ("entity_types.tsv", "planet\tcompound\t#hashtag", "description may not start with '#' (the comment marker)"),
    ("entity_types.tsv", "planet\tround\ta planet", "names must be one of person, compound, found 'round'"),
])
def test_reference_table_rows_are_validated(make_lexicon, name: str, line: str, message: str) -> None:
    root = make_lexicon()
    path = root / name
    lines = path.read_text(encoding="utf-8").splitlines()
    key = line.split("\t")[0]
    first = next((n for n, text in enumerate(lines, 1) if text.split("\t")[0] == key), 0)
    path.write_text("\n".join([*lines, line]) + "\n", encoding="utf-8")
    found = problems_of(root)
    assert len(found) == 1
    assert found[0].startswith(f"lexicons/{name}:{len(lines) + 1}: {message.format(first=first)}")


def test_reference_tables_must_define_what_canonical_names_use(make_lexicon) -> None:
    root = make_lexicon()
    for name, drop in (("languages.tsv", "en\t"), ("alias_kinds.tsv", "name\t")):
        lines = (root / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (root / name).write_text("".join(x for x in lines if not x.startswith(drop)), encoding="utf-8")
    found = problems_of(root)
    assert "lexicons/languages.tsv:0: language 'en' is required: canonical names are English aliases" in found
    assert "lexicons/alias_kinds.tsv:0: alias kind 'name' is required: canonical names are aliases of that kind" in found


def test_missing_reference_table(make_lexicon) -> None:
    root = make_lexicon(entities={}, aliases={})
    (root / "alias_kinds.tsv").unlink()
    found = problems_of(root)
    assert len(found) == 1 and found[0].startswith("lexicons/alias_kinds.tsv:0: cannot read file")


# --- all at once -----------------------------------------------------------


def test_all_problems_are_reported_at_once(make_lexicon) -> None:
    root = make_lexicon(
        entities={"person": [*PEOPLE, ("person:Bad", "Bad", "-")]},
        aliases={"person": [
            ("person:douglas-adams", "Duglas", "xx", "variant", "curated"),
            ("person:douglas-adams", "", "en", "variant", "curated"),
            ("person:nobody", "Nobody", "en", "name", "curated"),
        ]})
    with (root / "alias_kinds.tsv").open("a", encoding="utf-8") as f:
        f.write("alias\tmaybe\tbad tier\n")
    (root / "stray.tsv").write_text("x\n", encoding="utf-8")
    kinds_line = len((root / "alias_kinds.tsv").read_text(encoding="utf-8").splitlines())
    check = check_lexicon(root)
    assert check.lexicon is None and not check.valid
    assert sorted(str(p) for p in check.problems) == sorted([
        "lexicons/stray.tsv:0: unknown file in the lexicon directory",
        f"lexicons/alias_kinds.tsv:{kinds_line}: bad tier 'maybe': must be strong or weak",
        "lexicons/entities/person.tsv:4: bad entity ID 'person:Bad': must be '<type>:<slug>' "
        "with slug [a-z0-9]+(-[a-z0-9]+)*",
        "lexicons/aliases/person.tsv:2: unknown language 'xx' (not in languages.tsv)",
        "lexicons/aliases/person.tsv:3: empty field(s): text",
        "lexicons/aliases/person.tsv:4: unknown entity 'person:nobody' (not in entities/person.tsv)",
    ])
    with pytest.raises(DataFileError) as caught:
        load_lexicon(root)
    assert len(caught.value.problems) == 6
    assert "lexicons/stray.tsv:0: unknown file in the lexicon directory" in str(caught.value)


# --- the bundled lexicon ---------------------------------------------------


def test_bundled_lexicon_loads_without_problems() -> None:
    check = check_lexicon(BUNDLED_LEXICON_DIR)
    assert [str(p) for p in check.problems] == []
    lex = check.lexicon
    assert lex is not None
    assert lex.seed_files, "seeds/ next to lexicons/ holds the seed articles"
    for entity in lex.entities.values():
        assert entity.type in lex.entity_types
        assert any(a.text == entity.canonical_name and a.language == "en" for a in entity.aliases)
    for alias in lex.aliases:
        assert alias.language in lex.languages and alias.kind in lex.alias_kinds
        assert alias.source == "curated" or alias.source in lex.seed_files or is_address(alias.source)


# --- the command -----------------------------------------------------------


def test_cli_validate_bad_directory_prints_path_line_and_exits_2(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [("person:douglas-adams", "Duglas", "xx", "variant", "curated")]})
    script = Path(sys.executable).parent / "namebridge"
    done = subprocess.run([str(script), "lexicon", "validate", "lexicons"], capture_output=True,
                          text=True, timeout=60, cwd=root.parent)
    assert done.returncode == 2, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "lexicons/aliases/person.tsv:2: unknown language 'xx' (not in languages.tsv)"
    assert lines[-1] == "lexicons: INVALID: 1 problem(s), 0 warning(s)"


def test_cli_validate_good_directory_prints_warnings_and_summary_exits_0(make_lexicon) -> None:
    root = make_lexicon(aliases={"person": [
        ("person:douglas-adams", "Adams", "en", "surname", "curated"),
        ("person:john-adams", "Adams", "en", "surname", "curated"),
    ]})
    result = CliRunner().invoke(app, ["lexicon", "validate", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("lexicons/aliases/person.tsv:3: warning: 'Adams' is a strong alias of person:john-adams "
                        "and of person:douglas-adams (lexicons/aliases/person.tsv:2)")
    version = load_bundle(root).version     # the version an engine on this directory reports
    assert lines[1] == f"{root}: valid: 3 entities, 5 aliases, 1 warning(s), version {version}"
