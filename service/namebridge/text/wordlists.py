"""Token lists that give a token a role and change how much it weighs (``lexicons/tokens/``).

Name structure is data: particles, titles, lineage markers (bin, uly), patronymic
endings, generational markers (Jr., младший), place qualifiers (City, Oblast)
and organisation or state descriptors (International, Republic), each file one
token per line with its language. The matcher reads roles from here
(``matching/query.py``); what each role does to a score is in ``matching/scoring.py``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.text.keys import KeyTable, TokenKeys, token_keys
from namebridge.tsv import read_table
from namebridge.text.normalize import normalize_text


PARTICLE_KINDS = ("particle",)
#: an organisation's descriptor or legal form, or the form of a state
DESCRIPTOR_KINDS = ("org", "state")
#: where a lineage marker says the father's (or family's) name is
LINEAGE_POSITIONS = ("father_next", "father_previous", "family_next", "name_next")
#: a language tag in the token files: BCP 47 language, optional script (ar-Latn), or mul
LANGUAGE_TAG = re.compile(r"^(mul|[a-z]{2,3}(-[A-Z][a-z]{3})?)$")
#: the weights of the optional-word roles until the scorer sets its own (``WordLists.weighted``)
DEFAULT_TITLE_WEIGHT = 0.0
DEFAULT_DESCRIPTOR_WEIGHT = 0.05


@dataclass(frozen=True, slots=True)
class WordLists:
    """Particles with their weights, patronymic endings, common given names (by key), and the
    structural roles: titles, descriptors, generational markers, place qualifiers."""

    particles: dict[str, float]             #: every cheap, optional word -> its weight (titles, descriptors too)
    patronymic_prefixes: frozenset[str]   #: bin, ibn: the next token is a father's name
    patronymic_suffixes: frozenset[str]   #: uly, kyzy written apart: the previous token is
    patronymic_endings: tuple[str, ...]
    common_name_keys: frozenset[str]        #: full keys of common given names
    common_name_skeletons: frozenset[str]   #: their skeletons, for abjad spellings (محمد)
    titles: frozenset[str] = frozenset()            #: President, السيد, господин: dropped
    descriptors: frozenset[str] = frozenset()       #: International, Inc, Republic: optional
    generational: frozenset[str] = frozenset()      #: Jr., младший, الابن: another person
    #: City, Oblast, محافظة -> the entity type the qualifier names ("" for none): another place
    qualifiers: dict[str, str] = dataclasses.field(default_factory=dict)
    family_markers: frozenset[str] = frozenset()    #: Āl, آل: the next token is a family name
    state_forms: frozenset[str] = frozenset()       #: Republic, Kingdom, Ҷумҳурии: optional
    name_prefixes: frozenset[str] = frozenset()     #: عبد, Abd: the next token is part of the same name

    @classmethod
    def load(cls, directory: Path, key_table: KeyTable) -> "WordLists":
        problems: list[Problem] = []
        particles: dict[str, float] = {}
        for r in read_table(directory / "particles.tsv", ("token", "weight", "kind", "note"), problems):
            if r["kind"] not in PARTICLE_KINDS:
                problems.append(r.problem(f"kind must be one of {', '.join(PARTICLE_KINDS)}"))
                continue
            token = normalize_text(r["token"])
            weight = _weight(r, problems)
            if weight is None:
                continue
            if token in particles:
                problems.append(r.problem(f"duplicate particle {r['token']!r}"))
            else:
                particles[token] = weight
        lineage: dict[str, set[str]] = {p: set() for p in LINEAGE_POSITIONS}
        seen_lineage: set[tuple[str, str]] = set()
        for r in read_table(directory / "lineage_markers.tsv", ("token", "lang", "position", "weight", "note"),
                            problems):
            token = _token(r, seen_lineage, problems)
            weight = _weight(r, problems)
            if token is None or weight is None:
                continue
            if r["position"] not in LINEAGE_POSITIONS:
                problems.append(r.problem(f"position must be one of {', '.join(LINEAGE_POSITIONS)}"))
                continue
            if token in particles and particles[token] != weight and token not in _all(lineage):
                problems.append(r.problem(f"{r['token']!r} is also in particles.tsv: list it once"))
                continue
            particles[token] = weight
            lineage[r["position"]].add(token)
        endings: list[str] = []
        seen_endings: set[tuple[str, str]] = set()
        for r in read_table(directory / "patronymic_endings.tsv", ("ending", "lang", "note"), problems):
            ending = _token(r, seen_endings, problems, column="ending")
            if ending is not None and ending not in endings:
                endings.append(ending)
        titles = _token_set(directory / "titles.tsv", ("token", "lang", "note"), problems)
        descriptors: set[str] = set()
        state_forms: set[str] = set()
        seen_descriptors: set[tuple[str, str]] = set()
        for r in read_table(directory / "org_descriptors.tsv", ("token", "lang", "kind", "note"), problems):
            token = _token(r, seen_descriptors, problems)
            if token is None:
                continue
            if r["kind"] not in DESCRIPTOR_KINDS:
                problems.append(r.problem(f"kind must be one of {', '.join(DESCRIPTOR_KINDS)}"))
            else:
                (descriptors if r["kind"] == "org" else state_forms).add(token)
        generational = _token_set(directory / "generational_markers.tsv", ("token", "lang", "note"), problems)
        qualifiers: dict[str, str] = {}
        seen_qualifiers: set[tuple[str, str]] = set()
        for r in read_table(directory / "place_qualifiers.tsv", ("token", "lang", "names", "note"), problems):
            token = _token(r, seen_qualifiers, problems)
            if token is None:
                continue
            names = "" if r["names"] == "-" else r["names"]
            if qualifiers.get(token, names) != names:
                problems.append(r.problem(f"{r['token']!r} names another type in an earlier line"))
            qualifiers[token] = names
        for name, tokens in (("titles.tsv", titles), ("org_descriptors.tsv", descriptors | state_forms),
                             ("generational_markers.tsv", generational), ("place_qualifiers.tsv", qualifiers)):
            clash = sorted(t for t in tokens if t in particles)
            if clash:
                problems.append(Problem(str(directory / name), 0,
                                        f"also a particle or lineage marker: {', '.join(clash)}"))
        for token in titles:
            particles[token] = DEFAULT_TITLE_WEIGHT
        for token in descriptors | state_forms:
            particles.setdefault(token, DEFAULT_DESCRIPTOR_WEIGHT)
        common: set[str] = set()
        skeletons: set[str] = set()
        seen: set[str] = set()
        for r in read_table(directory / "common_given_names.tsv", ("name", "note"), problems):
            name = normalize_text(r["name"])
            if name in seen:
                problems.append(r.problem(f"duplicate name {r['name']!r}"))
            seen.add(name)
            keys = token_keys(name, key_table)
            common.add(keys.full[0])
            skeletons.add(keys.skeleton[0])
        if problems:
            raise DataFileError(problems)
        return cls(particles, frozenset(lineage["father_next"]), frozenset(lineage["father_previous"]),
                   tuple(sorted(endings, key=len, reverse=True)), frozenset(common), frozenset(skeletons),
                   frozenset(titles), frozenset(descriptors - titles), frozenset(generational), qualifiers,
                   frozenset(lineage["family_next"]), frozenset(state_forms - titles - descriptors),
                   frozenset(lineage["name_next"]))

    def weighted(self, *, title: float, descriptor: float) -> "WordLists":
        """The same lists with the weights of titles and descriptors set (the scorer's table)."""
        particles = dict(self.particles)
        for token in self.titles:
            particles[token] = title
        for token in self.descriptors | self.state_forms:
            particles[token] = descriptor
        return dataclasses.replace(self, particles=particles)

    def role_of_particle(self, token: str) -> str:
        """``title``, ``descriptor``, ``state_form`` or ``particle``: what kind of cheap word ``token`` is."""
        if token in self.titles:
            return "title"
        if token in self.descriptors:
            return "descriptor"
        if token in self.state_forms:
            return "state_form"
        return "particle"

    def is_patronymic(self, token: str) -> bool:
        """True for a token with a patronymic ending (the caller knows it is not a name's first token)."""
        return len(token) > 5 and token.endswith(self.patronymic_endings)

    def is_common_given_name(self, keys: TokenKeys, *, abjad: bool) -> bool:
        """True if the token reads as a common given name (on skeletons for abjad spellings)."""
        if abjad:
            return any(s in self.common_name_skeletons for s in keys.skeleton)
        return keys.full[0] in self.common_name_keys


def _all(lineage: dict[str, set[str]]) -> set[str]:
    return set().union(*lineage.values())


def _weight(r, problems: list[Problem]) -> float | None:  # type: ignore[no-untyped-def]
    """The row's weight in [0, 1], or None (with a problem reported)."""
    try:
        weight = float(r["weight"])
    except ValueError:
        problems.append(r.problem(f"weight must be a number, got {r['weight']!r}"))
        return None
    if not 0.0 <= weight <= 1.0:
        problems.append(r.problem("weight must be in [0, 1]"))
        return None
    return weight


def _token(r, seen: set[tuple[str, str]], problems: list[Problem],  # type: ignore[no-untyped-def]
           column: str = "token") -> str | None:
    """The row's token normalised, its language checked, (token, lang) not seen before; else None."""
    token = normalize_text(r[column])
    if not token or " " in token:
        problems.append(r.problem(f"{column} {r[column]!r} is not a single token"))
        return None
    if not LANGUAGE_TAG.match(r["lang"]):
        problems.append(r.problem(f"lang must be a BCP 47 tag (en, ar-Latn) or mul, got {r['lang']!r}"))
        return None
    if (token, r["lang"]) in seen:
        problems.append(r.problem(f"duplicate {column} {r[column]!r} for {r['lang']}"))
        return None
    seen.add((token, r["lang"]))
    return token


def _token_set(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> set[str]:
    """The normalised tokens of a ``token lang note`` file."""
    seen: set[tuple[str, str]] = set()
    tokens: set[str] = set()
    for r in read_table(path, columns, problems):
        token = _token(r, seen, problems)
        if token is not None:
            tokens.add(token)
    return tokens
