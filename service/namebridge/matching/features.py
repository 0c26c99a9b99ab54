"""Named features: how one query token meets one alias token, and how a whole
query meets a whole alias.

Every feature is a small function whose name is its ID (the explanation and
``Settings.feature_weights`` use the same names). Token similarity is in
[0, 1]; alias-level features return a value in [0, 1] that ``scoring.py``
combines with the weight table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

from namebridge.matching.index import VocabularyToken
from namebridge.text.keys import TokenKeys
from namebridge.text.scripts import detect_script

# --- token level --------------------------------------------------------------

#: similarity of forms whose full keys agree (both fully vocalised)
FULL_KEY_SIMILARITY = 0.95
#: similarity of forms whose consonant skeletons agree, one or both written in an abjad,
#: when the long vowels the abjad writes fit the other form's vowels (توکایف ~ Tokayev)
ABJAD_SKELETON_SIMILARITY = 0.93
#: ... when the skeleton has two consonants or fewer, which fit too many words (غزه: Gaza, Gece)
SHORT_ABJAD_SKELETON_SIMILARITY = 0.86
#: ... and when they do not (توکایف has a long vowel between t and k; Witkoff has none)
ABJAD_SKELETON_ONLY_SIMILARITY = 0.80
#: letters an abjad spelling may add or leave out (long vowels, hamza, ayn)
MATRES_LECTIONIS = str.maketrans("", "", "اويءع")
#: a full key of at most this many consonants needs the same vowel qualities, not equivalents
SHORT_KEY_CONSONANTS = 2
#: two abjad spellings write their long vowels in the same quality up to this many consonants
#: (استونيا is not استانه); longer ones may differ as Persian and Arabic do (ويتكاف, ويتكوف)
ABJAD_PAIR_STRICT_CONSONANTS = 3
#: ... and the shorter form as written at least this share of the longer one's length
SHORT_KEY_LENGTH_RATIO = 0.6
#: a word-final vowel may differ (Europa, Europe) in words of at least this many vowel runs;
#: in shorter words the ending is half the word (Kito is not Китай, Mimo is not Miami)
MIN_RUNS_FOR_OPEN_ENDING = 3
#: ... in at most this many vowel runs
MAX_SKELETON_VOWEL_MISFITS = 1
#: similarity of vocalised forms whose skeletons agree but whose vowels differ
SKELETON_SIMILARITY = 0.86
#: vocalised skeletons shorter than this must agree on the full key too (Rubio/Arab, Putin/Batin)
MIN_SKELETON_ONLY_LENGTH = 4
#: keys shorter than this are never compared fuzzily (Giza/Gaza, Tokyo/Tokayev)
MIN_FUZZY_FULL_LENGTH = 5
MIN_FUZZY_SKELETON_LENGTH = 5
#: fuzzy similarity of keys one edit apart: FUZZY_BASE for the shortest keys,
#: rising towards FUZZY_BASE + FUZZY_RANGE for long ones
FUZZY_BASE = 0.80
FUZZY_RANGE = 0.12
#: a fuzzy match in the alias's script is a typo of it: at most this many edits of its letters
MAX_TYPO_EDITS = 1
#: distinct forms whose unaccented text is remembered
MARKS_CACHE_SIZE = 65536
#: distinct (key, vowel runs) whose vowel places are remembered
GAPS_CACHE_SIZE = 65536


def form_similarity(text: str, keys: TokenKeys, abjad: bool, other: VocabularyToken) -> tuple[float, str]:
    """(similarity in [0, 1], the comparison that produced it) of a query form and an alias token.

    Comparisons, best first: the same text (``exact``); a shared full key,
    both vocalised, with vowels that fit (``cross``); a shared consonant
    skeleton (``skeleton``, stronger when an abjad is involved, since it then
    carries all there is); an edit distance of one on long keys (``fuzzy``)
    for typos. Class keys have a small alphabet (every vowel is ``a``), so
    short keys are never compared fuzzily: one edit in five symbols is a
    different name.

    Vowels are evidence where both sides write them: a shared full key whose
    vowel runs do not fit (Estonia and Astana, Maurice and Morocco) is no
    ``cross`` match, and a fuzzy one needs fitting vowels too. Between an
    abjad spelling and a vocalised one, the vowels the vocalised form has at
    its ends must be written (an abjad always writes a word's initial vowel,
    and foreign names' final ones): Austria is not صدر.
    """
    if text == other.text:
        return 1.0, "exact"
    if other.acronym:
        # an acronym is met as written only: Aus is not U.S., Be is not БАӘ
        return 0.0, "none"
    if not keys.skeleton[0] or not other.keys.skeleton[0]:
        # a form of vowels alone (аүй, uae) has no key worth comparing
        return 0.0, "none"
    either_abjad = abjad or other.abjad
    if not either_abjad and _vowels_fit_on_shared_key(keys, other.keys, len(text), len(other.text)):
        return FULL_KEY_SIMILARITY, "cross"
    if either_abjad and abjad != other.abjad:
        written, vocalised = (keys, other.keys) if abjad else (other.keys, keys)
        if not all(edge in written.edges for edge in vocalised.edges):
            return 0.0, "none"
    if _share(keys.skeleton, other.keys.skeleton):
        if abjad and other.abjad:
            # two abjad spellings differ in the long vowels they write (ترمب, ترامب), but
            # not in where or which: ايران is not ايرنا, استونيا is not استانا
            fewer, more = (keys, other.keys) if len(keys.full[0]) <= len(other.keys.full[0]) else (other.keys, keys)
            if not _written_vowels_fit(fewer, 0, more, strict_up_to=ABJAD_PAIR_STRICT_CONSONANTS):
                return 0.0, "none"
            if _consonantal(text) == _consonantal(other.text) or _share(keys.full, other.keys.full):
                return FULL_KEY_SIMILARITY, "cross"
            return ABJAD_SKELETON_ONLY_SIMILARITY, "skeleton"
        if either_abjad:
            # the likeliest reading of the abjad spelling must fit, its long vowels in place
            # and of a quality the vocalised form has there (آستانه is not Estonia)
            if written.skeleton[0] in vocalised.skeleton:
                if _written_vowels_fit(written, 0, vocalised):
                    if len(written.skeleton[0]) <= SHORT_KEY_CONSONANTS:
                        return SHORT_ABJAD_SKELETON_SIMILARITY, "skeleton"
                    return ABJAD_SKELETON_SIMILARITY, "skeleton"
                if _vowels_fit(written.full[:1], vocalised.full):
                    return 0.0, "none"   # in place, but of other qualities
            return ABJAD_SKELETON_ONLY_SIMILARITY, "skeleton"
        if _vowels_nearly_fit(keys, other.keys):
            return SKELETON_SIMILARITY, "skeleton"
    if either_abjad:
        best = _edit_similarity(keys.skeleton[0], other.keys.skeleton[0], MIN_FUZZY_SKELETON_LENGTH)
    else:
        best = _edit_similarity(keys.full[0], other.keys.full[0], MIN_FUZZY_FULL_LENGTH)
        if best > 0.0 and not _runs_fit(keys.vowels[:1], other.keys.vowels_wide[:1], other.keys.vowels[:1],
                                        final_open=False):
            best = 0.0
    if best > 0.0 and detect_script(text) == detect_script(other.text) and jellyfish.damerau_levenshtein_distance(
            _without_marks(text), _without_marks(other.text)) > MAX_TYPO_EDITS:
        # in one script, a typo is a slip in writing the alias, not another word (France, Vance)
        best = 0.0
    if best > 0.0:
        return best, "fuzzy"
    return 0.0, "none"


def _written_vowels_fit(written: TokenKeys, reading: int, other: TokenKeys, *,
                        strict_up_to: int = SHORT_KEY_CONSONANTS) -> bool:
    """True if some reading of ``other`` with the same consonants as ``written``'s reading
    has a vowel wherever that reading writes one, of a quality that fits (the same
    quality where there are ``strict_up_to`` consonants or fewer: ساته is not السعوديه)."""
    key = written.full[reading]
    gaps = _vowel_gaps(key, written.vowels[reading] if reading < len(written.vowels) else ())
    consonants = key.replace("a", "")
    for n, other_key in enumerate(other.full):
        if other_key.replace("a", "") != consonants:
            continue
        other_gaps = _vowel_gaps(other_key, other.vowels[n] if n < len(other.vowels) else ())
        other_runs = other.vowels if len(consonants) <= strict_up_to else other.vowels_wide
        other_wide = _vowel_gaps(other_key, other_runs[n] if n < len(other_runs) else ())
        if all(g in other_gaps and (q == "*" or other_gaps[g] == "*" or any(c in other_wide[g] for c in q))
               for g, q in gaps.items()):
            return True
    return False


def _vowels_nearly_fit(a: TokenKeys, b: TokenKeys) -> bool:
    """True if two vocalised forms share a consonant skeleton of ``MIN_SKELETON_ONLY_LENGTH``
    consonants or more on readings with as many vowel runs, both starting with a vowel or
    neither, and at most one run of another quality (Trump, Трамп; Toshkent, Tashkent;
    not Серпня and Azerbaijan)."""
    for i, key in enumerate(a.full):
        consonants = key.replace("a", "")
        if len(consonants) < MIN_SKELETON_ONLY_LENGTH:
            continue
        for j, other in enumerate(b.full):
            if other.replace("a", "") != consonants or (key[:1] == "a") != (other[:1] == "a"):
                continue
            runs = a.vowels[i] if i < len(a.vowels) else ()
            wide = b.vowels_wide[j] if j < len(b.vowels_wide) else ()
            if _run_misfits(runs, wide, key.endswith("a"), other.endswith("a")) <= MAX_SKELETON_VOWEL_MISFITS:
                return True
    return False


def _run_misfits(runs: tuple[str, ...], wide: tuple[str, ...], runs_open: bool, wide_open: bool) -> int:
    """How many vowel runs of one reading do not fit the other's, the runs in order. One
    run more on one side counts as a misfit, except a word-final one (an ending: Трампа,
    Trump); more than one is too many."""
    if len(runs) == len(wide):
        return sum(1 for r, w in zip(runs, wide) if "*" not in r + w and r[0] not in w)
    if abs(len(runs) - len(wide)) != 1:
        return MAX_SKELETON_VOWEL_MISFITS + 1
    longer_is_runs = len(runs) > len(wide)
    best = MAX_SKELETON_VOWEL_MISFITS + 1
    longer = runs if longer_is_runs else wide
    for k in range(len(longer)):
        cut = longer[:k] + longer[k + 1:]
        pairs = zip(cut, wide) if longer_is_runs else zip(runs, cut)
        ending = k == len(longer) - 1 and (runs_open if longer_is_runs else wide_open)
        misfits = (0 if ending else 1) + sum(1 for r, w in pairs if "*" not in r + w and r[0] not in w)
        best = min(best, misfits)
    return best


@lru_cache(maxsize=GAPS_CACHE_SIZE)
def _vowel_gaps(key: str, runs: tuple[str, ...]) -> dict[int, str]:
    """gap index (0 before the first consonant, k after the k-th) -> the vowel run written
    there (its qualities; ``*`` where unknown)."""
    gaps: dict[int, str] = {}
    consonant = 0
    run = 0
    for symbol in key:
        if symbol == "a":
            gaps[consonant] = runs[run] if run < len(runs) else "*"
            run += 1
        else:
            consonant += 1
    return gaps


def _vowels_fit_on_shared_key(a: TokenKeys, b: TokenKeys, a_length: int, b_length: int) -> bool:
    """True if the two vocalised forms share a full key on a reading whose vowels fit.

    A key of few consonants is short evidence: there the vowels must be the same
    qualities, not merely equivalent ones (Chennai is not China), and the lengths
    as written close (Bon is not Boeing)."""
    for i, key in enumerate(a.full):
        for j, other in enumerate(b.full):
            if key != other:
                continue
            if len(key) - key.count("a") <= SHORT_KEY_CONSONANTS:
                if min(a_length, b_length) < SHORT_KEY_LENGTH_RATIO * max(a_length, b_length):
                    continue
                b_wide = tuple(tuple(run[:1] for run in runs) for runs in b.vowels[j:j + 1])
            else:
                b_wide = b.vowels_wide[j:j + 1]
            if _runs_fit(a.vowels[i:i + 1], b_wide, b.vowels[j:j + 1], final_open=key.endswith("a")):
                return True
    return False


def _runs_fit(a: tuple[tuple[str, ...], ...], b_wide: tuple[tuple[str, ...], ...],
              b: tuple[tuple[str, ...], ...] = (), *, final_open: bool) -> bool:
    """True if each vowel run of one reading fits the run at the same place of the other:
    the first quality of one (the vowel a diphthong starts with) is among those the other fits (``keys.vowels.tsv``,
    ``vowel_equivalents.tsv``), or the two runs are the same vowels in another order (a typo:
    Isreal, Israel). Keys without vowel runs, or with a different number of
    runs, say nothing against a match. With ``final_open``, a word-final run of a
    word of ``MIN_RUNS_FOR_OPEN_ENDING`` runs or more may differ (endings vary: Europa, Europe; Estonia, Estonie)."""
    if not a or not b_wide or len(a[0]) != len(b_wide[0]):
        return True
    runs, other_wide = a[0], b_wide[0]
    last = len(runs) - 1
    for k in range(len(runs)):
        if k == last and final_open and k >= MIN_RUNS_FOR_OPEN_ENDING - 1:
            continue
        if "*" in runs[k] or "*" in other_wide[k]:
            continue
        if runs[k][0] not in other_wide[k] and not (b and len(runs[k]) > 1 and set(runs[k]) == set(b[0][k])):
            return False
    return True


def initial_fits(initial: str, initial_keys: TokenKeys, word: str, word_keys: TokenKeys) -> bool:
    """True if an initial can stand for a word: the same first letter (``K.`` for Kassym),
    or the same first consonant class in another script (``Ш.`` or ``Sh.`` for Shavkat)."""
    if word.startswith(initial):
        return True
    first = {k[:1] for k in initial_keys.full[:1] if k[:1].isupper()}
    return bool(first) and word_keys.full[0][:1] in first


@lru_cache(maxsize=MARKS_CACHE_SIZE)
def _without_marks(text: str) -> str:
    """The text without combining marks (Kazajistán -> kazajistan): accents are no typo."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _consonantal(text: str) -> str:
    """An abjad spelling without the long vowels it may or may not write (not the first letter)."""
    return text[:1] + text[1:].translate(MATRES_LECTIONIS)


def _vowels_fit(written: tuple[str, ...], vocalised: tuple[str, ...]) -> bool:
    """True if some abjad reading (consonants and the long vowels it writes) is a
    subsequence of some reading of the fully vocalised form."""
    for w in written:
        for v in vocalised:
            it = iter(v)
            if all(symbol in it for symbol in w):
                return True
    return False


def _share(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return any(x in b for x in a)


def _consonants(key: str) -> int:
    return sum(1 for symbol in key if symbol != "a")


def _edit_similarity(x: str, y: str, min_length: int) -> float:
    """Similarity of the likeliest readings of two forms one edit apart (0 otherwise).

    Both need three consonants (Tokyo, TK, is no typo of Tokayev). Only
    first readings, with the same first symbol (typos rarely hit the
    first letter; Sadyr is not Рейтер): a second reading one edit from another name is too
    far (Turkestan is one edit from Tajikistan read with j as y).
    """
    longest = max(len(x), len(y))
    if x[:1] != y[:1] or abs(len(x) - len(y)) > 1 or longest < min_length \
            or min(len(x), len(y)) < min_length - 1 or min(_consonants(x), _consonants(y)) < 3:
        return 0.0
    if jellyfish.damerau_levenshtein_distance(x, y) != 1:
        return 0.0
    return FUZZY_BASE + FUZZY_RANGE * (1.0 - min_length / longest)


# --- alias level --------------------------------------------------------------


@dataclass(slots=True)
class Alignment:
    """Which query token met which alias token, and what was left over."""

    pairs: list[tuple[int, int, float, str]]   #: (query index, alias index, similarity, key)
    query_weights: list[float]                 #: weight of each query token in this alignment
    alias_weights: Sequence[float]             #: weight of each alias token
    query_roles: list[str]                     #: name / initial / particle / patronymic
    alias_common: Sequence[bool]               #: alias token is a common given name
    unmatched_query: list[int]
    unmatched_alias: list[int]
    #: the alias names a place, building, organisation or agreement (a compound name)
    compound: bool = False
    #: alias positions of words of the lists (particles, descriptors...): optional in a compound
    alias_optional: frozenset[int] = frozenset()
    #: alias positions of a father's name (after bin, Kemeluly, Kemelevich)
    alias_fathers: frozenset[int] = frozenset()
    #: a one-word query written with vowels meets an alias in an abjad (or the reverse),
    #: while the entity has strong aliases in the query's kind of script too
    other_script: bool = False
    #: the query has a title only the other gender takes than the person's (``titles.tsv``
    #: gender, ``person.tsv`` gender): Mrs Netanyahu, خانم ترامپ
    other_gender: bool = False


#: a leftover token weighs at least this to count as conflicting evidence
CONFLICT_MIN_WEIGHT = 0.5
#: how much a query token the alias lacks counts when every token of a
#: multi-token alias was met (a middle name, a title, a patronymic initial)
EXTRA_TOKEN_FACTOR = 0.25
#: ... for one such token: two unknown words are not a middle name
MAX_CHEAP_EXTRA_TOKENS = 1
#: how much a missing alias token counts against alias coverage
MISSING_ALIAS_TOKEN_FACTOR = 0.5


def query_coverage(a: Alignment) -> float:
    """Share of the query's weight that aligned with the alias.

    A query token the alias lacks costs its full weight, except when every
    token of a multi-token alias was met and it is the only one: then it is a
    middle name (Donald *John* Trump, Marco *Antonio* Rubio) and costs a quarter.
    A lone surname met is no such proof (Ivanka Trump vs the alias Trump), and
    a compound name has no middle names (Gaza *City*, Beyaz Saray *Sözcüsü*).
    """
    matched = sum(a.query_weights[i] for i, _j, _s, _k in a.pairs)
    # a particle or title the alias lacks costs its own small weight relative
    # to an average matched token (روبیو را, President Tokayev)
    names = [i for i in a.unmatched_query if not is_optional_role(a.query_roles[i])]
    particles = [i for i in a.unmatched_query if is_optional_role(a.query_roles[i])]
    average = matched / len(a.pairs) if a.pairs else 1.0
    extra = sum(a.query_weights[i] for i in particles) * average
    if (a.pairs and len(a.alias_weights) >= 2 and not a.unmatched_alias and len(names) <= MAX_CHEAP_EXTRA_TOKENS
            and not a.compound):
        # an extra name token costs a quarter of an average matched token
        extra += EXTRA_TOKEN_FACTOR * len(names) * average
    else:
        extra += sum(a.query_weights[i] for i in names)
    total = matched + extra
    if total <= 0.0:
        return 0.0
    return sum(a.query_weights[i] * s for i, _j, s, _k in a.pairs) / total


def query_coverage_bound(gains: list[float], unpairable_names: list[float]) -> float:
    """The most ``query_coverage`` can be against any alias, from the query alone.

    ``gains`` has, for each query token that may pair with something, the most
    it can add when paired (best alias-token weight x similarity, or its own
    weight x the initial similarity); ``unpairable_names`` the weights of name
    tokens that meet nothing and so are left over in every alignment. With
    N the paired tokens' weight x similarity and M their weight (N <= M),
    coverage is N / (M + extra) <= N / (N + extra); outside the middle-name
    case, extra holds every left-over name's full weight. The middle-name case
    needs two paired tokens and at most one left over; where it is possible,
    the bound is 1.
    """
    if len(gains) >= 2 and len(unpairable_names) <= MAX_CHEAP_EXTRA_TOKENS:
        return 1.0
    best = sum(gains)
    missing = sum(unpairable_names)
    if best <= 0.0:
        return 0.0
    return best / (best + missing)


def alias_coverage(a: Alignment) -> float:
    """Share of the alias's weight the query covered; a missing alias token counts half
    (a query may leave out a given name: ``Tokayev`` for Kassym-Jomart Tokayev)."""
    matched = sum(a.alias_weights[j] * s for _i, j, s, _k in a.pairs)
    missing = sum(a.alias_weights[j] for j in a.unmatched_alias)
    denominator = sum(a.alias_weights[j] for _i, j, _s, _k in a.pairs) + MISSING_ALIAS_TOKEN_FACTOR * missing
    return matched / denominator if denominator > 0.0 else 0.0


def conflicting_tokens(a: Alignment) -> float:
    """1.0, or 0.0 when a substantial query token and a substantial alias token are both left
    over: a different given name with the same surname (Ivanka vs Donald Trump)."""
    query_left = any(a.query_roles[i] == "name" and a.query_weights[i] >= CONFLICT_MIN_WEIGHT
                     for i in a.unmatched_query)
    alias_left = any(a.alias_weights[j] >= CONFLICT_MIN_WEIGHT * 0.5 for j in a.unmatched_alias)
    return 0.0 if (query_left and alias_left) else 1.0


def common_name_only(a: Alignment) -> float:
    """1.0, or 0.0 when the only aligned alias tokens are common given names (or particles)
    while the alias has more: "Donald" alone is no evidence for Donald Trump."""
    if not a.pairs or not a.unmatched_alias:
        return 1.0
    informative = [j for _i, j, _s, _k in a.pairs if not a.alias_common[j] and a.alias_weights[j] > 0.25]
    return 1.0 if informative else 0.0


def compound_complete(a: Alignment) -> float:
    """1.0, or 0.0 when the alias is a compound name (a place, building, organisation or
    agreement) and the query left out one of its words: ``Saray`` is not ``Beyaz Saray``,
    ``Southern Asia`` is not ``South and Central Asia``. Words of the lists (particles: and,
    of, ال; descriptors and state forms: Republic, Agency) may be left out, by what they are,
    not by how many names share them: *South* is no less a word of South Africa for being
    in thirty country names."""
    if not a.compound or not a.pairs:
        return 1.0
    optional = a.alias_optional
    if any(j not in optional for j in a.unmatched_alias):
        return 0.0
    return 1.0


def met_in_query_script(a: Alignment) -> float:
    """1.0, or 0.0 when a one-word query's only evidence is a consonant skeleton (or a typo)
    across an abjad and a vocalised script, for an entity whose names are also written in
    the query's kind of script and were not met: its vowels did not fit those (Dabei meets
    دبي, not Dubai)."""
    if not a.other_script or not a.pairs:
        return 1.0
    if any(k.startswith(("exact", "cross", "particle")) for _i, _j, _s, k in a.pairs):
        return 1.0
    return 0.0


def initials_only(a: Alignment) -> float:
    """1.0, or 0.0 when every aligned pair is an initial: ``K. J.`` proves nothing."""
    if a.pairs and all(k.startswith("initial") for _i, _j, _s, k in a.pairs):
        return 0.0
    return 1.0


# --- name structure (lexicons/tokens/: titles, descriptors, generational markers, qualifiers) ---

#: roles of query tokens that cost only their own small weight when the alias lacks them
OPTIONAL_ROLES = frozenset({"particle", "title", "state_form", "generation", "complement",
                            "patronymic"})


def is_optional_role(role: str) -> bool:
    """True for a role whose token the alias may lack at the cost of its own weight: a
    particle; a patronymic or family name (Nurgozho uulu, bin Abdulaziz, Al Saud); a
    title (weight 0: dropped) and its complement (*Florida* Senator, weight 0); an
    organisation descriptor (Inc) or the form of a state (Republic); and the structural
    markers, whose meaning ``generational_marker`` and ``place_qualifier`` weigh."""
    return role in OPTIONAL_ROLES or role.startswith(("qualifier", "descriptor"))


def generational_marker(a: Alignment) -> float:
    """1.0, or 0.0 when the query has a generational marker (Jr., III, младший, الابن,
    ``generational_markers.tsv``) that met no alias token: Donald Trump Jr. is another
    person than Donald Trump. An alias that writes the marker is met as usual."""
    if any(a.query_roles[i] == "generation" for i in a.unmatched_query):
        return 0.0
    return 1.0


def place_qualifier(a: Alignment, entity_type: str) -> float:
    """1.0, or 0.0 when the query has a place qualifier (City, Governorate, Oblast, قضاء,
    ``place_qualifiers.tsv``) that met no alias token, unless the qualifier names the
    entity's own type (``qualifier:city`` for a city: "Astana city" is Astana). Gaza
    City is not the Gaza Strip; Moscow Oblast is not Moscow."""
    for i in a.unmatched_query:
        role = a.query_roles[i]
        if role.startswith("qualifier") and role.partition(":")[2] != entity_type:
            return 0.0
    return 1.0


def descriptor_fits(a: Alignment, entity_type: str) -> float:
    """1.0, or 0.0 when the query has a descriptor (Group, Inc, News Agency, Declaration,
    ``org_descriptors.tsv``, role ``descriptor:<type>``) left over against an entity of
    another type than the one whose names take it: "Witkoff Group" is a company named after
    Witkoff, "America AG" one named after America. For its own type the word is optional
    (Kazinform International News Agency, Abraham Accords Declaration)."""
    for i in a.unmatched_query:
        role = a.query_roles[i]
        if role.startswith("descriptor") and role.partition(":")[2] != entity_type:
            return 0.0
    return 1.0


def father_fits(a: Alignment) -> float:
    """1.0, or 0.0 when a name met a father's name on the other side only (a pair marked
    ``+father``) while the alias or the query keeps a name of its own unmet: the query names
    the father or a son. "Kemel Tokayev" is Kassym-Jomart Kemeluly Tokayev's father, "Salman
    bin Abdulaziz" Mohammed bin Salman's; "Kassym-Jomart Kemel Tokayev" is the man himself."""
    if not any(k.endswith("+father") for _i, _j, _s, k in a.pairs):
        return 1.0
    names_left = any(j not in a.alias_fathers and j not in a.alias_optional and a.alias_weights[j] > 0.25
                     for j in a.unmatched_alias)
    names_left = names_left or any(a.query_roles[i] == "name" for i in a.unmatched_query)
    return 0.0 if names_left else 1.0


def title_gender_fits(a: Alignment) -> float:
    """1.0, or 0.0 when a title in the query is one only the other gender takes (Mrs, السيدة,
    госпожа, خانم against a man; Mr, King against a woman): a surname with such a title
    names a relative (Mrs Trump is not Donald Trump)."""
    return 0.0 if a.other_gender else 1.0


def title_fits(a: Alignment, entity_type: str) -> float:
    """1.0, or 0.0 when the query has a title (``titles.tsv``) that met no alias token and the
    entity's names are compounds (``entity_types.tsv``), not a person's: titles name people,
    so "President of Uzbekistan" is not Uzbekistan. Against a person a title is dropped (it
    weighs nothing)."""
    del entity_type  # the name structure travels with the alignment
    if a.compound and any(a.query_roles[i] == "title" for i in a.unmatched_query):
        return 0.0
    return 1.0
