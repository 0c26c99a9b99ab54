"""Load and validate a lexicon directory (the format is ``lexicons/README.md``).

``load_lexicon(directory)`` returns a :class:`Lexicon` or raises
``DataFileError`` listing every problem at once as ``path:line: message``;
``check_lexicon(directory)`` returns the problems and warnings without raising
(``namebridge lexicon validate`` prints them). Every ``.tsv`` file is read by
the one reader in ``files.py``; this module only checks what the rows mean.

Line 0 in a problem means the file as a whole (unknown, missing, misplaced).
The folders in ``OTHER_FOLDERS`` (``translit/``, ``keys/``...) belong to
other modules and are not read here; any other unknown entry at the top level,
or in ``entities/`` and ``aliases/``, is an error. Names starting with ``.``
(``.gitkeep``, editor files) are ignored everywhere.
"""

from __future__ import annotations

import gc
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from namebridge.errors import DataFileError, Problem
from namebridge.settings import Settings
from namebridge.tsv import COMMENT, Row, display_path, read_table
from namebridge.lexicon.model import Alias, Entity

# --- the layout ------------------------------------------------------------

ENTITY_TYPES_FILE = "entity_types.tsv"
LANGUAGES_FILE = "languages.tsv"
ALIAS_KINDS_FILE = "alias_kinds.tsv"
REFERENCE_FILES = (ENTITY_TYPES_FILE, LANGUAGES_FILE, ALIAS_KINDS_FILE)
ENTITIES_FOLDER = "entities"
ALIASES_FOLDER = "aliases"
#: folders read by other modules (normalize.py, translit.py, keys.py, morphology, tokens);
#: a new data folder must be added here (and to lexicons/README.md)
OTHER_FOLDERS = frozenset({"normalize", "translit", "keys", "morphology", "scoring", "tokens"})
#: the table folders taken from the bundled lexicon (read by lexicon/bundle.py)
INHERIT_FILE = "inherit.tsv"
#: top-level files this module does not read (prose, and the file lexicon/bundle.py reads)
TOP_LEVEL_DOCS = frozenset({"README.md", INHERIT_FILE})
#: the seed articles live next to the lexicon directory
SEEDS_FOLDER = "seeds"

TYPE_COLUMNS = ("type", "names", "description")
#: how the names of a type are built (entity_types.tsv ``names``): a person's of given and
#: family names, written with initials; a compound's of words that all belong to it
PERSON, COMPOUND = "person", "compound"
NAME_STRUCTURES = (PERSON, COMPOUND)
LANGUAGE_COLUMNS = ("code", "name", "script")
KIND_COLUMNS = ("kind", "tier", "description")
ENTITY_COLUMNS = ("id", "canonical_name", "external_ids")
#: the entity tables of a type whose names are a person's add the person's gender
PERSON_ENTITY_COLUMNS = (*ENTITY_COLUMNS, "gender")
#: values of the gender column (``-``: not known)
GENDERS = frozenset({"female", "male"})
ALIAS_COLUMNS = ("entity_id", "text", "lang", "kind", "source")

# --- the values ------------------------------------------------------------

TIERS = frozenset({"strong", "weak"})
STRONG = "strong"
CURATED = "curated"
#: a curated alias may name the public page it was taken from instead of ``curated``
ADDRESS_PREFIX = "https://"
NONE = "-"
#: the canonical name is an alias in this language, of this kind, from this source
CANONICAL_LANGUAGE = "en"
CANONICAL_KIND = "name"
COUNTRY = "country"
#: Unicode script names (the ``script`` column of languages.tsv)
SCRIPTS = frozenset({
    "Latin", "Cyrillic", "Arabic", "Hebrew", "Greek", "Armenian", "Georgian",
    "Devanagari", "Bengali", "Thai", "Han", "Hangul", "Hiragana", "Katakana",
    "Syriac", "Thaana", "Ethiopic", "Mongolian", "Tibetan",
})

TYPE_RE = re.compile(r"[a-z]+")
KIND_RE = re.compile(r"[a-z]+(?:_[a-z]+)*")
#: BCP 47 subset: language, optional script, optional region
LANGUAGE_TAG_RE = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
COUNTRY_SLUG_RE = re.compile(r"[a-z]{2}")
#: scheme -> (shape of the value, description for messages)
EXTERNAL_ID_SCHEMES: dict[str, tuple[re.Pattern[str], str]] = {
    "iso3166-1": (re.compile(r"[A-Z]{2}"), "two capital letters (ISO 3166-1 alpha-2)"),
    "iso3166-1-a3": (re.compile(r"[A-Z]{3}"), "three capital letters (ISO 3166-1 alpha-3)"),
    "wikidata": (re.compile(r"Q[1-9][0-9]*"), "a Wikidata QID such as Q232"),
    "geonames": (re.compile(r"[1-9][0-9]*"), "a GeoNames ID such as 524901"),
    "un-m49": (re.compile(r"[0-9]{3}"), "a three-digit UN M49 area code such as 150"),
}
COUNTRY_ONLY_SCHEMES = frozenset({"iso3166-1", "iso3166-1-a3"})


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A loaded, valid lexicon. Treat every field as read-only."""

    directory: Path
    #: by ID, in file order (entity files sorted by name)
    entities: dict[str, Entity]
    #: every alias of every entity, entity by entity; each entity's canonical
    #: name comes first as an implicit alias unless a row gives the same (text, lang)
    aliases: tuple[Alias, ...]
    entity_types: frozenset[str]
    #: entity type -> how its names are built (``person`` or ``compound``), from entity_types.tsv
    name_structures: dict[str, str]
    #: language tag -> script, from languages.tsv
    languages: dict[str, str]
    #: alias kind -> tier, from alias_kinds.tsv
    alias_kinds: dict[str, str]
    #: sha256 (16 hex digits) over the relative paths and bytes of the files read
    version: str
    #: forms given to two entities as strong aliases, and similar suspicions
    warnings: tuple[Problem, ...]
    #: names of the files in ``seeds/`` next to the lexicon directory
    seed_files: frozenset[str]


@dataclass(frozen=True, slots=True)
class LexiconCheck:
    """The outcome of validating a directory: the lexicon only if no problem was found."""

    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    lexicon: Lexicon | None

    @property
    def valid(self) -> bool:
        return not self.problems


def load_lexicon(directory: Path | str, *, max_name_length: int | None = None) -> Lexicon:
    """The lexicon in ``directory``; raises DataFileError listing all problems."""
    check = check_lexicon(directory, max_name_length=max_name_length)
    if check.lexicon is None:
        raise DataFileError(list(check.problems))
    return check.lexicon


def check_lexicon(directory: Path | str, *, max_name_length: int | None = None) -> LexiconCheck:
    """Read and validate every file of a lexicon directory, collecting all problems.

    An alias longer than ``max_name_length`` (default: the setting's default) is a
    problem: the engine refuses longer queries, so nothing could ever match it.

    The cyclic garbage collector is paused while the rows are read: loading
    creates millions of small acyclic objects, and collections triggered by
    them would otherwise take about a third of the load time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        limit = Settings().max_name_length if max_name_length is None else max_name_length
        return _check_lexicon(Path(directory), limit)
    finally:
        if collecting:
            gc.enable()


def _check_lexicon(directory: Path, max_name_length: int) -> LexiconCheck:
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(display_path(directory), 0, "lexicon directory not found"))
        return LexiconCheck(tuple(problems), (), None)
    read: list[Path] = []
    _check_top_level(directory, problems)
    types = _read_entity_types(directory / ENTITY_TYPES_FILE, problems, read)
    languages = _read_languages(directory / LANGUAGES_FILE, problems, read)
    kinds = _read_alias_kinds(directory / ALIAS_KINDS_FILE, problems, read)
    seeds_dir = directory.parent / SEEDS_FOLDER
    seed_files = frozenset(p.name for p in seeds_dir.iterdir() if p.is_file()) if seeds_dir.is_dir() else frozenset()

    entity_files = _record_files(directory, ENTITIES_FOLDER, types, problems)
    alias_files = _record_files(directory, ALIASES_FOLDER, types, problems)
    records = _read_entities(entity_files, types, problems, read)
    explicit, alias_keys = _read_aliases(alias_files, entity_files, records, languages, kinds,
                                         seed_files if seeds_dir.is_dir() else None, problems, read,
                                         max_name_length)

    canonical_tier = kinds.get(CANONICAL_KIND, STRONG)
    normalize = unicodedata.normalize
    entities: dict[str, Entity] = {}
    all_aliases: list[Alias] = []
    for eid, (entity_type, name, external_ids, gender, path, line) in records.items():
        rows = explicit.get(eid, ())
        if (eid, normalize("NFC", name), CANONICAL_LANGUAGE) in alias_keys:
            aliases = tuple(rows)
        else:
            implicit = Alias(eid, name, CANONICAL_LANGUAGE, CANONICAL_KIND, CURATED,
                             canonical_tier, path, line)
            aliases = (implicit, *rows)
        entities[eid] = Entity(eid, entity_type, name, external_ids, aliases, gender)
        all_aliases.extend(aliases)
    warnings = _shared_strong_forms(all_aliases)

    if problems:
        return LexiconCheck(tuple(problems), warnings, None)
    lexicon = Lexicon(
        directory=directory,
        entities=entities,
        aliases=tuple(all_aliases),
        entity_types=frozenset(types),
        name_structures=types,
        languages=languages,
        alias_kinds=kinds,
        version=_version(directory, read),
        warnings=warnings,
        seed_files=seed_files,
    )
    return LexiconCheck((), warnings, lexicon)


# --- layout ----------------------------------------------------------------


def _check_top_level(directory: Path, problems: list[Problem]) -> None:
    """Only the known tables, record folders, other modules' folders and README.md."""
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_dir():
            if name not in OTHER_FOLDERS and name not in (ENTITIES_FOLDER, ALIASES_FOLDER):
                problems.append(Problem(display_path(entry), 0, "unknown folder in the lexicon directory"))
        elif name not in REFERENCE_FILES and name not in TOP_LEVEL_DOCS:
            problems.append(Problem(display_path(entry), 0, "unknown file in the lexicon directory"))


def _record_files(directory: Path, folder: str, types: dict[str, str],
                  problems: list[Problem]) -> dict[str, Path]:
    """``<type>.tsv`` files of ``entities/`` or ``aliases/`` by type; anything else is a problem."""
    base = directory / folder
    if not base.is_dir():
        return {}
    found: dict[str, Path] = {}
    for entry in sorted(base.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() or entry.suffix != ".tsv":
            problems.append(Problem(display_path(entry), 0,
                                    f"unknown file in {folder}/: only <type>.tsv files belong here"))
        elif types and entry.stem not in types:
            problems.append(Problem(display_path(entry), 0,
                                    f"unknown file in {folder}/: {entry.stem!r} is not a type "
                                    f"in {ENTITY_TYPES_FILE}"))
        else:
            found[entry.stem] = entry
    return found


def _version(directory: Path, read: list[Path]) -> str:
    digest = hashlib.sha256()
    for relative, path in sorted((p.relative_to(directory).as_posix(), p) for p in read):
        data = path.read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


# --- reference tables ------------------------------------------------------


def _reference_rows(path: Path, columns: tuple[str, ...], problems: list[Problem],
                    read: list[Path]) -> list[Row]:
    """Rows of a reference table, with no field starting with the comment marker."""
    if path.is_file():
        read.append(path)
    rows = read_table(path, columns, problems)
    good = []
    for row in rows:
        marked = [c for c in columns if row.fields[c].startswith(COMMENT)]
        if marked:
            problems.append(row.problem(f"{marked[0]} may not start with {COMMENT!r} (the comment marker)"))
        else:
            good.append(row)
    return good


def _first_definition(seen: dict[str, Row], key: str, row: Row, what: str,
                      problems: list[Problem]) -> bool:
    """True the first time ``key`` is seen; a duplicate is reported."""
    first = seen.get(key)
    if first is not None:
        problems.append(row.problem(f"duplicate {what} {key!r} (first at {first.path}:{first.line})"))
        return False
    seen[key] = row
    return True


def _require(path: Path, rows: list[Row], seen: dict[str, Row], key: str, what: str, why: str,
             problems: list[Problem]) -> None:
    """A reference table that has rows must define ``key``; else one problem for the file."""
    if rows and key not in seen:
        problems.append(Problem(display_path(path), 0, f"{what} {key!r} is required: {why}"))


def _read_entity_types(path: Path, problems: list[Problem], read: list[Path]) -> dict[str, str]:
    """type -> how its names are built (``NAME_STRUCTURES``)."""
    types: dict[str, str] = {}
    seen: dict[str, Row] = {}
    for row in _reference_rows(path, TYPE_COLUMNS, problems, read):
        name = row.fields["type"]
        if not TYPE_RE.fullmatch(name):
            problems.append(row.problem(f"bad type {name!r}: lower-case letters a-z only"))
        elif row.fields["names"] not in NAME_STRUCTURES:
            problems.append(row.problem(f"names must be one of {', '.join(NAME_STRUCTURES)}, "
                                        f"found {row.fields['names']!r}"))
        elif _first_definition(seen, name, row, "type", problems):
            types[name] = row.fields["names"]
    return types


def _read_languages(path: Path, problems: list[Problem], read: list[Path]) -> dict[str, str]:
    languages: dict[str, str] = {}
    seen: dict[str, Row] = {}
    rows = _reference_rows(path, LANGUAGE_COLUMNS, problems, read)
    for row in rows:
        code, script = row.fields["code"], row.fields["script"]
        if not LANGUAGE_TAG_RE.fullmatch(code):
            problems.append(row.problem(f"bad language tag {code!r}: expected BCP 47 "
                                        "language[-Script][-REGION], e.g. kk or kk-Latn"))
        elif script not in SCRIPTS:
            problems.append(row.problem(f"unknown script {script!r} (known: {', '.join(sorted(SCRIPTS))})"))
        elif _first_definition(seen, code, row, "language", problems):
            languages[code] = script
    _require(path, rows, seen, CANONICAL_LANGUAGE, "language", "canonical names are English aliases", problems)
    return languages


def _read_alias_kinds(path: Path, problems: list[Problem], read: list[Path]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    seen: dict[str, Row] = {}
    rows = _reference_rows(path, KIND_COLUMNS, problems, read)
    for row in rows:
        kind, tier = row.fields["kind"], row.fields["tier"]
        if not KIND_RE.fullmatch(kind):
            problems.append(row.problem(f"bad kind {kind!r}: lower-case words joined by '_'"))
        elif tier not in TIERS:
            problems.append(row.problem(f"bad tier {tier!r}: must be strong or weak"))
        elif _first_definition(seen, kind, row, "alias kind", problems):
            kinds[kind] = tier
    _require(path, rows, seen, CANONICAL_KIND, "alias kind", "canonical names are aliases of that kind", problems)
    return kinds


# --- entities and aliases --------------------------------------------------

#: entity ID -> (type, canonical name, external IDs, path, line)
#: (type, canonical name, external IDs, gender, file, line)
EntityRecord = tuple[str, str, tuple[tuple[str, str], ...], str, str, int]


def _read_entities(files: dict[str, Path], types: dict[str, str], problems: list[Problem],
                   read: list[Path]) -> dict[str, EntityRecord]:
    """Entity rows of every ``entities/<type>.tsv``, in file order; the tables of a type whose
    names are a person's (``entity_types.tsv``) also have a ``gender`` column.

    A row whose ID is malformed is still recorded (under the ID as written) so
    that aliases naming it do not add a second, derived problem.
    """
    records: dict[str, EntityRecord] = {}
    slug_match = SLUG_RE.fullmatch
    for entity_type, path in sorted(files.items()):
        read.append(path)
        person = types.get(entity_type) == PERSON
        for row in read_table(path, PERSON_ENTITY_COLUMNS if person else ENTITY_COLUMNS, problems):
            fields = row.fields
            eid, name, external = fields["id"], fields["canonical_name"], fields["external_ids"]
            first = records.get(eid)
            if first is not None:
                problems.append(row.problem(f"duplicate entity ID {eid!r} (first at {first[4]}:{first[5]})"))
                continue
            prefix, colon, slug = eid.partition(":")
            if not colon or not slug_match(slug):
                problems.append(row.problem(f"bad entity ID {eid!r}: must be '<type>:<slug>' with slug "
                                            "[a-z0-9]+(-[a-z0-9]+)*"))
            elif prefix != entity_type:
                problems.append(row.problem(f"entity ID {eid!r} has type {prefix!r} but is in "
                                            f"{ENTITIES_FOLDER}/{entity_type}.tsv"))
            if name.startswith(COMMENT):
                problems.append(row.problem(f"canonical_name may not start with {COMMENT!r} (the comment marker)"))
            external_ids = _external_ids(external, entity_type, row, problems)
            if entity_type == COUNTRY and colon:
                _check_country_slug(slug, external_ids, row, problems)
            gender = fields.get("gender", NONE)
            if gender != NONE and gender not in GENDERS:
                problems.append(row.problem(f"gender must be one of {', '.join(sorted(GENDERS))} or "
                                            f"{NONE!r} (not known), found {gender!r}"))
            records[eid] = (entity_type, name, external_ids, "" if gender == NONE else gender,
                            row.path, row.line)
    return records


def _external_ids(value: str, entity_type: str, row: Row,
                  problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """``-`` or space-separated ``scheme:value`` pairs of known schemes, each at most once."""
    if value == NONE:
        return ()
    pairs: list[tuple[str, str]] = []
    for item in value.split(" "):
        scheme, colon, code = item.partition(":")
        known = EXTERNAL_ID_SCHEMES.get(scheme)
        if not colon or not code:
            problems.append(row.problem(f"bad external ID {item!r}: expected scheme:value, "
                                        "pairs separated by one space, or '-'"))
        elif known is None:
            problems.append(row.problem(f"unknown external ID scheme {scheme!r} "
                                        f"(known: {', '.join(EXTERNAL_ID_SCHEMES)})"))
        elif not known[0].fullmatch(code):
            problems.append(row.problem(f"bad {scheme} value {code!r}: expected {known[1]}"))
        elif any(s == scheme for s, _ in pairs):
            problems.append(row.problem(f"external ID scheme {scheme!r} given twice"))
        elif scheme in COUNTRY_ONLY_SCHEMES and entity_type != COUNTRY:
            problems.append(row.problem(f"external ID scheme {scheme!r} is for countries only"))
        else:
            pairs.append((scheme, code))
    return tuple(pairs)


def _check_country_slug(slug: str, external_ids: tuple[tuple[str, str], ...], row: Row,
                        problems: list[Problem]) -> None:
    if not COUNTRY_SLUG_RE.fullmatch(slug):
        problems.append(row.problem(f"country slug {slug!r} must be the ISO 3166-1 alpha-2 code "
                                    "in lower case (country:kz)"))
        return
    for scheme, code in external_ids:
        if scheme == "iso3166-1" and code.lower() != slug:
            problems.append(row.problem(f"country slug {slug!r} does not match its iso3166-1 code {code!r}"))


def _read_aliases(files: dict[str, Path], entity_files: dict[str, Path],
                  records: dict[str, EntityRecord], languages: dict[str, str],
                  kinds: dict[str, str], seed_files: frozenset[str] | None,
                  problems: list[Problem], read: list[Path], max_name_length: int,
                  ) -> tuple[dict[str, list[Alias]], dict[tuple[str, str, str], Alias]]:
    """Alias rows by entity ID in file order, and every row by (entity ID, NFC text, lang).

    ``seed_files`` None: sources are not checked (no seeds/ folder).
    """
    by_entity: dict[str, list[Alias]] = {}
    seen: dict[tuple[str, str, str], Alias] = {}
    sources = None if seed_files is None else seed_files | {CURATED}
    normalize = unicodedata.normalize
    add = problems.append
    records_get, kinds_get, seen_get, by_entity_get = records.get, kinds.get, seen.get, by_entity.get
    for entity_type, path in sorted(files.items()):
        if entity_type not in entity_files:
            add(Problem(display_path(path), 0, f"aliases file without its entities file "
                                               f"{ENTITIES_FOLDER}/{entity_type}.tsv"))
            continue
        read.append(path)
        for row in read_table(path, ALIAS_COLUMNS, problems):
            # the reader builds fields in column order: entity_id, text, lang, kind, source
            eid, text, lang, kind, source = row.fields.values()
            record = records_get(eid)
            tier = kinds_get(kind)
            ok = (record is not None and record[0] == entity_type and text[0] != COMMENT
                  and lang in languages and tier is not None
                  and (sources is None or source in sources or is_address(source))
                  and len(text) <= max_name_length)
            if not ok:
                _alias_row_problems(row, entity_type, record, languages, tier, sources, add,
                                    max_name_length)
            key = (eid, normalize("NFC", text), lang)
            first = seen_get(key)
            if first is not None:
                add(row.problem(f"duplicate alias {text!r} ({lang}) of {eid} "
                                f"(first at {first.path}:{first.line})"))
                continue
            alias = Alias(eid, text, lang, kind, source, tier or "", row.path, row.line)
            seen[key] = alias
            if ok:
                entity_aliases = by_entity_get(eid)
                if entity_aliases is None:
                    by_entity[eid] = [alias]
                else:
                    entity_aliases.append(alias)
    return by_entity, seen


def is_address(source: str) -> bool:
    """True for a source that is the address of a public page (``https://`` and no space)."""
    return source.startswith(ADDRESS_PREFIX) and len(source) > len(ADDRESS_PREFIX) \
        and not any(c.isspace() for c in source)


def _alias_row_problems(row: Row, entity_type: str, record: EntityRecord | None,
                        languages: dict[str, str], tier: str | None,
                        sources: frozenset[str] | None, add: Callable[[Problem], None],
                        max_name_length: int) -> None:
    """Report everything wrong with an alias row that failed the fast check."""
    eid, text, lang, kind, source = row.fields.values()
    if record is None:
        add(row.problem(f"unknown entity {eid!r} (not in {ENTITIES_FOLDER}/{entity_type}.tsv)"))
    elif record[0] != entity_type:
        add(row.problem(f"entity {eid!r} is a {record[0]}: its aliases belong in "
                        f"{ALIASES_FOLDER}/{record[0]}.tsv"))
    if text[0] == COMMENT:
        add(row.problem(f"alias text may not start with {COMMENT!r} (the comment marker)"))
    if lang not in languages:
        add(row.problem(f"unknown language {lang!r} (not in {LANGUAGES_FILE})"))
    if tier is None:
        add(row.problem(f"unknown alias kind {kind!r} (not in {ALIAS_KINDS_FILE})"))
    if sources is not None and source not in sources and not is_address(source):
        add(row.problem(f"unknown source {source!r}: must be 'curated', a file name in "
                        f"{SEEDS_FOLDER}/ or the {ADDRESS_PREFIX} address of a public page"))
    if len(text) > max_name_length:
        add(row.problem(f"alias is {len(text)} characters long; no query can match it "
                        f"(max_name_length is {max_name_length})"))


def _shared_strong_forms(aliases: list[Alias]) -> tuple[Problem, ...]:
    """A warning for each strong alias whose case-folded NFC text is strong for an earlier entity."""
    owner: dict[str, Alias] = {}
    warnings: list[Problem] = []
    normalize = unicodedata.normalize
    for alias in aliases:
        if alias.tier != STRONG:
            continue
        form = normalize("NFC", alias.text.casefold())
        first = owner.get(form)
        if first is None:
            owner[form] = alias
        elif first.entity_id != alias.entity_id:
            warnings.append(Problem(alias.path, alias.line,
                                    f"{alias.text!r} is a strong alias of {alias.entity_id} and of "
                                    f"{first.entity_id} ({first.path}:{first.line})"))
    return tuple(warnings)
