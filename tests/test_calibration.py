"""The calibrated score: its weight files, its inputs, the decision and the reliability table.

- a hand-written weights file and step map give the probability the formula
  says for a fixed input vector (logistic, then the step);
- the bundled files load through ``load_bundle`` and reproduce, for the
  input vector of a fixed query, the probability computed by hand from the
  file's numbers;
- missing, garbled and inconsistent files are reported as ``path:line``;
- the engine's inputs have one value per feature, each in [0, 1];
- the calibrated thresholds only ever lower a decision;
- the acceptance of issue 11 on calibration, through the real
  ``namebridge eval --open-world`` on cases.tsv and the open-world names: in
  every score bin from 0.8 up with at least 30 names, the observed share of
  right top candidates is within 0.05 of the bin's mean score.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import polars as pl
import pytest

from namebridge.errors import DataFileError
from namebridge.evaluation.calibrate import isotonic_steps
from namebridge.evaluation.reliability import reliability_table
from namebridge.lexicon.bundle import load_bundle
from namebridge.lexicon.calibration import (CALIBRATION_FILE, CALIBRATION_MAP_FILE, FEATURES, INTERCEPT,
                                            load_calibration)
from namebridge.matching.engine import Engine
from namebridge.matching.results import Decision
from namebridge.matching.scoring import Scorer
from namebridge.settings import BUNDLED_LEXICON_DIR, Settings



def _write(directory: Path, weights: dict[str, str], steps: list[tuple[str, str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "calibration.tsv").write_text(
        "# hand-made\nfeature\tweight\n" + "".join(f"{k}\t{v}\n" for k, v in weights.items()), encoding="utf-8")
    (directory / "calibration_map.tsv").write_text(
        "# hand-made\nmodel_upto\tcalibrated\n" + "".join(f"{a}\t{b}\n" for a, b in steps), encoding="utf-8")
    return directory / "calibration.tsv"


def _weights(**given: str) -> dict[str, str]:
    return {INTERCEPT: "0", **{f: "0" for f in FEATURES}, **given}


def test_a_hand_written_file_gives_the_formula_s_probability(tmp_path: Path) -> None:
    path = _write(tmp_path, _weights(intercept="-1.5", raw_score="2", margin="0.5"),
                  [("0.3", "0.1"), ("0.7", "0.5"), ("1", "0.9")])
    model = load_calibration(path)
    values = tuple(1.0 if f == "raw_score" else 0.4 if f == "margin" else 0.0 for f in FEATURES)
    expected_model = 1.0 / (1.0 + math.exp(-(-1.5 + 2.0 + 0.5 * 0.4)))     # 0.6682
    assert model.model_probability(values) == pytest.approx(expected_model, abs=1e-12)
    assert model.probability(values) == 0.5                                   # 0.3 < 0.668 <= 0.7
    low = tuple(0.0 for _ in FEATURES)                                         # sigmoid(-1.5) = 0.182
    assert model.probability(low) == 0.1


def test_the_bundled_weights_reproduce_the_probability_of_a_fixed_query() -> None:
    bundle = load_bundle(BUNDLED_LEXICON_DIR)
    engine = Engine.from_bundle(bundle, Settings())
    top, values = engine.calibration_inputs("Tokajew")
    assert top == "person:kassym-jomart-tokayev"
    # the same number from the files' text, by hand
    weights = {}
    for line in (BUNDLED_LEXICON_DIR / CALIBRATION_FILE).read_text(encoding="utf-8").splitlines()[1:]:
        if line and not line.startswith("#") and not line.startswith("feature\t"):
            name, weight = line.split("\t")
            weights[name] = float(weight)
    z = weights[INTERCEPT] + sum(weights[f] * v for f, v in zip(FEATURES, values))
    model = 1.0 / (1.0 + math.exp(-z))
    steps = [tuple(map(float, line.split("\t")))
             for line in (BUNDLED_LEXICON_DIR / CALIBRATION_MAP_FILE).read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#") and not line.startswith("model_upto")]
    by_hand = next(c for upto, c in steps if model <= upto)
    assert bundle.calibration.probability(values) == by_hand
    assert engine.resolve("Tokajew").score == pytest.approx(by_hand, abs=1e-6)


def test_the_files_are_in_the_lexicon_version(tmp_path: Path) -> None:
    copy = shutil.copytree(BUNDLED_LEXICON_DIR, tmp_path / "lexicons")
    shutil.copytree(BUNDLED_LEXICON_DIR.parent / "seeds", tmp_path / "seeds")
    before = load_bundle(copy).version
    path = copy / CALIBRATION_FILE
    path.write_text(path.read_text(encoding="utf-8") + "# a comment changes the bytes\n", encoding="utf-8")
    assert load_bundle(copy).version != before


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        load_calibration(tmp_path / "calibration.tsv")
    text = str(caught.value)
    assert "calibration.tsv:0: calibration weights missing" in text
    assert "calibration_map.tsv:0: calibration map missing" in text


def test_garbled_files_are_reported_with_path_and_line(tmp_path: Path) -> None:
    weights = _weights(raw_score="heavy")
    weights["nonsense"] = "1"
    path = _write(tmp_path, weights, [("0.5", "0.6"), ("0.4", "0.7"), ("1", "0.2")])
    with (tmp_path / "calibration.tsv").open("a", encoding="utf-8") as f:
        f.write("margin\t1\n")                                        # the second margin row
    with pytest.raises(DataFileError) as caught:
        load_calibration(path)
    text = str(caught.value)
    lines = {name: n for n, name in enumerate(["#", "header", *weights, "margin"], start=1)}
    assert f"calibration.tsv:{lines['raw_score']}: weight must be a finite number" in text
    assert f"calibration.tsv:{lines['nonsense']}: unknown feature 'nonsense'" in text
    assert f"calibration.tsv:{len(weights) + 3}: feature 'margin' already on line" in text
    assert "calibration_map.tsv:4: model_upto must increase" in text
    assert "calibration_map.tsv:5: model_upto must increase" in text   # 0.2 after 0.6


def test_a_feature_left_out_and_an_open_last_step_are_reported(tmp_path: Path) -> None:
    weights = _weights()
    del weights["margin"]
    path = _write(tmp_path, weights, [("0.5", "0.6")])
    with pytest.raises(DataFileError) as caught:
        load_calibration(path)
    text = str(caught.value)
    assert "calibration.tsv:0: feature(s) missing: margin" in text
    assert "calibration_map.tsv:0: the last step must end at model_upto 1" in text


def test_a_broken_bundled_file_stops_the_engine_with_path_and_line(tmp_path: Path) -> None:
    copy = shutil.copytree(BUNDLED_LEXICON_DIR, tmp_path / "lexicons")
    shutil.copytree(BUNDLED_LEXICON_DIR.parent / "seeds", tmp_path / "seeds")
    (copy / CALIBRATION_FILE).write_text("feature\tweight\nintercept\tx\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"calibration.tsv:2: weight must be a finite number"):
        Engine.load(copy)


@pytest.mark.parametrize("name", ["Tokajew", "Kazakhstan", "Estonia", "Donald Trump", "Al Gore"])
def test_inputs_have_one_value_per_feature_in_range(engine: Engine, name: str) -> None:
    found = engine.calibration_inputs(name)
    assert found is not None
    _top, values = found
    assert len(values) == len(FEATURES)
    assert all(0.0 <= v <= 1.0 for v in values), dict(zip(FEATURES, values))
    resolution = engine.resolve(name)
    assert 0.0 <= resolution.score <= 1.0
    assert resolution.score == pytest.approx(engine.calibration.probability(values), abs=1e-6)


@pytest.mark.parametrize(("ranked", "probability", "decision"), [
    ([0.95, 0.5], 0.9, Decision.MATCH),
    ([0.95, 0.5], 0.15, Decision.MATCH),
    ([0.95, 0.5], 0.05, Decision.NO_MATCH),       # a raw MATCH too unlikely to name anything
    ([0.95, 0.93], 0.99, Decision.AMBIGUOUS),     # the margin rule stands, whatever the probability
    ([0.77], 0.99, Decision.AMBIGUOUS),           # so does the threshold: p never raises a decision
    ([0.77], 0.1, Decision.NO_MATCH),             # an AMBIGUOUS too unlikely is NO_MATCH
    ([0.5], 0.99, Decision.NO_MATCH),
    ([], 0.0, Decision.NO_MATCH),
])
def test_the_calibrated_thresholds_only_lower_a_decision(ranked: list[float], probability: float,
                                                        decision: Decision) -> None:
    scorer = Scorer.from_settings(Settings())
    assert scorer.decide(ranked, probability) is decision


def test_isotonic_steps_are_non_decreasing_and_end_at_one() -> None:
    steps = isotonic_steps([0.1, 0.2, 0.2, 0.5, 0.6, 0.9], [0, 1, 0, 0, 1, 1])
    assert steps[-1][0] == 1.0
    assert all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(steps, steps[1:]))
    assert steps[0] == (0.15, 0.333333)           # one row, none right: (0 + 1) / (1 + 2)


def test_reliability_bins_are_exact() -> None:
    frame = pl.DataFrame({
        "expected": ["a", "a", "NIL", "b", "NIL", "c"],
        "top": ["a", "b", "x", "b", "NIL", "c"],
        "score": [0.93, 0.91, 0.2, 1.0, 0.0, 0.5],
    })
    table = {r["bin"]: r for r in reliability_table(frame).to_dicts()}
    assert set(table) == {0.0, 0.5, 0.9, 0.95}                 # no candidate: left out
    assert (table[0.9]["cases"], table[0.9]["observed"]) == (2, 0.5)
    assert table[0.9]["mean_score"] == pytest.approx(0.92)
    assert (table[0.95]["cases"], table[0.95]["observed"]) == (1, 1.0)    # 1.0 falls in the last bin
    assert (table[0.0]["cases"], table[0.0]["observed"]) == (1, 0.0)
