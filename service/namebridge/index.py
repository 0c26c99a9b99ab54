"""Keys -> candidate aliases, built once at load; never a scan of all aliases.

Two levels, because real lexicons repeat tokens far more than they repeat
names:

- the *vocabulary*: every distinct alias token, with its matching keys
  (``keys.py``) and its weight (how informative it is);
- *postings*: for each vocabulary token, the aliases that contain it.

A query token finds vocabulary tokens through exact keys (full key,
skeleton) and through single deletions of them (symmetric-delete lookup: an
edit or two apart), then only the aliases in those tokens' postings are
scored. Posting lists that are too long are intersected instead of expanded
(see ``candidate_aliases``), so cost follows the size of the answer, not the
size of the lexicon.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Iterable

from namebridge.keys import KeyTable, TokenKeys, token_keys
from namebridge.lexicon.loader import Lexicon
from namebridge.lexicon.model import Alias
from namebridge.morphology import Morphology
from namebridge.normalize import NormalizationTables, tokenize
from namebridge.scripts import ABJADS, detect_script
from namebridge.wordlists import WordLists

#: full keys shorter than this get no deletion entries (too many neighbours)
MIN_FULL_DELETE_LENGTH = 4
#: skeletons shorter than this get no deletion entries
MIN_SKELETON_DELETE_LENGTH = 3
#: weight factor of a common given name
COMMON_NAME_FACTOR = 0.35
#: weight of a patronymic (Kemelevich, Kemeluly)
PATRONYMIC_WEIGHT = 0.2
#: aliases with less evidence than this share of the best one's are not scored
MIN_EVIDENCE_RATIO = 0.5
#: aliases of one entity scored per query at most (the ones with most evidence)
ALIASES_PER_ENTITY = 3


def deletions(key: str) -> set[str]:
    """Every string one character shorter than ``key``."""
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def token_weight(document_frequency: int) -> float:
    """How informative a token is: 1 for a token of one entity, less the more entities share it."""
    return 1.0 / (1.0 + math.log2(max(document_frequency, 1)))


@dataclass(slots=True)
class VocabularyToken:
    """One distinct alias token."""

    text: str
    keys: TokenKeys
    abjad: bool
    weight: float = 1.0
    common: bool = False
    postings: array = field(default_factory=lambda: array("I"))


@dataclass(slots=True)
class AliasIndex:
    """The vocabulary, the key maps and the postings of a lexicon."""

    vocabulary: list[VocabularyToken]
    by_text: dict[str, int]
    by_full: dict[str, list[int]]
    by_skeleton: dict[str, list[int]]
    by_full_deletion: dict[str, list[int]]
    by_skeleton_deletion: dict[str, list[int]]
    aliases: tuple[Alias, ...]
    alias_tokens: list[tuple[int, ...]]
    alias_entity: array          #: alias position -> entity position
    entity_ids: list[str]

    # --- building -----------------------------------------------------------

    @classmethod
    def build(cls, lexicon: Lexicon, *, key_table: KeyTable, morphology: Morphology,
              wordlists: WordLists, normalization: NormalizationTables | None = None) -> "AliasIndex":
        entity_ids = list(lexicon.entities)
        entity_position = {eid: i for i, eid in enumerate(entity_ids)}
        vocabulary: list[VocabularyToken] = []
        by_text: dict[str, int] = {}
        alias_tokens: list[tuple[int, ...]] = []
        alias_entity = array("I")
        entities_of_token: list[set[int] | int] = []

        for position, alias in enumerate(lexicon.aliases):
            entity = entity_position[alias.entity_id]
            ids: list[int] = []
            for token in morphology.rejoin(tokenize(alias.text, normalization)):
                vid = by_text.get(token.text)
                if vid is None:
                    vid = len(vocabulary)
                    by_text[token.text] = vid
                    vocabulary.append(_vocabulary_token(token.text, key_table, morphology))
                    entities_of_token.append(entity)
                else:
                    seen = entities_of_token[vid]
                    if isinstance(seen, int):
                        if seen != entity:
                            entities_of_token[vid] = {seen, entity}
                    else:
                        seen.add(entity)
                vocabulary[vid].postings.append(position)
                ids.append(vid)
            alias_tokens.append(tuple(ids))
            alias_entity.append(entity)

        # Informativeness belongs to a name, not to one spelling of it: a rare
        # spelling (Zhaksjlyk) of a common name (Zhaksylyk) is not rare evidence.
        # A token's document frequency is the largest number of entities that
        # share any of its skeleton readings.
        entities_of_reading: dict[str, set[int]] = {}
        for vid, vt in enumerate(vocabulary):
            seen = entities_of_token[vid]
            for reading in _cluster_keys(vt):
                cluster = entities_of_reading.setdefault(reading, set())
                if isinstance(seen, int):
                    cluster.add(seen)
                else:
                    cluster.update(seen)
        by_full: dict[str, list[int]] = {}
        by_skeleton: dict[str, list[int]] = {}
        by_full_deletion: dict[str, list[int]] = {}
        by_skeleton_deletion: dict[str, list[int]] = {}
        for vid, vt in enumerate(vocabulary):
            frequency = max(len(entities_of_reading[r]) for r in _cluster_keys(vt))
            vt.weight, vt.common = _weight(vt, frequency, wordlists)
            for key in vt.keys.full:
                by_full.setdefault(key, []).append(vid)
            for key in vt.keys.skeleton:
                by_skeleton.setdefault(key, []).append(vid)
            first_full = vt.keys.full[0]
            if not vt.abjad and len(first_full) >= MIN_FULL_DELETE_LENGTH:
                for d in deletions(first_full):
                    by_full_deletion.setdefault(d, []).append(vid)
            for skeleton in vt.keys.skeleton[:2]:
                if len(skeleton) >= MIN_SKELETON_DELETE_LENGTH:
                    for d in deletions(skeleton):
                        by_skeleton_deletion.setdefault(d, []).append(vid)
        return cls(vocabulary, by_text, by_full, by_skeleton, by_full_deletion,
                   by_skeleton_deletion, lexicon.aliases, alias_tokens, alias_entity, entity_ids)

    # --- lookup ---------------------------------------------------------------

    def vocabulary_candidates(self, text: str, keys: TokenKeys, *, abjad: bool) -> list[int]:
        """Vocabulary tokens that may match a query form: exact keys first, then one edit away."""
        found: dict[int, None] = {}
        vid = self.by_text.get(text)
        if vid is not None:
            found[vid] = None
        exact_maps: list[tuple[dict[str, list[int]], Iterable[str]]] = [(self.by_skeleton, keys.skeleton)]
        if not abjad:
            exact_maps.insert(0, (self.by_full, keys.full))
        for mapping, query_keys in exact_maps:
            for key in query_keys:
                for v in mapping.get(key, ()):
                    found[v] = None
        # one edit away: the query key with a deletion, or an alias key with one
        near: list[tuple[dict[str, list[int]], dict[str, list[int]], str, int]] = [
            (self.by_skeleton, self.by_skeleton_deletion, s, MIN_SKELETON_DELETE_LENGTH)
            for s in keys.skeleton[:2]]
        if not abjad:
            near.insert(0, (self.by_full, self.by_full_deletion, keys.full[0], MIN_FULL_DELETE_LENGTH))
        for exact, deleted, key, minimum in near:
            if len(key) < minimum:
                continue
            for v in deleted.get(key, ()):
                found[v] = None
            for d in deletions(key):
                for v in exact.get(d, ()):
                    found[v] = None
                for v in deleted.get(d, ()):
                    found[v] = None
        return list(found)

    def candidate_aliases(self, matched: list[dict[int, tuple[float, str]]], *, expand_limit: int,
                          score_limit: int) -> list[int]:
        """The aliases worth scoring for a query, most promising first.

        ``matched`` holds, per query token, the vocabulary tokens it met and
        with what similarity. Each alias in their postings earns, per query
        token, the best ``similarity x weight`` among its tokens; the
        ``score_limit`` aliases with the most evidence (fewer alias tokens
        first on a tie: they leave less uncovered) are scored in full.

        A query token whose postings exceed ``expand_limit`` is not expanded
        when shorter lists already gave candidates; if every list is long, they
        are intersected, shortest first. The work is bounded by the postings
        touched, never by the number of aliases in the lexicon.
        """
        vocabulary = self.vocabulary
        sized = []
        for hits in matched:
            if hits:
                size = sum(len(vocabulary[v].postings) for v in hits)
                sized.append((size, hits))
        if not sized:
            return []
        sized.sort(key=lambda item: item[0])
        evidence: dict[int, float] = {}
        expanded = [hits for size, hits in sized if size <= expand_limit]
        if not expanded:
            allowed = self._postings_union(sized[0][1])
            for _size, hits in sized[1:]:
                if len(allowed) <= score_limit:
                    break
                narrowed = allowed.intersection(self._postings_union(hits))
                if narrowed:
                    allowed = narrowed
            for position in allowed:
                evidence[position] = 0.0
            expanded = [hits for _size, hits in sized]
            restrict: set[int] | None = allowed
        else:
            restrict = None
        for hits in expanded:
            # a query token weighs the same whichever spelling it met: the weight
            # of its best match (its own spelling, if the lexicon has it)
            weight = vocabulary[max(hits, key=lambda v: hits[v][0])].weight
            best: dict[int, float] = {}
            for vid, (similarity, _key) in hits.items():
                contribution = similarity * weight
                for position in vocabulary[vid].postings:
                    if contribution > best.get(position, 0.0):
                        best[position] = contribution
            for position, contribution in best.items():
                if restrict is None or position in restrict:
                    evidence[position] = evidence.get(position, 0.0) + contribution
        if not evidence:
            return []
        # an alias with less than half the best evidence cannot reach a decision
        floor = max(evidence.values()) * MIN_EVIDENCE_RATIO
        tokens = self.alias_tokens
        ranked = sorted((p for p, e in evidence.items() if e >= floor),
                        key=lambda p: (-evidence[p], len(tokens[p]), p))
        # an entity's spellings in other scripts carry the same evidence: its best few suffice
        chosen: list[int] = []
        per_entity: dict[int, int] = {}
        entity_of = self.alias_entity
        for position in ranked:
            entity = entity_of[position]
            seen = per_entity.get(entity, 0)
            if seen < ALIASES_PER_ENTITY:
                per_entity[entity] = seen + 1
                chosen.append(position)
                if len(chosen) == score_limit:
                    break
        return chosen

    def _postings_union(self, vids: Iterable[int]) -> set[int]:
        union: set[int] = set()
        for v in vids:
            union.update(self.vocabulary[v].postings)
        return union


def _vocabulary_token(text: str, key_table: KeyTable, morphology: Morphology) -> VocabularyToken:
    script = detect_script(text)
    keys = token_keys(text, key_table)
    bare = morphology.without_article(text, script)
    if bare is not None:
        # Arabic article: also index the keys of the bare word (الامارات ~ امارات)
        extra = token_keys(bare, key_table)
        keys = TokenKeys(tuple(dict.fromkeys(keys.full + extra.full)),
                         tuple(dict.fromkeys(keys.skeleton + extra.skeleton)))
    return VocabularyToken(text, keys, script in ABJADS)


def _cluster_keys(vt: VocabularyToken) -> tuple[str, ...]:
    """What spellings of one name share: their skeleton readings (the text if it has none)."""
    return tuple(s for s in vt.keys.skeleton if s) or (vt.text,)


def _weight(vt: VocabularyToken, frequency: int, wordlists: WordLists) -> tuple[float, bool]:
    """(weight, is common given name) of a vocabulary token."""
    if vt.text in wordlists.particles:
        return wordlists.particles[vt.text], False
    if wordlists.is_patronymic(vt.text):
        return PATRONYMIC_WEIGHT, False
    weight = token_weight(frequency)
    if wordlists.is_common_given_name(vt.keys, abjad=vt.abjad):
        return weight * COMMON_NAME_FACTOR, True
    return weight, False
