"""``make calibrate``: fit the calibrated score's weights on the labelled sets.

    python -m namebridge.evaluation.calibrate --cases tests/eval/cases.tsv \
        --open-world tests/eval/openworld --out lexicons/scoring/calibration.tsv

Each name is resolved with the bundled engine; a name whose search returns
a candidate gives one row: the model's inputs for the top candidate
(``Engine.calibration_inputs``) and the label 1 if that candidate is the
expected entity, else 0 (a negative's top candidate is always wrong). Names
without a candidate, and open-world names the lexicon holds for something
else (``held``), give no row. The weights are those of a logistic regression
fitted by iteratively reweighted least squares with a small ridge penalty
(``RIDGE``, not on the intercept), in plain Python: the inputs are few and
identical rows are merged first.

The real-world set (``tests/eval/realworld.tsv``) is never fitted on: it is
the held-out check of the calibration (docs/evaluation.md).

A second stage maps the model's probability to the share of right answers
observed (``isotonic_steps``), written next to the weights
(``calibration_map.tsv``): the logistic model orders the candidates by how
likely they are right, the step map says how likely.

The files written name the data sets with their sha256 and row counts, and
no date, so fitting the same data with the same engine writes the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

import polars as pl

from namebridge.errors import NamebridgeError
from namebridge.evaluation import openworld
from namebridge.evaluation.harness import NIL, read_cases
from namebridge.lexicon.calibration import (CALIBRATION_MAP_FILE, FEATURES, INTERCEPT, Calibration,
                                            calibration_map_text, calibration_text)
from namebridge.lexicon.bundle import load_bundle
from namebridge.matching.engine import Engine
from namebridge.settings import settings_from_env
from namebridge.tsv import display_path

#: the ridge penalty on every weight but the intercept (in units of rows)
RIDGE = 1.0
#: IRLS stops when no weight moves more than this, or after MAX_ITERATIONS
TOLERANCE = 1e-9
MAX_ITERATIONS = 50
#: model probabilities closer than this are one value to the step map (rows never straddle a step)
SAME_PROBABILITY = 1e-6


def training_rows(engine: Engine, names: list[str], expected: list[str]) -> pl.DataFrame:
    """One row per name with a candidate: the inputs (columns ``FEATURES``) and ``label``."""
    columns: dict[str, list[float]] = {f: [] for f in FEATURES}
    labels: list[int] = []
    for name, want in zip(names, expected):
        try:
            found = engine.calibration_inputs(name)
        except NamebridgeError:      # an unusable query has no candidate to calibrate
            continue
        if found is None:
            continue
        top, inputs = found
        for feature, value in zip(FEATURES, inputs):
            columns[feature].append(value)
        labels.append(int(want != NIL and top == want))
    return pl.DataFrame({**columns, "label": labels},
                        schema={**{f: pl.Float64 for f in FEATURES}, "label": pl.Int64})


def fit_logistic(rows: pl.DataFrame, *, ridge: float = RIDGE) -> dict[str, float]:
    """Weights (with ``intercept``) of a ridge-penalised logistic regression of ``label`` on ``FEATURES``."""
    grouped = (rows.with_columns(pl.col(f).round(6) for f in FEATURES)
               .group_by(list(FEATURES)).agg(pl.len().alias("n"), pl.col("label").sum().alias("k"))
               .sort(list(FEATURES)))
    xs = [(1.0, *row) for row in grouped.select(FEATURES).iter_rows()]
    ns = grouped["n"].cast(pl.Float64).to_list()
    ks = grouped["k"].cast(pl.Float64).to_list()
    size = len(FEATURES) + 1
    beta = [0.0] * size
    for _ in range(MAX_ITERATIONS):
        hessian = [[0.0] * size for _ in range(size)]
        gradient = [0.0] * size
        for x, n, k in zip(xs, ns, ks):
            p = _sigmoid(sum(b * v for b, v in zip(beta, x)))
            w = n * p * (1.0 - p)
            r = k - n * p
            for a in range(size):
                if x[a] == 0.0:
                    continue
                gradient[a] += r * x[a]
                wa = w * x[a]
                row = hessian[a]
                for c in range(a, size):
                    row[c] += wa * x[c]
        for a in range(size):
            for c in range(a):
                hessian[a][c] = hessian[c][a]
        for a in range(1, size):
            hessian[a][a] += ridge
            gradient[a] -= ridge * beta[a]
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < TOLERANCE:
            break
    return {INTERCEPT: beta[0], **dict(zip(FEATURES, beta[1:]))}


def isotonic_steps(model: list[float], labels: list[int]) -> list[tuple[float, float]]:
    """The step map of the second stage: (model_upto, calibrated) per block.

    Pool-adjacent-violators over the rows sorted by the model's probability
    (rows whose probabilities differ by less than ``SAME_PROBABILITY`` share a block): each block is a
    run of rows whose share of right answers does not fall; a block's
    ``calibrated`` value is that share, smoothed by one right and one wrong
    pseudo-answer (so no step claims 0 or 1 from a finite sample), and its
    ``model_upto`` halfway between its highest model probability and the next
    block's lowest (1.0 for the last).
    """
    order = sorted(zip(model, labels))
    grouped: list[list[float]] = []           # [right, rows, lowest and highest model probability]
    for p, label in order:
        if grouped and p - grouped[-1][3] < SAME_PROBABILITY:
            grouped[-1][0] += label
            grouped[-1][1] += 1
            grouped[-1][3] = p
        else:
            grouped.append([float(label), 1.0, p, p])
    blocks: list[list[float]] = []
    for group in grouped:
        blocks.append(group)
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            right2, rows2, _low2, high2 = blocks.pop()
            blocks[-1][0] += right2
            blocks[-1][1] += rows2
            blocks[-1][3] = high2
    steps: list[tuple[float, float]] = []
    for n, (right, rows, _low, high) in enumerate(blocks):
        # a step ends halfway to the next block, so rounding the weights moves no fitted row
        upto = (high + blocks[n + 1][2]) / 2.0 if n + 1 < len(blocks) else 1.0
        smoothed = round((right + 1.0) / (rows + 2.0), 6)
        # smoothing may undo the order by a hair where a small block follows a large one
        steps.append((round(upto, 8), max(smoothed, steps[-1][1]) if steps else smoothed))
    return steps


def _sigmoid(z: float) -> float:
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gaussian elimination with partial pivoting; matrix is SPD)."""
    n = len(vector)
    m = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def labelled_names(engine: Engine, cases: Path, open_world: Path | None) -> tuple[list[str], list[str], list]:
    """(names, expected IDs, (data set, sha256, rows) per file) of the sets fitted on."""
    frame = read_cases(cases)
    names, expected = frame["query"].to_list(), frame["expected"].to_list()
    fitted_on = [(display_path(cases), _sha256(cases), frame.height)]
    if open_world is not None:
        labelled = openworld.label(openworld.read_openworld(open_world), engine.lexicon)
        kept = labelled.filter(pl.col("role") != openworld.HELD)
        names += kept["query"].to_list()
        expected += kept["expected"].to_list()
        for path in sorted(open_world.glob("*.tsv")):
            count = kept.filter(pl.col("file") == path.name).height
            fitted_on.append((display_path(path), _sha256(path), count))
    return names, expected, fitted_on


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m namebridge.evaluation.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=Path, required=True, help="labelled cases TSV (query expected kind source)")
    parser.add_argument("--open-world", type=Path, help="open-world directory (tests/eval/openworld)")
    parser.add_argument("--out", type=Path, required=True, help="the weights file to write")
    parser.add_argument("--lexicon", type=Path, help="lexicon directory (default: bundled)")
    args = parser.parse_args(argv)
    try:
        settings = settings_from_env(lexicon_dir=args.lexicon)
        engine = Engine.from_bundle(load_bundle(settings.lexicon_dir, settings, with_calibration=False), settings)
        names, expected, fitted_on = labelled_names(engine, args.cases, args.open_world)
        rows = training_rows(engine, names, expected)
    except NamebridgeError as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return 2
    weights = {name: round(weight, 6) for name, weight in fit_logistic(rows).items()}   # as written
    model = Calibration(weights[INTERCEPT], tuple(weights[f] for f in FEATURES))
    probabilities = [model.model_probability(tuple(r)) for r in rows.select(FEATURES).iter_rows()]
    steps = isotonic_steps(probabilities, rows["label"].to_list())
    notes = [f"rows with a candidate: {rows.height}, of which right: {int(rows['label'].sum())}; "
             f"ridge {RIDGE:g}; never fitted on tests/eval/realworld.tsv (the held-out check)"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(calibration_text(weights, fitted_on=fitted_on, notes=notes), encoding="utf-8")
    args.out.with_name(CALIBRATION_MAP_FILE.name).write_text(
        calibration_map_text(steps, fitted_on=fitted_on, notes=notes), encoding="utf-8")
    print(f"calibrate: {rows.height} rows ({int(rows['label'].sum())} right) -> {display_path(args.out)}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
