"""Synthetic lexicons and labelled queries for the benchmarks.

``write_synthetic_lexicon(directory, aliases=N)`` writes a lexicon in the
format of ``lexicons/README.md`` with exactly N aliases (canonical names
included: each one is an alias of its entity). Names are built from real name
parts (``name_parts/*.tsv``), each carried in Latin, Cyrillic, Arabic and
Persian spelling, so every alias of an entity is a consistent rendering of the
same parts: "Kassym Tokayev", "Қасым Токаев", "قاسيم توكايف", "قاسیم توکایف".

``make_queries(lexicon, n=..., seed=...)`` draws labelled queries of six kinds
(``QUERY_KINDS``). A query that is not meant to be an exact alias is checked
against every alias (after a light normalisation) so that it never is one.

Invariants: same arguments, same files and queries (``random.Random(seed)``,
no set iteration order reaches the output); no two entities share an alias
after that normalisation, so every known query has exactly one right answer.
"""

from __future__ import annotations

import random
import re
import shutil
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from namebridge.lexicon.bundle import TABLE_FOLDERS
from namebridge.tsv import read_table_strict

NAME_PARTS_DIR = Path(__file__).resolve().parent / "name_parts"

#: the four spellings every name part carries
SCRIPTS: tuple[str, ...] = ("latin", "cyrillic", "arabic", "persian")

#: query kinds, in the order make_queries interleaves them
QUERY_KINDS: tuple[str, ...] = ("exact", "romanization", "script", "typo", "reordered", "unknown")

#: reference tables and folders copied from the bundled lexicon when present
REFERENCE_FILES: tuple[str, ...] = ("entity_types.tsv", "languages.tsv", "alias_kinds.tsv")
REFERENCE_DIRS: tuple[str, ...] = TABLE_FOLDERS

#: every HOLDOUT_EVERY-th name part (per file, by line) never enters a lexicon;
#: "unknown" queries are made of them. Fixed, so all sizes share it.
HOLDOUT_EVERY = 8

#: aliases per entity (canonical name included) and how often each count occurs
ALIASES_PER_ENTITY: tuple[tuple[int, float], ...] = ((4, 0.30), (5, 0.45), (6, 0.25))

#: share of entities that are cities and organisations (capped by the unique
#: names the parts allow); the rest are people
CITY_SHARE = 0.03
ORG_SHARE = 0.04

#: share of people whose aliases leave out some spellings, and which ones:
#: "script" queries ask in a left-out spelling
MISSING_SHARE = 0.6
MISSING_CHOICES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("cyrillic",), 0.40), (("arabic", "persian"), 0.30), (("persian",), 0.15), (("arabic",), 0.15))

#: the alias language of a Cyrillic spelling, per naming tradition
CYRILLIC_LANGUAGE = {"slavic": "ru", "turkic": "kk", "arabic": "ru", "persian": "ru"}

_LANGUAGE_OF_SCRIPT = {"latin": "en", "arabic": "ar", "persian": "fa"}
_VOWELS = set("aeiouy")

# The light normalisation used only to keep aliases distinct and queries honest:
# case folding, Arabic/Persian letter variants unified, punctuation to spaces.
_ARABIC_VARIANTS = str.maketrans({"ی": "ي", "ى": "ي", "ک": "ك", "ة": "ه", "أ": "ا", "إ": "ا",
                                  "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "\u200c": " "})
_PUNCTUATION = re.compile(r"[\s\-,'’.]+")


def collision_key(text: str) -> str:
    """The form two aliases must not share: folded case, unified Arabic letters."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_VARIANTS)
    return _PUNCTUATION.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class NamePart:
    """One name part in every script."""

    origin: str
    latin: str
    cyrillic: str
    arabic: str
    persian: str

    def form(self, script: str) -> str:
        return getattr(self, script)


@dataclass(frozen=True, slots=True)
class RomanizationRule:
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class NamePartTables:
    """Everything read from ``name_parts/``, split into lexicon and held-out parts."""

    given: tuple[NamePart, ...]
    surnames: tuple[NamePart, ...]
    heldout_given: tuple[NamePart, ...]
    heldout_surnames: tuple[NamePart, ...]
    patronymics: dict[str, tuple[str, NamePart]]      #: origin -> (position, affix)
    place_suffixes: tuple[NamePart, ...]
    org_templates: tuple[NamePart, ...]               #: origin unused; forms hold "{}"
    romanization_rules: tuple[RomanizationRule, ...]


@dataclass(slots=True)
class SyntheticEntity:
    id: str
    type: str
    origin: str
    parts: tuple[NamePart, ...]          #: in display order: given, patronymic, surname
    aliases: list[tuple[str, str, str]]  #: (text, lang, kind); [0] is the canonical name
    missing: tuple[str, ...]             #: scripts left out on purpose

    @property
    def canonical_name(self) -> str:
        return self.aliases[0][0]

    def rendered(self, script: str, parts: tuple[NamePart, ...] | None = None) -> str:
        return " ".join(p.form(script) for p in (self.parts if parts is None else parts))



@dataclass(slots=True)
class SyntheticLexicon:
    """A lexicon on disk and what the query generator needs to know about it."""

    directory: Path
    seed: int
    entities: list[SyntheticEntity]
    tables: NamePartTables
    alias_keys: set[str] = field(repr=False)   #: collision_key of every alias

    @property
    def alias_count(self) -> int:
        return sum(len(e.aliases) for e in self.entities)

    @property
    def entity_count(self) -> int:
        return len(self.entities)

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(e.type for e in self.entities).items()))


@dataclass(frozen=True, slots=True)
class Query:
    """A labelled query: ``expected_id`` is None for a name not in the lexicon."""

    text: str
    expected_id: str | None
    kind: str


def _script_of_language(lang: str) -> str:
    if lang in ("ru", "kk"):
        return "cyrillic"
    return {"en": "latin", "ar": "arabic", "fa": "persian"}[lang]


# --------------------------------------------------------------------------- tables

def _read_parts(path: Path) -> list[NamePart]:
    rows = read_table_strict(path, ("origin",) + SCRIPTS)
    return [NamePart(r["origin"], r["latin"], r["cyrillic"], r["arabic"], r["persian"]) for r in rows]


def _split_holdout(parts: list[NamePart]) -> tuple[list[NamePart], list[NamePart]]:
    kept = [p for i, p in enumerate(parts) if i % HOLDOUT_EVERY != HOLDOUT_EVERY - 1]
    held = [p for i, p in enumerate(parts) if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1]
    return kept, held


def read_name_part_tables(directory: Path = NAME_PARTS_DIR) -> NamePartTables:
    """The generator's data, validated by the project's one TSV reader."""
    given, heldout_given = _split_holdout(_read_parts(directory / "given_names.tsv"))
    surnames, heldout_surnames = _split_holdout(_read_parts(directory / "surnames.tsv"))
    # a held-out part must not be spelled like any part a lexicon can contain
    known = {collision_key(p.form(s)) for p in given + surnames for s in SCRIPTS}
    heldout_given = [p for p in heldout_given if not {collision_key(p.form(s)) for s in SCRIPTS} & known]
    heldout_surnames = [p for p in heldout_surnames
                        if not {collision_key(p.form(s)) for s in SCRIPTS} & known]
    patronymics = {
        r["origin"]: (r["position"], NamePart(r["origin"], r["latin"], r["cyrillic"], r["arabic"], r["persian"]))
        for r in read_table_strict(directory / "patronymics.tsv", ("origin", "position") + SCRIPTS)
    }
    templates = [NamePart("-", r["latin"], r["cyrillic"], r["arabic"], r["persian"])
                 for r in read_table_strict(directory / "org_templates.tsv", SCRIPTS)]
    rules = [RomanizationRule(r["from"], r["to"])
             for r in read_table_strict(directory / "romanization_variants.tsv", ("from", "to", "note"))]
    return NamePartTables(
        given=tuple(given), surnames=tuple(surnames),
        heldout_given=tuple(heldout_given), heldout_surnames=tuple(heldout_surnames),
        patronymics=patronymics,
        place_suffixes=tuple(_read_parts(directory / "place_suffixes.tsv")),
        org_templates=tuple(templates),
        romanization_rules=tuple(rules),
    )


# --------------------------------------------------------------------------- names

def _compound(first: NamePart, second: NamePart) -> NamePart:
    """Two given names as one (Kassym-Jomart): hyphen in Latin/Cyrillic, space in Arabic script."""
    return NamePart(first.origin, f"{first.latin}-{second.latin}", f"{first.cyrillic}-{second.cyrillic}",
                    f"{first.arabic} {second.arabic}", f"{first.persian} {second.persian}")


def _glued(base: NamePart, suffix: NamePart) -> NamePart:
    return NamePart(base.origin, base.latin + suffix.latin, base.cyrillic + suffix.cyrillic,
                    base.arabic + suffix.arabic, base.persian + suffix.persian)


def _patronymic(father: NamePart, tables: NamePartTables) -> tuple[NamePart, ...] | None:
    """The patronymic words for a father's name, or None if the tradition has none."""
    rule = tables.patronymics.get(father.origin)
    if rule is None:
        return None
    position, affix = rule
    if position == "particle":
        return (affix, father)
    if father.latin[-1].lower() in _VOWELS:
        return None
    return (_glued(father, affix),)


def slug(text: str) -> str:
    """The ID slug of a Latin name: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def romanization_variant(text: str, rng: random.Random, rules: tuple[RomanizationRule, ...], *,
                         changes: int = 1) -> str | None:
    """``text`` with ``changes`` rules applied, each once and in a different word, keeping capitals.

    None if no rule applies. One rewrite per word keeps the result a spelling a
    text could use (two rewrites chained in one word give ``sh -> sch -> sç``).
    """
    words = text.split(" ")
    changed: set[int] = set()
    for _ in range(changes):
        options = [(i, r) for i, w in enumerate(words) if i not in changed
                   for r in rules if r.source in w.lower()]
        if not options:
            break
        i, rule = rng.choice(options)
        word, lowered = words[i], words[i].lower()
        at = rng.choice([m.start() for m in re.finditer(re.escape(rule.source), lowered)])
        target = rule.target
        if word[at].isupper():
            target = target[:1].upper() + target[1:]
        words[i] = word[:at] + target + word[at + len(rule.source):]
        changed.add(i)
    return " ".join(words) if changed else None


# --------------------------------------------------------------------------- lexicon

class _Builder:
    """Draws entities until the alias budget is spent; keeps every alias distinct."""

    def __init__(self, tables: NamePartTables, rng: random.Random) -> None:
        self.tables = tables
        self.rng = rng
        self.alias_keys: set[str] = set()
        self.ids: set[str] = set()
        self.by_origin: dict[str, list[NamePart]] = {}
        for p in tables.given:
            self.by_origin.setdefault(p.origin, []).append(p)
        self.surnames_by_origin: dict[str, list[NamePart]] = {}
        for p in tables.surnames:
            self.surnames_by_origin.setdefault(p.origin, []).append(p)
        self.origins = sorted(self.surnames_by_origin)
        self.cities: list[NamePart] = []

    def _budget(self) -> int:
        counts, weights = zip(*ALIASES_PER_ENTITY)
        return self.rng.choices(counts, weights)[0]

    def _take(self, entity: SyntheticEntity, text: str, lang: str, kind: str) -> bool:
        key = collision_key(text)
        if not key or key in self.alias_keys:
            return False
        self.alias_keys.add(key)
        entity.aliases.append((text, lang, kind))
        return True

    def _new_entity(self, type_: str, origin: str, parts: tuple[NamePart, ...],
                    missing: tuple[str, ...]) -> SyntheticEntity | None:
        latin = " ".join(p.latin for p in parts)
        entity_id = f"{type_}:{slug(latin)}"
        if entity_id in self.ids or collision_key(latin) in self.alias_keys:
            return None
        # every script spelling of the full name must be free, else the name is taken
        if "cyrillic" not in missing and collision_key(" ".join(p.cyrillic for p in parts)) in self.alias_keys:
            return None
        self.ids.add(entity_id)
        entity = SyntheticEntity(entity_id, type_, origin, parts, [], missing)
        self._take(entity, latin, "en", "name")
        return entity

    def _fill(self, entity: SyntheticEntity, budget: int, short: tuple[NamePart, ...] | None) -> None:
        """Add aliases up to ``budget`` (canonical name included): full spellings first."""
        scripts = [s for s in SCRIPTS[1:] if s not in entity.missing]
        languages = dict(_LANGUAGE_OF_SCRIPT, cyrillic=CYRILLIC_LANGUAGE[entity.origin])
        full = [(entity.rendered(s), languages[s], "name") for s in scripts]
        self.rng.shuffle(full)
        # then short forms (a Latin one last), then other romanizations
        extra: list[tuple[str, str, str]] = []
        if short:
            extra = [(entity.rendered(s, short), languages[s], "short") for s in scripts]
            self.rng.shuffle(extra)
            extra.append((entity.rendered("latin", short), "en", "short"))
        for _ in range(2):
            variant = romanization_variant(entity.canonical_name, self.rng, self.tables.romanization_rules)
            if variant:
                extra.append((variant, "en", "variant"))
        for text, lang, kind in full + extra:
            if len(entity.aliases) >= budget:
                return
            self._take(entity, text, lang, kind)

    def person(self, budget: int) -> SyntheticEntity | None:
        rng = self.rng
        origin = rng.choice(self.origins)
        surname = rng.choice(self.surnames_by_origin[origin])
        given_origin = origin if rng.random() < 0.8 else rng.choice(self.origins)
        given = rng.choice(self.by_origin[given_origin])
        shape = rng.random()
        patronymic: tuple[NamePart, ...] | None = None
        if shape < 0.15 and given_origin == "turkic":    # Kassym-Jomart
            given = _compound(given, rng.choice(self.by_origin[given_origin]))
        elif shape < 0.55:
            patronymic = _patronymic(rng.choice(self.by_origin[origin]), self.tables)
        parts = (given,) + (patronymic or ()) + (surname,)
        missing: tuple[str, ...] = ()
        if rng.random() < MISSING_SHARE:
            choices, weights = zip(*MISSING_CHOICES)
            missing = rng.choices(choices, weights)[0]
        entity = self._new_entity("person", origin, parts, missing)
        if entity is None:
            return None
        self._fill(entity, budget, (given, surname) if patronymic else None)
        return entity

    def city(self, budget: int) -> SyntheticEntity | None:
        suffix = self.rng.choice(self.tables.place_suffixes)
        base = self.rng.choice(self.by_origin.get(suffix.origin) or self.tables.given)
        name = _glued(NamePart(suffix.origin, base.latin, base.cyrillic, base.arabic, base.persian),
                      NamePart(suffix.origin, suffix.latin, suffix.cyrillic, suffix.arabic, suffix.persian))
        entity = self._new_entity("city", suffix.origin, (name,), ())
        if entity is None:
            return None
        self.cities.append(name)
        self._fill(entity, budget, None)
        return entity

    def org(self, budget: int) -> SyntheticEntity | None:
        template = self.rng.choice(self.tables.org_templates)
        use_city = self.cities and self.rng.random() < 0.3
        base = self.rng.choice(self.cities) if use_city else self.rng.choice(self.tables.surnames)
        name = NamePart(base.origin, *(template.form(s).replace("{}", base.form(s)) for s in SCRIPTS))
        entity = self._new_entity("org", base.origin, (name,), ())
        if entity is None:
            return None
        self._fill(entity, budget, None)
        return entity


def _copy_reference_data(source: Path, directory: Path) -> None:
    for name in REFERENCE_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, directory / name)
    for name in REFERENCE_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, directory / name, dirs_exist_ok=True)


def _write_tsv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]], comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"# {comment}\n")
        out.write("\t".join(header) + "\n")
        out.writelines("\t".join(row) + "\n" for row in rows)


def write_synthetic_lexicon(directory: Path, *, aliases: int, seed: int = 0,
                            reference_dir: Path | None = None) -> SyntheticLexicon:
    """Write a lexicon of exactly ``aliases`` aliases (canonical names included) into ``directory``.

    Reference tables and matching data are copied from ``reference_dir``
    (default: the bundled ``lexicons/``) where present.
    """
    if aliases < 1:
        raise ValueError(f"aliases must be positive, got {aliases}")
    from namebridge.settings import BUNDLED_LEXICON_DIR

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _copy_reference_data(reference_dir or BUNDLED_LEXICON_DIR, directory)
    tables = read_name_part_tables()
    rng = random.Random(seed)
    builder = _Builder(tables, rng)
    entities: list[SyntheticEntity] = []
    remaining = aliases
    failures = 0
    while remaining > 0:
        budget = min(builder._budget(), remaining)
        draw = rng.random()
        make = builder.city if draw < CITY_SHARE else builder.org if draw < CITY_SHARE + ORG_SHARE \
            else builder.person
        entity = make(budget)
        if entity is None:
            failures += 1
            if failures > 1000 + aliases:
                raise RuntimeError(f"name parts exhausted after {len(entities)} entities")
            continue
        entities.append(entity)
        remaining -= len(entity.aliases)

    comment = f"generated by benchmarks.synthetic (aliases={aliases}, seed={seed}); do not edit"
    for type_ in sorted({e.type for e in entities}):
        of_type = [e for e in entities if e.type == type_]
        person = type_ == "person"   # a person's table adds the gender ("-": not known)
        _write_tsv(directory / "entities" / f"{type_}.tsv",
                   ("id", "canonical_name", "external_ids", *(("gender",) if person else ())),
                   [(e.id, e.canonical_name, "-", *(("-",) if person else ())) for e in of_type], comment)
        _write_tsv(directory / "aliases" / f"{type_}.tsv", ("entity_id", "text", "lang", "kind", "source"),
                   [(e.id, text, lang, kind, "curated") for e in of_type for text, lang, kind in e.aliases[1:]],
                   comment)
    return SyntheticLexicon(directory, seed, entities, tables, builder.alias_keys)


def _header(path: Path) -> tuple[str, ...]:
    """The columns of a table as its header line names them (a person's table adds gender)."""
    with path.open(encoding="utf-8") as f:
        return next(tuple(line.rstrip("\n").split("\t")) for line in f
                    if line.strip() and not line.startswith("#"))


def read_alias_texts(directory: Path) -> tuple[list[str], list[str]]:
    """(texts, entity IDs) of every alias of a lexicon on disk, canonical names included.

    For the plain-scan baseline: it needs nothing but the strings.
    """
    texts: list[str] = []
    ids: list[str] = []
    directory = Path(directory)
    for path in sorted((directory / "entities").glob("*.tsv")):
        for row in read_table_strict(path, _header(path)):
            ids.append(row["id"])
            texts.append(row["canonical_name"])
    for path in sorted((directory / "aliases").glob("*.tsv")):
        for row in read_table_strict(path, ("entity_id", "text", "lang", "kind", "source")):
            ids.append(row["entity_id"])
            texts.append(row["text"])
    return texts, ids


# --------------------------------------------------------------------------- queries

def _script_alphabets(tables: NamePartTables) -> dict[str, str]:
    """Letters of each script, taken from the name parts (for typos)."""
    alphabets: dict[str, set[str]] = {s: set() for s in SCRIPTS}
    for part in tables.given + tables.surnames:
        for script in SCRIPTS:
            alphabets[script].update(ch for ch in part.form(script).lower() if ch.isalpha())
    alphabets["arabic"] |= alphabets.pop("persian")
    return {s: "".join(sorted(chars)) for s, chars in alphabets.items()}


def _script_of_text(text: str) -> str:
    for ch in text:
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if "\u0600" <= ch <= "\u06ff":
            return "arabic"
    return "latin"


def typo(text: str, rng: random.Random, alphabet: str) -> str | None:
    """``text`` with one edit (delete, insert, substitute, transpose) inside a word of 4+ letters."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\w{4,}", text)]
    if not words:
        return None
    start, end = rng.choice(words)
    at = rng.randrange(start + 1, end)            # keep the first letter: typos rarely hit it
    op = rng.choice(("delete", "insert", "substitute", "transpose"))
    if op == "delete":
        return text[:at] + text[at + 1:]
    if op == "insert":
        return text[:at] + rng.choice(alphabet) + text[at:]
    if op == "substitute":
        return text[:at] + rng.choice(alphabet.replace(text[at].lower(), "")) + text[at + 1:]
    if at + 1 >= end or text[at] == text[at + 1]:
        return None
    return text[:at] + text[at + 1] + text[at] + text[at + 2:]


class _QueryMaker:
    def __init__(self, lexicon: SyntheticLexicon, rng: random.Random) -> None:
        self.lexicon = lexicon
        self.rng = rng
        self.alphabets = _script_alphabets(lexicon.tables)
        self.people = [e for e in lexicon.entities if e.type == "person"]
        self.missing = [e for e in self.people if e.missing]
        self.used: set[str] = set()

    def _fresh(self, text: str | None) -> bool:
        """Not an alias of anything, not asked before."""
        if not text:
            return False
        key = collision_key(text)
        if not key or key in self.lexicon.alias_keys or key in self.used:
            return False
        self.used.add(key)
        return True

    def exact(self) -> Query | None:
        entity = self.rng.choice(self.lexicon.entities)
        text = self.rng.choice(entity.aliases)[0]
        if collision_key(text) in self.used:
            return None
        self.used.add(collision_key(text))
        return Query(text, entity.id, "exact")

    def romanization(self) -> Query | None:
        entity = self.rng.choice(self.lexicon.entities)
        changes = 2 if self.rng.random() < 0.4 else 1    # two habits combine in one spelling
        text = romanization_variant(entity.canonical_name, self.rng, self.lexicon.tables.romanization_rules,
                                    changes=changes)
        return Query(text, entity.id, "romanization") if self._fresh(text) else None

    def script(self) -> Query | None:
        if not self.missing:
            return None
        entity = self.rng.choice(self.missing)
        script = self.rng.choice(entity.missing)
        parts = entity.parts
        if len(parts) > 2 and self.rng.random() < 0.5:   # the short form: given name and surname
            parts = (parts[0], parts[-1])
        text = entity.rendered(script, parts)
        return Query(text, entity.id, "script") if self._fresh(text) else None

    def typo(self) -> Query | None:
        entity = self.rng.choice(self.lexicon.entities)
        original = self.rng.choice(entity.aliases)[0]
        text = typo(original, self.rng, self.alphabets[_script_of_text(original)])
        return Query(text, entity.id, "typo") if self._fresh(text) else None

    def reordered(self) -> Query | None:
        entity = self.rng.choice(self.people)
        scripts = sorted({_script_of_language(lang) for _, lang, kind in entity.aliases if kind == "name"})
        script = self.rng.choice(scripts)
        parts = (entity.parts[-1],) + entity.parts[:-1]     # surname first
        text = entity.rendered(script, parts)
        if script in ("latin", "cyrillic") and self.rng.random() < 0.5:
            head, _, tail = text.partition(" ")
            text = f"{head}, {tail}"
        return Query(text, entity.id, "reordered") if self._fresh(text) else None

    def unknown(self) -> Query | None:
        tables = self.lexicon.tables
        surname = self.rng.choice(tables.heldout_surnames)
        # half fully unknown; half a common known given name with an unknown surname
        pool = tables.heldout_given if self.rng.random() < 0.5 else tables.given
        given = self.rng.choice(pool)
        script = self.rng.choice(SCRIPTS)
        text = f"{given.form(script)} {surname.form(script)}"
        return Query(text, None, "unknown") if self._fresh(text) else None


def make_queries(lexicon: SyntheticLexicon, *, n: int, seed: int = 0) -> list[Query]:
    """``n`` labelled queries, the kinds of QUERY_KINDS taking turns (so any prefix is balanced)."""
    rng = random.Random(seed)
    maker = _QueryMaker(lexicon, rng)
    queries: list[Query] = []
    attempts = 0
    while len(queries) < n:
        kind = QUERY_KINDS[len(queries) % len(QUERY_KINDS)]
        query = getattr(maker, kind)()
        attempts += 1
        if attempts > 200 * (n + 10):
            raise RuntimeError(f"cannot draw {n} queries from this lexicon (got {len(queries)})")
        if query is not None:
            queries.append(query)
    return queries


def write_queries(path: Path, queries: list[Query]) -> None:
    """Queries as a TSV file (query, expected, kind); ``NIL`` for an unknown name."""
    rows = [(q.text, q.expected_id or "NIL", q.kind) for q in queries]
    _write_tsv(Path(path), ("query", "expected", "kind"), rows, "generated by benchmarks.synthetic")


def read_queries(path: Path) -> list[Query]:
    rows = read_table_strict(Path(path), ("query", "expected", "kind"))
    return [Query(r["query"], None if r["expected"] == "NIL" else r["expected"], r["kind"]) for r in rows]
