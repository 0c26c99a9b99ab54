"""The fitted weights of the calibrated score: ``scoring/calibration.tsv`` in a lexicon directory.

Two stages, two files: ``calibration.tsv`` (columns ``feature weight``) holds
the weights of a logistic model; ``calibration_map.tsv`` (columns
``model_upto calibrated``) a non-decreasing step map from the model's
probability to the share of right answers observed (isotonic regression: each
step is a block of fitted rows, ``model_upto`` its upper end). Both are written by ``make
calibrate`` (``namebridge.evaluation.calibrate``) and read by ``load_bundle``,
so the lexicon version covers it. ``FEATURES`` is its schema: the inputs of
the logistic model, computed by ``namebridge.matching.calibration`` in this
order. A missing file, an unknown, duplicate or missing feature, or a weight
that is not a finite number is reported as ``path:line``.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.tsv import display_path, read_table

#: where the weights live inside a lexicon directory (the ``scoring`` table folder)
CALIBRATION_FILE = Path("scoring") / "calibration.tsv"
CALIBRATION_COLUMNS = ("feature", "weight")
#: the second stage: the logistic model's probability, up to ``model_upto``, maps to ``calibrated``
CALIBRATION_MAP_FILE = Path("scoring") / "calibration_map.tsv"
MAP_COLUMNS = ("model_upto", "calibrated")
INTERCEPT = "intercept"

#: every input of the model, in order; each is in [0, 1]
FEATURES: tuple[str, ...] = (
    "raw_score",            # the scorer's score of the top candidate
    "margin",               # its lead over the best other entity, capped at MARGIN_CAP, over MARGIN_CAP
    "exact_unshared",       # every token met exactly and no other entity did (EXACT_SCORE, unshared)
    "query_coverage",       # the named features of scoring.py (1.0 where the explanation omits them)
    "alias_coverage",
    "conflicting_tokens",
    "common_name_only",
    "initials_only",
    "compound_complete",
    "weak_alias",           # the alias is of the weak tier (epithet, metonym...)
    "share_cross",          # share of the paired alias weight met by each comparison (exact is the rest)
    "share_skeleton",
    "share_fuzzy",
    "share_initial",
    "stem",                 # some pair met through a base form (+stem)
    "cross_script",         # some paired query token is in another script than the alias
    "single_token",         # the query has one token
    "query_tokens",         # number of query tokens, at most MAX_COUNTED_TOKENS, over it
    "short_token",          # some paired query token has at most SHORT_TOKEN_LENGTH letters
    "person",               # the candidate is a person
)

@dataclass(frozen=True, slots=True)
class Calibration:
    """Fitted weights and step map: ``probability(values)`` for a vector in ``FEATURES`` order."""

    intercept: float
    weights: tuple[float, ...]          #: one per feature, in ``FEATURES`` order
    steps: tuple[tuple[float, float], ...] = ((1.0, 1.0),)  #: (model_upto, calibrated), increasing
    source: str = ""                    #: the file it was read from

    def model_probability(self, values: tuple[float, ...]) -> float:
        """The logistic model's probability (the first stage)."""
        z = self.intercept + sum(w * v for w, v in zip(self.weights, values))
        if z >= 0.0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def probability(self, values: tuple[float, ...]) -> float:
        """The calibrated probability in [0, 1] for one feature vector: the model's, mapped."""
        model = self.model_probability(values)
        index = bisect.bisect_left(self.steps, (model,))     # the first step whose model_upto >= model
        return self.steps[min(index, len(self.steps) - 1)][1]

    def as_dict(self) -> dict[str, float]:
        return {INTERCEPT: self.intercept, **dict(zip(FEATURES, self.weights))}


def load_calibration(path: Path, map_path: Path | None = None) -> Calibration:
    """The weights in ``path`` and the step map in ``map_path`` (default: next to it);
    raises DataFileError listing every problem as ``path:line``."""
    problems: list[Problem] = []
    map_path = map_path or path.with_name(CALIBRATION_MAP_FILE.name)
    weights = _read_weights(path, problems)
    steps = _read_steps(map_path, problems)
    if problems:
        raise DataFileError(problems)
    return Calibration(weights[INTERCEPT], tuple(weights[name] for name in FEATURES), steps, display_path(path))


def _number(row, column: str, problems: list[Problem]) -> float | None:
    try:
        value = float(row[column])
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(row.problem(f"{column} must be a finite number, found {row[column]!r}"))
        return None
    return value


def _read_weights(path: Path, problems: list[Problem]) -> dict[str, float]:
    shown = display_path(path)
    if not path.is_file():
        problems.append(Problem(shown, 0, "calibration weights missing: run `make calibrate`"))
        return {}
    before = len(problems)
    rows = read_table(path, CALIBRATION_COLUMNS, problems)
    known = (INTERCEPT, *FEATURES)
    found: dict[str, float] = {}
    lines: dict[str, int] = {}
    for row in rows:
        name = row["feature"]
        if name not in known:
            problems.append(row.problem(f"unknown feature {name!r}; known: {', '.join(known)}"))
            continue
        if name in lines:
            problems.append(row.problem(f"feature {name!r} already on line {lines[name]}"))
            continue
        weight = _number(row, "weight", problems)
        if weight is None:
            continue
        found[name] = weight
        lines[name] = row.line
    if len(problems) == before:
        missing = [name for name in known if name not in found]
        if missing:
            problems.append(Problem(shown, 0, f"feature(s) missing: {', '.join(missing)}; run `make calibrate`"))
    return found


def _read_steps(path: Path, problems: list[Problem]) -> tuple[tuple[float, float], ...]:
    shown = display_path(path)
    if not path.is_file():
        problems.append(Problem(shown, 0, "calibration map missing: run `make calibrate`"))
        return ()
    before = len(problems)
    steps: list[tuple[float, float]] = []
    for row in read_table(path, MAP_COLUMNS, problems):
        upto, calibrated = _number(row, "model_upto", problems), _number(row, "calibrated", problems)
        if upto is None or calibrated is None:
            continue
        if not (0.0 <= upto <= 1.0 and 0.0 <= calibrated <= 1.0):
            problems.append(row.problem("model_upto and calibrated must be in [0, 1]"))
        elif steps and not (upto > steps[-1][0] and calibrated >= steps[-1][1]):
            problems.append(row.problem("model_upto must increase and calibrated must not decrease"))
        else:
            steps.append((upto, calibrated))
    if len(problems) == before and (not steps or steps[-1][0] != 1.0):
        problems.append(Problem(shown, 0, "the last step must end at model_upto 1"))
    return tuple(steps)


def _header(fitted_on: list[tuple[str, str, int]], notes: list[str], what: str) -> list[str]:
    lines = ["# generated by make calibrate (namebridge.evaluation.calibrate); do not edit",
             f"# {what}",
             "# fitted on (data set, sha256, rows):"]
    lines += [f"#   {name} {digest} {rows}" for name, digest, rows in fitted_on]
    return lines + [f"# {note}" for note in notes]


def calibration_text(weights: dict[str, float], *, fitted_on: list[tuple[str, str, int]],
                     notes: list[str]) -> str:
    """``calibration.tsv`` as ``make calibrate`` writes it: comment header, then the weights
    sorted by feature. ``fitted_on`` lists (data set, sha256, rows). Date-free, so fitting
    the same data again writes the same bytes."""
    lines = _header(fitted_on, notes, "weights of the logistic model of P(top candidate is the expected entity); "
                                      "inputs: namebridge.matching.calibration")
    lines.append("\t".join(CALIBRATION_COLUMNS))
    lines += [f"{name}\t{weights[name]:.6f}" for name in sorted((INTERCEPT, *FEATURES))]
    return "\n".join(lines) + "\n"


def calibration_map_text(steps: list[tuple[float, float]], *, fitted_on: list[tuple[str, str, int]],
                         notes: list[str]) -> str:
    """``calibration_map.tsv``: comment header, then the steps in order of ``model_upto``."""
    lines = _header(fitted_on, notes, "isotonic step map: the model's probability up to model_upto -> "
                                      "the share of right answers observed")
    lines.append("\t".join(MAP_COLUMNS))
    lines += [f"{upto:.8f}\t{calibrated:.6f}" for upto, calibrated in steps]
    return "\n".join(lines) + "\n"
