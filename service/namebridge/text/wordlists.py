"""Token lists that change how much a token weighs (``lexicons/tokens/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.text.keys import KeyTable, TokenKeys, token_keys
from namebridge.tsv import read_table
from namebridge.text.normalize import normalize_text


PARTICLE_KINDS = ("particle", "title", "patronymic_prefix", "patronymic_suffix")


@dataclass(frozen=True, slots=True)
class WordLists:
    """Particles with their weights, patronymic endings, common given names (by key)."""

    particles: dict[str, float]
    patronymic_prefixes: frozenset[str]   #: bin, ibn: the next token is a father's name
    patronymic_suffixes: frozenset[str]   #: uly, kyzy written apart: the previous token is
    patronymic_endings: tuple[str, ...]
    common_name_keys: frozenset[str]        #: full keys of common given names
    common_name_skeletons: frozenset[str]   #: their skeletons, for abjad spellings (محمد)

    @classmethod
    def load(cls, directory: Path, key_table: KeyTable) -> "WordLists":
        problems: list[Problem] = []
        particles: dict[str, float] = {}
        kinds: dict[str, set[str]] = {k: set() for k in PARTICLE_KINDS}
        for r in read_table(directory / "particles.tsv", ("token", "weight", "kind", "note"), problems):
            if r["kind"] not in PARTICLE_KINDS:
                problems.append(r.problem(f"kind must be one of {', '.join(PARTICLE_KINDS)}"))
                continue
            token = normalize_text(r["token"])
            try:
                weight = float(r["weight"])
            except ValueError:
                problems.append(r.problem(f"weight must be a number, got {r['weight']!r}"))
                continue
            if not 0.0 <= weight <= 1.0:
                problems.append(r.problem("weight must be in [0, 1]"))
            elif token in particles:
                problems.append(r.problem(f"duplicate particle {r['token']!r}"))
            else:
                particles[token] = weight
                kinds[r["kind"]].add(token)
        endings = []
        for r in read_table(directory / "patronymic_endings.tsv", ("ending", "note"), problems):
            ending = normalize_text(r["ending"])
            if ending in endings:
                problems.append(r.problem(f"duplicate ending {r['ending']!r}"))
            endings.append(ending)
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
        return cls(particles, frozenset(kinds["patronymic_prefix"]), frozenset(kinds["patronymic_suffix"]),
                   tuple(sorted(endings, key=len, reverse=True)), frozenset(common), frozenset(skeletons))

    def is_patronymic(self, token: str) -> bool:
        """True for a token with a patronymic ending (the caller knows it is not a name's first token)."""
        return len(token) > 5 and token.endswith(self.patronymic_endings)

    def is_common_given_name(self, keys: TokenKeys, *, abjad: bool) -> bool:
        """True if the token reads as a common given name (on skeletons for abjad spellings)."""
        if abjad:
            return any(s in self.common_name_skeletons for s in keys.skeleton)
        return keys.full[0] in self.common_name_keys
