"""From aligned tokens to a score, and from scores to a decision.

The scorer is a weight table over the features in ``features.py``:

    score = query_coverage * (1 - w_alias + w_alias * alias_coverage)
            * (1 - w_conflict * (1 - conflicting_tokens))
            * (1 - w_common   * (1 - common_name_only))
            * (1 - w_initials * (1 - initials_only))
            * (1 - w_compound * (1 - compound_complete))
            * (1 - w_script * (1 - met_in_query_script))
            * (1 - w_generation * (1 - generational_marker))
            * (1 - w_qualifier  * (1 - place_qualifier))
            * (1 - w_descriptor * (1 - descriptor_fits))
            * (1 - w_title      * (1 - title_fits))
            * (1 - w_gender     * (1 - title_gender_fits))
            * (1 - w_father     * (1 - father_fits))

then kept below ``EXACT_SCORE`` unless every query and alias token met exactly
(so an exact, complete match is recognisable by its score alone), and capped
below the match threshold for a weak alias (an epithet or a
metonym supports a match but cannot carry one), unless the query is exactly
an epithet of several tokens (``ABD Başkanı``, ``Kazak lider``: a
multi-word epithet matched whole is specific; a metonym never is, since it
is another entity's name). ``DEFAULT_ROLE_WEIGHTS`` are the weights of the
structural roles of ``lexicons/tokens/`` (a title, a descriptor). Weights are overridable by
name through ``Settings.feature_weights`` (``NAMEBRIDGE_FEATURE_WEIGHTS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from namebridge.matching import features
from namebridge.matching.features import Alignment
from namebridge.matching.results import Decision
from namebridge.settings import Settings

#: feature name -> weight (how strongly a negative feature pulls the score down)
DEFAULT_FEATURE_WEIGHTS: dict[str, float] = {
    "alias_coverage": 0.35,
    "conflicting_tokens": 0.45,
    "common_name_only": 0.45,
    "initials_only": 0.6,
    "compound_complete": 0.5,
    "met_in_query_script": 0.12,
    "generational_marker": 0.6,
    "place_qualifier": 0.6,
    "descriptor_fits": 0.6,
    "title_fits": 0.6,
    "title_gender_fits": 0.6,
    "father_fits": 0.6,
}
#: weights of query and alias tokens by structural role (``lexicons/tokens/``), overridable
#: by the same names: a title weighs nothing (dropped, no evidence); a descriptor little
DEFAULT_ROLE_WEIGHTS: dict[str, float] = {
    "title": 0.0,
    "descriptor": 0.05,
}
#: a score this high means every token met exactly; it decides unless another entity ties
EXACT_SCORE = 0.999
#: the most any other alignment may score, so that EXACT_SCORE means exactly that
BELOW_EXACT = 0.998
#: a weak alias scores at most this far below the match threshold
WEAK_ALIAS_GAP = 0.02


#: the features that can only pull a score down, in the order they apply: each is
#: (its name in the weight table, the function: (alignment, entity type) -> value in [0, 1]);
#: a value v costs the score a factor 1 - weight * (1 - v)
NEGATIVE_FEATURES: tuple[tuple[str, Callable[[Alignment, str], float]], ...] = (
    ("conflicting_tokens", lambda a, _t: features.conflicting_tokens(a)),
    ("common_name_only", lambda a, _t: features.common_name_only(a)),
    ("initials_only", lambda a, _t: features.initials_only(a)),
    ("compound_complete", lambda a, _t: features.compound_complete(a)),
    ("met_in_query_script", lambda a, _t: features.met_in_query_script(a)),
    ("generational_marker", lambda a, _t: features.generational_marker(a)),
    ("place_qualifier", features.place_qualifier),
    ("descriptor_fits", features.descriptor_fits),
    ("title_fits", features.title_fits),
    ("title_gender_fits", lambda a, _t: features.title_gender_fits(a)),
    ("father_fits", lambda a, _t: features.father_fits(a)),
)


@dataclass(frozen=True, slots=True)
class Scorer:
    """The weight table and the thresholds in force."""

    weights: dict[str, float]
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> "Scorer":
        unknown = set(settings.feature_weights) - set(DEFAULT_FEATURE_WEIGHTS) - set(DEFAULT_ROLE_WEIGHTS)
        if unknown:
            from namebridge.errors import InvalidArgument
            raise InvalidArgument("feature_weights", f"unknown feature(s): {', '.join(sorted(unknown))}; "
                                                     f"known: {', '.join([*DEFAULT_FEATURE_WEIGHTS, *DEFAULT_ROLE_WEIGHTS])}")
        return cls({**DEFAULT_FEATURE_WEIGHTS, **DEFAULT_ROLE_WEIGHTS, **settings.feature_weights}, settings)

    @property
    def capped_by_query_coverage(self) -> bool:
        """True if no alias can score above its query coverage: every factor after it
        is at most 1, which holds while every feature weight is in [0, 1]."""
        return all(0.0 <= w <= 1.0 for w in self.weights.values())

    def score(self, alignment: Alignment, *, weak: bool, epithet: bool = False,
              entity_type: str = "") -> tuple[float, tuple[tuple[str, float], ...]]:
        """(score in [0, 1], the feature values that made it)."""
        if weak and epithet and _exact_multi_token(alignment):
            weak = False
        return self._score(alignment, weak=weak, entity_type=entity_type)

    def _score(self, alignment: Alignment, *, weak: bool,
               entity_type: str = "") -> tuple[float, tuple[tuple[str, float], ...]]:
        """(score in [0, 1], the feature values that made it)."""
        w = self.weights
        qcov = features.query_coverage(alignment)
        acov = features.alias_coverage(alignment)
        score = qcov * (1.0 - w["alias_coverage"] + w["alias_coverage"] * acov)
        values = [("query_coverage", qcov), ("alias_coverage", acov)]
        for name, feature in NEGATIVE_FEATURES:
            value = feature(alignment, entity_type)
            score *= 1.0 - w[name] * (1.0 - value)
            if value < 1.0:
                values.append((name, value))
        if score > BELOW_EXACT and not _exact_complete(alignment):
            score = BELOW_EXACT
            values.append(("below_exact_cap", BELOW_EXACT))
        if weak:
            cap = self.settings.match_threshold - WEAK_ALIAS_GAP
            if score > cap:
                score = cap
            values.append(("weak_alias_cap", cap))
        return min(max(score, 0.0), 1.0), tuple(values)

    def decide(self, ranked: list[float], probability: float) -> Decision:
        """MATCH, AMBIGUOUS or NO_MATCH from the best raw score of each entity, best first,
        and the calibrated probability that the top one is right (``calibration.py``).

        The raw rules (``decide_scores``: threshold, margin, the exact rule; a
        weak alias never reaches the threshold) say what the evidence allows;
        the calibrated thresholds then drop what is too unlikely: a MATCH
        below ``match_probability`` and an AMBIGUOUS below
        ``ambiguous_probability`` become NO_MATCH. The probability never
        raises a decision, so no rule a raw score enforces is lost.
        """
        raw = self.decide_scores(ranked)
        s = self.settings
        if raw is Decision.MATCH and probability >= s.match_probability:
            return Decision.MATCH
        if raw is not Decision.NO_MATCH and probability >= s.ambiguous_probability:
            return Decision.AMBIGUOUS
        return Decision.NO_MATCH

    def decide_scores(self, ranked: list[float]) -> Decision:
        """MATCH, AMBIGUOUS or NO_MATCH from the best score of each entity, best first."""
        if not ranked:
            return Decision.NO_MATCH
        s = self.settings
        top = ranked[0]
        second = ranked[1] if len(ranked) > 1 else 0.0
        if top >= s.match_threshold and top - second >= s.match_margin:
            return Decision.MATCH
        if top >= EXACT_SCORE > second:
            # an exact, complete match of a strong alias that no other entity shares
            return Decision.MATCH
        if top >= s.ambiguous_threshold:
            return Decision.AMBIGUOUS
        return Decision.NO_MATCH


def _exact_multi_token(alignment: Alignment) -> bool:
    """Every query and alias token of a multi-token alias met exactly."""
    return len(alignment.alias_weights) >= 2 and _exact_complete(alignment)


def _exact_complete(alignment: Alignment) -> bool:
    """Every query and alias token met exactly (the same tokens, in any order)."""
    return (bool(alignment.pairs) and not alignment.unmatched_alias and not alignment.unmatched_query
            and all(k == "exact" for _i, _j, _s, k in alignment.pairs))
