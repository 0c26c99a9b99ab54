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
            for token in tokenize(alias.text, normalization):
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

        by_full: dict[str, list[int]] = {}
        by_skeleton: dict[str, list[int]] = {}
        by_full_deletion: dict[str, list[int]] = {}
        by_skeleton_deletion: dict[str, list[int]] = {}
        for vid, vt in enumerate(vocabulary):
            seen = entities_of_token[vid]
            frequency = 1 if isinstance(seen, int) else len(seen)
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

    def candidate_aliases(self, matched: list[dict[int, object]], *, expand_limit: int,
                          score_limit: int) -> list[int]:
        """Aliases worth scoring for a query, given each query token's matched vocabulary.

        Tokens whose postings are short are expanded (their aliases are all
        candidates). If none is short, the long posting lists are intersected,
        shortest first, until few enough aliases remain. The result is capped
        at ``score_limit``; the work is bounded by the postings touched, never
        by the number of aliases in the lexicon.
        """
        sized = []
        for vids in matched:
            if vids:
                size = sum(len(self.vocabulary[v].postings) for v in vids)
                sized.append((size, vids))
        if not sized:
            return []
        sized.sort(key=lambda item: item[0])
        candidates: set[int] = set()
        for size, vids in sized:
            if size <= expand_limit:
                for v in vids:
                    candidates.update(self.vocabulary[v].postings)
        if not candidates:
            candidates = self._postings_union(sized[0][1])
            for _size, vids in sized[1:]:
                if len(candidates) <= score_limit:
                    break
                narrowed = candidates.intersection(self._postings_union(vids))
                if narrowed:
                    candidates = narrowed
        if len(candidates) > score_limit:
            return sorted(candidates)[:score_limit]
        return list(candidates)

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
