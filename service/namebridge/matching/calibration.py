"""Calibrated scores: the probability that the top candidate is the entity meant.

The raw score (``scoring.py``) ranks candidates; it is not a probability. This
module turns the top candidate's evidence into one: a logistic model

    p = 1 / (1 + exp(-(intercept + sum(weight_f * value_f))))

over ``FEATURES``, values the engine already holds for the top candidate (its
raw score and named features, the lead over the runner-up entity, how its
tokens met, the alias's tier and script, the query's size). It costs one dot
product per query, on the top candidate only.

The weights are data: ``lexicons/scoring/calibration.tsv`` (columns
``feature weight``), written by ``make calibrate``
(``namebridge.evaluation.calibrate``) and read through ``load_bundle``
(``namebridge.lexicon.calibration``, which also holds ``FEATURES``), so the
lexicon version covers them.
"""

from __future__ import annotations

#: the lead over the runner-up entity is read up to this much: beyond it, how far
#: behind the runner-up is says nothing more (and a runner-up below the returned
#: floor, which the engine need not score, cannot change the answer; see ``Engine``)
MARGIN_CAP = 0.2
#: query tokens counted, at most (``query_tokens`` is the count over this)
MAX_COUNTED_TOKENS = 4
#: a paired query token this short (characters) is short evidence
SHORT_TOKEN_LENGTH = 4

#: the comparisons a token pair can come from (``features.form_similarity``, initials)
KEY_KINDS = ("exact", "cross", "skeleton", "fuzzy", "initial")

#: named features of scoring.py whose absence from the explanation means 1.0
_NAMED = ("query_coverage", "alias_coverage", "conflicting_tokens", "common_name_only",
          "initials_only", "compound_complete")


def calibration_features(*, raw_score: float, runner_up: float, exact_unshared: bool,
                         values: tuple[tuple[str, float], ...], pairs: list[tuple[int, int, float, str]],
                         alias_weights: list[float] | tuple[float, ...], query_texts: list[str],
                         query_scripts: list[str], alias_script: str, weak_alias: bool,
                         person: bool) -> tuple[float, ...]:
    """The model's inputs for a top candidate, in ``FEATURES`` order.

    ``values`` is the scorer's (feature, value) list; ``pairs`` the alignment's
    (query index, alias index, similarity, key); ``runner_up`` the best other
    entity's raw score (0 if none). For an exact, unshared top the margin is
    taken as full: the runner-up is then not needed (``Engine._exact_match``
    does not look for it).
    """
    named = dict(values)
    margin = 1.0 if exact_unshared else min(max(raw_score - runner_up, 0.0), MARGIN_CAP) / MARGIN_CAP
    shares = dict.fromkeys(KEY_KINDS, 0.0)
    total = 0.0
    stem = False
    for _i, j, _s, key in pairs:
        kind, _plus, extra = key.partition("+")
        weight = alias_weights[j]
        shares[kind if kind in shares else "exact"] += weight
        total += weight
        stem = stem or extra == "stem"
    if total > 0.0:
        shares = {k: v / total for k, v in shares.items()}
    paired = {i for i, _j, _s, _k in pairs}
    return (
        raw_score,
        margin,
        1.0 if exact_unshared else 0.0,
        *(named.get(name, 1.0) for name in _NAMED),
        1.0 if weak_alias else 0.0,
        shares["cross"], shares["skeleton"], shares["fuzzy"], shares["initial"],
        1.0 if stem else 0.0,
        1.0 if any(query_scripts[i] != alias_script for i in paired) else 0.0,
        1.0 if len(query_texts) == 1 else 0.0,
        min(len(query_texts), MAX_COUNTED_TOKENS) / MAX_COUNTED_TOKENS,
        1.0 if any(len(query_texts[i]) <= SHORT_TOKEN_LENGTH for i in paired) else 0.0,
        1.0 if person else 0.0,
    )
