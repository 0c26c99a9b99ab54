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
from typing import Callable, Iterable

from namebridge.text.keys import KeyTable, TokenKeys, token_keys
from namebridge.lexicon.loader import COMPOUND, Lexicon
from namebridge.lexicon.model import Alias
from namebridge.text.morphology import Morphology
from namebridge.text.normalize import NormalizationTables, tokenize
from namebridge.text.scripts import ABJADS, detect_script
from namebridge.text.wordlists import WordLists

#: full keys shorter than this get no deletion entries (too many neighbours)
MIN_FULL_DELETE_LENGTH = 4
#: skeletons shorter than this get no deletion entries
MIN_SKELETON_DELETE_LENGTH = 3
#: weight factor of a common given name
COMMON_NAME_FACTOR = 0.35
#: weight of a patronymic (Kemelevich, Kemeluly)
PATRONYMIC_WEIGHT = 0.2
#: aliases with less evidence than this share of the best one's are not scored
MIN_EVIDENCE_RATIO = 0.35
#: aliases of one entity scored per query at most (the ones with most evidence)
ALIASES_PER_ENTITY = 3
#: evidence an initial adds to an alias with a word starting with its letter
INITIAL_EVIDENCE = 0.25
#: evidence of an alias is scaled from this (none of its tokens covered) to 1 (all covered)
EVIDENCE_BASE = 0.65


def deletions(key: str) -> list[str]:
    """Every string one character shorter than ``key``, once each, in the order of the
    deleted position (an order that does not change with the string hash seed)."""
    return list(dict.fromkeys(key[:i] + key[i + 1:] for i in range(len(key))))


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
    #: written as an acronym by some alias (ABD, АҚШ, U.S.): met only as written
    acronym: bool = False
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
    alias_abjad: bytearray = field(init=False)           #: alias position -> first token in an abjad
    by_bag: dict[tuple[int, ...], int | list[int]] = field(init=False)  #: sorted tokens -> alias position(s)
    alias_with_initials: frozenset[int] = field(init=False)  #: aliases with a one-letter token
    #: base form (``Morphology.base_forms``) -> vocabulary tokens with that base form: every token of
    #: a phrase inflects, so an inflected query token meets an alias token by their shared base
    #: (штатов ~ штаты, белом ~ белый)
    by_base: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        vocabulary = self.vocabulary
        self.alias_abjad = bytearray(vocabulary[ids[0]].abjad if ids else False for ids in self.alias_tokens)
        self.alias_with_initials = frozenset(position for position, ids in enumerate(self.alias_tokens)
                                             if any(len(vocabulary[v].text) == 1 for v in ids))
        # aliases by their tokens in any order: the ones a query writes exactly
        by_bag: dict[tuple[int, ...], int | list[int]] = {}
        for position, ids in enumerate(self.alias_tokens):
            bag = ids if len(ids) < 2 or ids == tuple(sorted(ids)) else tuple(sorted(ids))
            seen = by_bag.setdefault(bag, position)
            if seen != position:
                if isinstance(seen, int):
                    by_bag[bag] = [seen, position]
                else:
                    seen.append(position)
        self.by_bag = by_bag

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
        compounds: list[tuple[int, Alias, int, tuple[int, ...]]] = []

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
                if _is_acronym(alias, token.surface):
                    vocabulary[vid].acronym = True
                vocabulary[vid].postings.append(position)
                ids.append(vid)
            alias_tokens.append(tuple(ids))
            alias_entity.append(entity)
            if _writes_compounds(alias, ids, vocabulary, lexicon):
                compounds.append((position, alias, entity, tuple(ids)))

        # Persian and Arabic write compounds joined or apart (کاخ سفید, کاخ‌سفید):
        # a place or organisation alias of two or three tokens is also indexed
        # with each adjacent pair joined, as an extra entry for the same alias.
        all_aliases = list(lexicon.aliases)
        for _position, alias, entity, ids in compounds:
            for j in range(len(ids) - 1):
                text = vocabulary[ids[j]].text + vocabulary[ids[j + 1]].text
                vid = by_text.get(text)
                if vid is None:
                    vid = len(vocabulary)
                    by_text[text] = vid
                    vocabulary.append(_vocabulary_token(text, key_table, morphology))
                    entities_of_token.append(entity)
                position = len(all_aliases)
                all_aliases.append(alias)
                vocabulary[vid].postings.append(position)
                alias_tokens.append(ids[:j] + (vid,) + ids[j + 2:])
                alias_entity.append(entity)

        # Informativeness belongs to a name, not to one spelling of it: a rare
        # spelling (Zhaksjlyk) of a common name (Zhaksylyk) is not rare evidence.
        # A token's document frequency is the largest number of entities that
        # share any of its skeleton readings.
        # Particles (de, el, van) are left out of the clusters: their own weight is
        # fixed, and a name token that merely looks like one (Arabic دي, علي) is no
        # more common for every Spanish or French name that says "de".
        entities_of_reading: dict[str, set[int]] = {}
        particles = wordlists.particles
        for vid, vt in enumerate(vocabulary):
            if vt.text in particles:
                continue
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
            frequency = max(len(entities_of_reading.get(r, ())) for r in _cluster_keys(vt))
            vt.weight, vt.common = _weight(vt, frequency, wordlists, morphology)
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
        by_base: dict[str, list[int]] = {}
        for vid, vt in enumerate(vocabulary):
            if vt.abjad or vt.acronym or vt.text in wordlists.particles:
                continue
            for base in morphology.base_forms(vt.text, detect_script(vt.text)):
                by_base.setdefault(base, []).append(vid)
        return cls(vocabulary, by_text, by_full, by_skeleton, by_full_deletion,
                   by_skeleton_deletion, tuple(all_aliases), alias_tokens, alias_entity, entity_ids,
                   by_base=by_base)

    # --- lookup ---------------------------------------------------------------

    def exact_aliases(self, vids: Iterable[int], *, abjad: bool) -> list[int]:
        """Positions of the aliases made of exactly these vocabulary tokens (in any order),
        in the order ``candidate_aliases`` ranks aliases of equal evidence."""
        found = self.by_bag.get(tuple(sorted(vids)), ())
        positions = [found] if isinstance(found, int) else list(found)
        alias_abjad = self.alias_abjad
        # the same bag has the same length: the tie order is script, then lexicon order
        positions.sort(key=lambda p: (alias_abjad[p] != abjad, p))
        return positions

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
                          score_limit: int, anchoring: tuple[bool, ...] | None = None,
                          initials: tuple[str, ...] = (), words: tuple[str, ...] = (),
                          abjad: bool = False, exact: Iterable[int] = (),
                          may_reach: Callable[[int], bool] | None = None) -> list[tuple[int, int]]:
        """The aliases worth scoring for a query, most promising first.

        ``matched`` holds, per query token, the vocabulary tokens it met and
        how well; ``anchoring`` says which query tokens are names (particles
        and patronymics add evidence but do not choose candidates).
        Candidates are the aliases that hold two of the query's
        name tokens (posting sets intersected, rarest first); only if
        there are none, the aliases holding one of them, rarest token first,
        at most ``expand_limit``. Each candidate's evidence is computed from
        its own tokens (per query token: best similarity x the token's weight,
        scaled by how much of the alias it covers), and the ``score_limit``
        best, at most ``ALIASES_PER_ENTITY`` per entity, are scored in full.
        The ``exact`` aliases (written with exactly the query's tokens) are
        always among the candidates, however common their tokens.
        The work is bounded by the postings touched, never by the number of
        aliases in the lexicon. Each chosen alias comes with the query tokens
        it holds a match for, as a bit mask of their positions.

        ``may_reach(mask)`` says whether an alias holding matches for just these
        query tokens could score enough to be returned. When no alias holds two
        anchors, each expanded alias holds one anchor at most (with the tokens
        that anchor nothing); if no such alias may reach, and none writes an
        initial, nothing is expanded: none of it could have been returned.
        """
        vocabulary = self.vocabulary
        tokens = []
        anchors = []
        for k, hits in enumerate(matched):
            if hits:
                # a query token weighs the same whichever spelling it met
                weight = vocabulary[max(hits, key=lambda v: hits[v][0])].weight
                size = sum(len(vocabulary[v].postings) for v in hits)
                tokens.append((size, hits, weight, k))
                if anchoring is None or anchoring[k]:
                    anchors.append(tokens[-1])
        if not tokens:
            return []
        tokens.sort(key=lambda t: t[0])
        anchors.sort(key=lambda t: t[0])
        anchors = anchors or tokens
        candidates: set[int] = set()
        # a name repeated in the query (Jaber ... al-Jaber) anchors once
        distinct = {frozenset(token[1]): token for token in anchors}
        anchors = sorted(distinct.values(), key=lambda t: t[0])
        if len(anchors) >= 2:
            # every pair of anchors, intersected in C; the largest anchor's postings
            # are only ever probed, never turned into a set
            alias_tokens = self.alias_tokens
            for a in range(len(anchors) - 1):
                pool = self._postings_union(anchors[a][1])
                for size, hits, _weight, _k in anchors[a + 1:]:
                    if len(pool) * len(hits) < size:
                        # a small pool against a very common token: look at the pool's own tokens
                        candidates.update(p for p in pool if any(v in hits for v in alias_tokens[p]))
                    else:
                        for vid in hits:
                            candidates.update(pool.intersection(vocabulary[vid].postings))
        if len(anchors) >= 2 and candidates and words and self.alias_with_initials:
            # an alias writing initials (J. D. Vance) holds one anchor of a query writing the
            # names in full (James David Vance): it stays a candidate beside the aliases that
            # hold two, up to ``expand_limit`` postings looked at, rarest anchor first
            with_initials = self.alias_with_initials
            room = expand_limit
            for _size, hits, _weight, _k in anchors:
                for vid in hits:
                    postings = vocabulary[vid].postings[:room]
                    room -= len(postings)
                    candidates.update(p for p in postings if p in with_initials)
                    if room <= 0:
                        break
                if room <= 0:
                    break
        if not candidates:
            for _size, hits, _weight, _k in anchors:
                for vid in sorted(hits, key=lambda v: -hits[v][0]):
                    room = expand_limit - len(candidates)
                    if room <= 0:
                        break
                    candidates.update(vocabulary[vid].postings[:room])
            if may_reach is not None and not self._lone_anchor_may_reach(tokens, anchors, may_reach) \
                    and self.alias_with_initials.isdisjoint(candidates):
                candidates = set()
        candidates.update(exact)
        evidence, covering = self._evidence(candidates, tokens, initials, words)
        if not evidence:
            return []
        # an alias with much less evidence than the best cannot reach a decision
        floor = max(evidence.values()) * MIN_EVIDENCE_RATIO
        # on a tie, aliases written like the query first (an abjad query against abjad
        # spellings compares on more than skeletons), then shorter ones (``exact_aliases``
        # returns its aliases in this order too)
        alias_tokens = self.alias_tokens
        alias_abjad = self.alias_abjad
        ranked = [(-e, alias_abjad[p] != abjad, len(alias_tokens[p]), p)
                  for p, e in evidence.items() if e >= floor and e > 0.0]
        ranked.sort()
        # an entity's spellings in other scripts carry the same evidence: its best few suffice
        chosen: list[tuple[int, int]] = []
        per_entity: dict[int, int] = {}
        entity_of = self.alias_entity
        for _e, _script, _length, position in ranked:
            entity = entity_of[position]
            seen = per_entity.get(entity, 0)
            if seen < ALIASES_PER_ENTITY:
                per_entity[entity] = seen + 1
                chosen.append((position, covering[position]))
                if len(chosen) == score_limit:
                    break
        return chosen

    def _evidence(self, candidates: Iterable[int], tokens: list[tuple[int, dict, float, int]],
                  initials: tuple[str, ...], words: tuple[str, ...]) -> tuple[dict[int, float], dict[int, int]]:
        """(alias position -> evidence, alias position -> query tokens it holds a match for).

        Evidence: per query token, its best similarity to one of the alias's
        tokens times its weight, summed, scaled by the share of the alias
        covered. The tokens are a bit mask of query positions."""
        # vocabulary token -> (query token, similarity) for every pair that met: an alias
        # token no query token met costs one dictionary miss
        met: dict[int, list[tuple[int, float]]] = {}
        for k, (_size, hits, _weight, _position) in enumerate(tokens):
            for vid, (similarity, _key) in hits.items():
                met.setdefault(vid, []).append((k, similarity))
        weights = [weight for _size, _hits, weight, _position in tokens]
        bits = [1 << position for _size, _hits, _weight, position in tokens]
        slots = range(len(tokens))
        vocabulary = self.vocabulary
        alias_tokens = self.alias_tokens
        with_initials = self.alias_with_initials
        evidence: dict[int, float] = {}
        covering: dict[int, int] = {}
        for position in candidates:
            ids = alias_tokens[position]
            best = [0.0] * len(weights)
            for vid in ids:
                pairs = met.get(vid)
                if pairs is not None:
                    for k, similarity in pairs:
                        if similarity > best[k]:
                            best[k] = similarity
            total = 0.0
            covered = 0
            mask = 0
            for k in slots:
                if best[k]:
                    total += best[k] * weights[k]
                    covered += 1
                    mask |= bits[k]
            # initials on either side (K. Tokayev; the alias J. D. Vance for James David Vance)
            for initial in initials:
                if any(vocabulary[vid].text.startswith(initial) for vid in ids):
                    total += INITIAL_EVIDENCE
                    covered += 1
            if words and position in with_initials:
                for vid in ids:
                    text = vocabulary[vid].text
                    if len(text) == 1 and any(word.startswith(text) for word in words):
                        total += INITIAL_EVIDENCE
                        covered += 1
            evidence[position] = total * (EVIDENCE_BASE + (1.0 - EVIDENCE_BASE) * min(1.0, covered / len(ids)))
            covering[position] = mask
        return evidence, covering

    @staticmethod
    def _lone_anchor_may_reach(tokens: list[tuple[int, dict, float, int]], anchors: list[tuple[int, dict, float, int]],
                               may_reach: Callable[[int], bool]) -> bool:
        """True if an alias holding one anchor (and the tokens that anchor nothing) may reach."""
        anchor_sets = {frozenset(hits) for _size, hits, _weight, _k in anchors}
        groups: dict[frozenset[int], int] = {}
        others = 0
        for _size, hits, _weight, k in tokens:
            key = frozenset(hits)
            if key in anchor_sets:
                groups[key] = groups.get(key, 0) | 1 << k
            else:
                others |= 1 << k
        return any(may_reach(mask | others) for mask in groups.values())

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
        # Arabic article: also index the keys of the bare word (الامارات ~ امارات), first,
        # since a name written in another script leaves the article out (Lesotho is not
        # ال+سعوديه)
        keys = token_keys(bare, key_table).merged(keys)
    return VocabularyToken(text, keys, script in ABJADS)


#: the alias kind of acronyms and other abbreviations, whose tokens are met only as written
ABBREVIATION = "abbreviation"
#: a token of this many capitals is an acronym (ABD, USA, АҚШ)
MIN_ACRONYM_LETTERS = 2
MAX_ACRONYM_LETTERS = 5



def _writes_compounds(alias: Alias, ids: list[int], vocabulary: list[VocabularyToken],
                      lexicon: Lexicon) -> bool:
    """True for an abjad alias of two or three tokens of a compound name (a place, an organisation)."""
    if not 2 <= len(ids) <= 3 or not all(vocabulary[v].abjad for v in ids):
        return False
    return lexicon.name_structures[lexicon.entities[alias.entity_id].type] == COMPOUND


def _is_acronym(alias: Alias, surface: str) -> bool:
    """True for a token of an abbreviation alias, or one written in capitals (ABD, USA)."""
    letters = [c for c in surface if c.isalpha()]
    return alias.kind == ABBREVIATION or (
        MIN_ACRONYM_LETTERS <= len(letters) <= MAX_ACRONYM_LETTERS and all(c.isupper() for c in letters))


def _cluster_keys(vt: VocabularyToken) -> tuple[str, ...]:
    """What spellings of one name share: their skeleton readings (the text if it has none)."""
    return tuple(s for s in vt.keys.skeleton if s) or (vt.text,)


def structural_word(vt: VocabularyToken, wordlists: WordLists, morphology: Morphology) -> str | None:
    """The word of the lists (``particles``: particles, titles, descriptors, state forms) a
    vocabulary token is, or None: a word a name may leave out (Republic *of*, *Al* Saud)."""
    if vt.text in wordlists.particles:
        return vt.text
    if vt.abjad:
        # a title with the article or a clitic (الرئيس) is still a title
        for stem in morphology.stems(vt.text, "Arabic"):
            if stem in wordlists.particles:
                return stem
    return None


def _weight(vt: VocabularyToken, frequency: int, wordlists: WordLists,
            morphology: Morphology) -> tuple[float, bool]:
    """(weight, is common given name) of a vocabulary token."""
    word = structural_word(vt, wordlists, morphology)
    if word is not None:
        return wordlists.particles[word], False
    if wordlists.is_patronymic(vt.text):
        return PATRONYMIC_WEIGHT, False
    weight = token_weight(frequency)
    if vt.text in wordlists.letter_names or wordlists.is_common_given_name(vt.keys, abjad=vt.abjad):
        # a common given name or a Latin letter's name (جي in جي دي فانس, an initial spelled out)
        return weight * COMMON_NAME_FACTOR, True
    return weight, False
