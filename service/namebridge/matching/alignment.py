"""Aligning a query with one alias: which query token meets which alias token.

``alias_side`` is what alignment needs of an alias that no query changes (the
engine memoises it per alias); ``align`` pairs tokens greedily, best pairs first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from namebridge.matching import features
from namebridge.matching.features import Alignment
from namebridge.matching.index import PATRONYMIC_WEIGHT, AliasIndex, VocabularyToken, structural_word
from namebridge.matching.query import INITIAL, NAME, QueryToken, patronymic_positions
from namebridge.text.morphology import Morphology
from namebridge.text.wordlists import WordLists

#: similarity factor of a name that is a father's name on one side of a pair only
FATHER_MISMATCH_FACTOR = 0.9
#: ... and the mark on the pair's key
FATHER_MISMATCH = "+father"


@dataclass(frozen=True, slots=True)
class AliasSide:
    """An alias as alignment sees it: its tokens, their weights (a father's name weighs
    little), which are common given names, and where it writes one-letter initials."""

    vids: tuple[int, ...]
    weights: tuple[float, ...]
    common: tuple[bool, ...]
    letters: tuple[int, ...]
    fathers: frozenset[int]     #: positions of a father's name (after bin, before uly written apart)
    #: positions of words of the lists (particles, titles, descriptors, state forms) that a
    #: query may leave out of a compound name (``features.compound_complete``)
    optional: frozenset[int] = frozenset()


def alias_side(index: AliasIndex, wordlists: WordLists, morphology: Morphology, position: int) -> AliasSide:
    """The ``AliasSide`` of the alias at ``position`` in the index."""
    vocabulary = index.vocabulary
    vids = index.alias_tokens[position]
    weights = [vocabulary[v].weight for v in vids]
    common = [vocabulary[v].common for v in vids]
    fathers = frozenset(patronymic_positions([vocabulary[v].text for v in vids], wordlists))
    for j in fathers:
        # a father's name (Salman in Mohammed bin Salman) is no evidence on its own
        weights[j] = min(weights[j], PATRONYMIC_WEIGHT)
        common[j] = True
    letters = tuple(j for j, v in enumerate(vids) if len(vocabulary[v].text) == 1)
    optional = frozenset(j for j, v in enumerate(vids)
                         if structural_word(vocabulary[v], wordlists, morphology) is not None)
    return AliasSide(tuple(vids), tuple(weights), tuple(common), letters, fathers, optional)


def align(query: list[QueryToken], side: AliasSide, vocabulary: Sequence[VocabularyToken], *,
          min_similarity: float, initial_similarity: float, initials: bool, compound: bool = False,
          fathers: frozenset[int] = frozenset(), other_script: bool = False,
          other_gender: bool = False) -> Alignment:
    """Greedy one-to-one alignment of query tokens and alias tokens, best pairs first.

    With ``initials`` (person-like names only), a one-letter token on either side
    may stand for a word of the other written in an alphabet. ``fathers``
    are the query positions of a father's name; a token that is a father's
    name on one side only meets at a lower similarity. ``compound`` if the alias
    names a place, building, organisation or agreement (see ``features.compound_complete``);
    ``other_script`` see ``features.met_in_query_script``, ``other_gender``
    ``features.title_gender_fits``.
    """
    alias_vids = side.vids
    pairs: list[tuple[float, int, int, str]] = []   # (-similarity, query index, alias index, key)
    negative_initial = -initial_similarity
    alias_letters = side.letters if initials else ()
    for i, q in enumerate(query):
        father = i in fathers
        if q.role == INITIAL:
            if initials:
                for j, vid in enumerate(alias_vids):
                    v = vocabulary[vid]
                    if not v.abjad and features.initial_fits(q.text, q.keys, v.text, v.keys):
                        if father != (j in side.fathers):   # G. for the father's Gurbangulyýewiç
                            pairs.append((negative_initial * FATHER_MISMATCH_FACTOR, i, j, "initial" + FATHER_MISMATCH))
                        else:
                            pairs.append((negative_initial, i, j, "initial"))
            continue
        matches = q.matches
        for j, vid in enumerate(alias_vids):
            hit = matches.get(vid)
            if hit is not None and hit[0] >= min_similarity:
                if father != (j in side.fathers):
                    # the same name as a father's on one side only (Zaki bin Adel
                    # is not Adel bin Zaki): the pair stands, but not as exact
                    pairs.append((-hit[0] * FATHER_MISMATCH_FACTOR, i, j, hit[1] + FATHER_MISMATCH))
                else:
                    pairs.append((-hit[0], i, j, hit[1]))
            elif j in alias_letters and q.role == NAME and features.initial_fits(
                    vocabulary[vid].text, vocabulary[vid].keys, q.text, q.keys):
                # the alias writes an initial (J. D. Vance) where the query has the word
                pairs.append((negative_initial, i, j, "initial"))
    pairs.sort()   # best first; a query and alias index pair occurs once, so keys never tie
    used_q: set[int] = set()
    used_a: set[int] = set()
    chosen: list[tuple[int, int, float, str]] = []
    for negative, i, j, key in pairs:
        if i in used_q or j in used_a:
            continue
        used_q.add(i)
        used_a.add(j)
        chosen.append((i, j, -negative, key))
    alias_weights = side.weights
    query_weights = [q.weight for q in query]
    for i, j, _s, key in chosen:
        if not key.startswith("initial"):
            query_weights[i] = alias_weights[j]
    return Alignment(
        pairs=chosen,
        query_weights=query_weights,
        alias_weights=alias_weights,
        query_roles=[q.role for q in query],
        alias_common=side.common,
        unmatched_query=[i for i in range(len(query)) if i not in used_q],
        unmatched_alias=[j for j in range(len(alias_vids)) if j not in used_a],
        compound=compound,
        alias_optional=side.optional,
        alias_fathers=side.fathers,
        other_script=other_script,
        other_gender=other_gender,
    )


@dataclass(frozen=True, slots=True)
class ScoredAlias:
    """The best alias of one entity for one reading of the query, scored but not yet explained
    (``Engine`` turns the returned ones into ``Candidate`` s)."""

    score: float
    position: int                               #: the alias, by its position in the index
    alignment: Alignment
    entity: int                                 #: the entity, by its position in the engine's list
    values: tuple[tuple[str, float], ...]       #: (feature name, value) as the scorer gave them
    query: list[QueryToken]                     #: the reading of the query that was aligned
