"""The evaluation harness: a labelled cases file in, figures per kind and script out.

A cases file is a TSV read by the one reader (``namebridge.tsv``):
columns ``query expected kind source``, ``#`` comments, ``expected`` an entity
ID (``<type>:<slug>``) or ``NIL`` for a query that must not be matched; ``kind``
and ``source`` may be ``-`` in a quick, unlabelled file.

Every figure is computed with polars from one results frame (a row per case):

- ``top1_accuracy``: positives whose decision is MATCH with the expected ID;
- ``recall``: the same count over the same positives. Under these definitions
  it equals ``top1_accuracy``; both are printed because the issue names both;
- ``ranked``: positives whose *top candidate* is the expected ID, whatever the
  decision (how many a threshold change could still win);
- ``precision``: of all MATCH decisions (positives and negatives), the share
  with the expected ID;
- ``nil_accuracy``: negatives not given a MATCH (AMBIGUOUS or NO_MATCH is right
  for NIL);
- ``false_match_rate``: negatives given a MATCH (``1 - nil_accuracy``).

A rate over zero rows is null (``n/a``), never 0 or 1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from namebridge.errors import DataFileError, NamebridgeError, Problem
from namebridge.tsv import display_path, read_table
from namebridge.matching.results import Decision, Resolution

CASE_COLUMNS = ("query", "expected", "kind", "source")
NIL = "NIL"
_ENTITY_ID = re.compile(r"^[a-z]+:[a-z0-9]+(-[a-z0-9]+)*$")
_KIND = re.compile(r"^([a-z][a-z0-9_]*|-)$")  #: "-" for an unlabelled case

#: columns of the frozen results file, in order (no scores: they move on every tuning)
FROZEN_COLUMNS = ("query", "expected", "kind", "got", "decision", "correct")

#: figures in the order they are printed
FIGURES = ("top1_accuracy", "ranked", "precision", "recall", "nil_accuracy", "false_match_rate")


class Resolver(Protocol):
    """What the harness needs from an engine."""

    def resolve(self, name: str) -> Resolution: ...


# --- reading ----------------------------------------------------------------


def read_cases(path: Path) -> pl.DataFrame:
    """The cases of a TSV file as a frame (query, expected, kind, source, line).

    Raises DataFileError listing every bad row as ``path:line``: a bad header,
    a wrong field count, an empty field, an expected value that is neither
    ``NIL`` nor an entity ID, a kind that is not a lower-case word, a file with
    no case, and the same (query, expected) pair twice.
    """
    problems: list[Problem] = []
    rows = read_table(path, CASE_COLUMNS, problems)
    seen: dict[str, int] = {}
    good = []
    for row in rows:
        bad = False
        if row["expected"] != NIL and not _ENTITY_ID.match(row["expected"]):
            problems.append(row.problem(f"expected must be {NIL} or an entity ID like "
                                        f"'person:donald-trump', found {row['expected']!r}"))
            bad = True
        if not _KIND.match(row["kind"]):
            problems.append(row.problem(f"kind must be a lower-case word like 'typo' (or '-'), "
                                        f"found {row['kind']!r}"))
            bad = True
        if row["query"] in seen:
            problems.append(row.problem(f"query {row['query']!r} already on line "
                                        f"{seen[row['query']]}"))
            bad = True
        seen.setdefault(row["query"], row.line)
        if not bad:
            good.append(row)
    if not rows and not problems:
        problems.append(Problem(display_path(path), 0, "no cases in file"))
    if problems:
        raise DataFileError(problems)
    return pl.DataFrame(
        {
            "query": [r["query"] for r in good],
            "expected": [r["expected"] for r in good],
            "kind": [r["kind"] for r in good],
            "source": [r["source"] for r in good],
            "line": [r.line for r in good],
        },
        schema={"query": pl.String, "expected": pl.String, "kind": pl.String,
                "source": pl.String, "line": pl.Int64},
    )


def query_script(text: str) -> str:
    """The dominant script of a query's letters: Latin, Cyrillic, Arabic, Other or None.

    Read from the Unicode character names (``LATIN SMALL LETTER A``...), so the
    breakdown does not depend on the engine's own detection being right.
    """
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        word = name.split(" ", 1)[0] if name else ""
        script = {"LATIN": "Latin", "CYRILLIC": "Cyrillic", "ARABIC": "Arabic"}.get(word, "Other")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "None"
    return max(sorted(counts), key=lambda s: counts[s])


# --- running ----------------------------------------------------------------


def run_cases(engine: Resolver, cases: pl.DataFrame) -> pl.DataFrame:
    """The cases frame with what the engine answered for each query.

    Adds ``script``, ``decision``, ``got`` (the entity ID on MATCH, else
    ``NIL``), ``top`` (the top candidate's ID whatever the decision, or
    ``NIL``), ``score`` and ``explanation`` (the top candidate's), and
    ``runner_up`` (the best *other* entity and its score: why a case came out
    AMBIGUOUS).
    """
    decisions: list[str] = []
    got: list[str] = []
    top: list[str] = []
    scores: list[float] = []
    explanations: list[str] = []
    runners_up: list[str] = []
    for query in cases["query"]:
        try:
            resolution = engine.resolve(query)
        except NamebridgeError as exc:   # an unusable query is a result, not a crash
            decisions.append(Decision.INVALID.value)
            got.append(NIL)
            top.append(NIL)
            scores.append(0.0)
            explanations.append(str(exc))
            runners_up.append("-")
            continue
        best = resolution.top
        decisions.append(resolution.decision.value)
        got.append(resolution.entity_id or NIL)
        top.append(best.entity_id if best else NIL)
        scores.append(round(resolution.score, 4))
        explanations.append(best.explanation() if best else "no candidate")
        other = next((c for c in resolution.candidates[1:] if best and c.entity_id != best.entity_id),
                     None)
        runners_up.append(f"{other.entity_id} {other.score:.3f}" if other else "-")
    return cases.with_columns(
        pl.Series("script", [query_script(q) for q in cases["query"]], dtype=pl.String),
        pl.Series("decision", decisions, dtype=pl.String),
        pl.Series("got", got, dtype=pl.String),
        pl.Series("top", top, dtype=pl.String),
        pl.Series("score", scores, dtype=pl.Float64),
        pl.Series("explanation", explanations, dtype=pl.String),
        pl.Series("runner_up", runners_up, dtype=pl.String),
    )


# --- figures ----------------------------------------------------------------


def _rate(hits: pl.Expr, over: pl.Expr) -> pl.Expr:
    """hits / over as a float, null when nothing is counted over."""
    return pl.when(over > 0).then(hits / over).otherwise(None)


def _figure_exprs() -> list[pl.Expr]:
    positive = pl.col("expected") != NIL
    matched = pl.col("decision") == Decision.MATCH.value
    right = pl.col("got") == pl.col("expected")
    positives = positive.sum()
    negatives = (~positive).sum()
    return [
        pl.len().alias("cases"),
        positives.alias("positives"),
        negatives.alias("negatives"),
        _rate((positive & matched & right).sum(), positives).alias("top1_accuracy"),
        _rate((positive & (pl.col("top") == pl.col("expected"))).sum(), positives).alias("ranked"),
        _rate((matched & right).sum(), matched.sum()).alias("precision"),
        _rate((positive & matched & right).sum(), positives).alias("recall"),
        _rate((~positive & ~matched).sum(), negatives).alias("nil_accuracy"),
        _rate((~positive & matched).sum(), negatives).alias("false_match_rate"),
    ]


def with_outcome(results: pl.DataFrame) -> pl.DataFrame:
    """Results with ``correct`` (bool) and ``failure`` (false_match, wrong_match, missed or null)."""
    positive = pl.col("expected") != NIL
    matched = pl.col("decision") == Decision.MATCH.value
    right = pl.col("got") == pl.col("expected")
    return results.with_columns(
        pl.when(~positive & matched).then(pl.lit("false_match"))
        .when(positive & matched & ~right).then(pl.lit("wrong_match"))
        .when(positive & ~matched).then(pl.lit("missed"))
        .otherwise(None).alias("failure"),
    ).with_columns(pl.col("failure").is_null().alias("correct"))


_SEVERITY = {"false_match": 0, "wrong_match": 1, "missed": 2}


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Figures overall, per kind and per script, and the failures, worst first."""

    overall: dict[str, Any]
    by_kind: pl.DataFrame
    by_script: pl.DataFrame
    failures: pl.DataFrame
    results: pl.DataFrame

    def to_dict(self, *, failures: int | None = None) -> dict[str, Any]:
        """The ``--json`` shape: plain lists and dicts, floats rounded to 4 places."""
        shown = self.failures if failures is None else self.failures.head(failures)
        return {
            "overall": _rounded(self.overall),
            "by_kind": [_rounded(r) for r in self.by_kind.to_dicts()],
            "by_script": [_rounded(r) for r in self.by_script.to_dicts()],
            "failure_count": self.failures.height,
            "failures": [_rounded(r) for r in shown.to_dicts()],
        }


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def summarize(results: pl.DataFrame) -> EvalReport:
    """The report for a results frame (columns of ``run_cases``); pure, no engine."""
    results = with_outcome(results)
    figures = _figure_exprs()
    overall = results.select(figures).row(0, named=True)
    by_kind = results.group_by("kind").agg(figures).sort("kind")
    by_script = results.group_by("script").agg(figures).sort("script")
    failures = (
        results.filter(~pl.col("correct"))
        .with_columns(pl.col("failure").replace_strict(_SEVERITY, return_dtype=pl.Int64)
                      .alias("_severity"))
        .sort(["_severity", "score", "query"], descending=[False, True, False])
        .select("failure", "kind", "query", "expected", "got", "decision", "score",
                "runner_up", "explanation", "line")
    )
    return EvalReport(overall, by_kind, by_script, failures, results)


def evaluate(engine: Resolver, cases: pl.DataFrame) -> EvalReport:
    """Resolve every case with the engine and compute the report."""
    return summarize(run_cases(engine, cases))


# --- output -----------------------------------------------------------------


def frozen_results(report: EvalReport) -> pl.DataFrame:
    """One row per case, sorted, without scores: the committed ``results.tsv``."""
    return (report.results.select(FROZEN_COLUMNS)
            .with_columns(pl.col("correct").cast(pl.String).str.to_lowercase())
            .sort(["kind", "expected", "query"]))


FROZEN_HEADER = (
    "# Generated by `make eval-freeze` (namebridge eval tests/eval/cases.tsv --write-results ...).\n"
    "# Do not edit: regenerate. A diff here is a change in the engine's behaviour on the set.\n"
)


def write_frozen(report: EvalReport, path: Path) -> None:
    """Write the frozen results file (a comment header, then a sorted TSV)."""
    frame = frozen_results(report)
    lines = ["\t".join(FROZEN_COLUMNS)]
    lines += ["\t".join(row) for row in frame.iter_rows()]
    path.write_text(FROZEN_HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def read_frozen(path: Path) -> pl.DataFrame:
    """A frozen results file as a frame (``correct`` as bool); DataFileError on bad rows."""
    problems: list[Problem] = []
    rows = read_table(path, FROZEN_COLUMNS, problems)
    for row in rows:
        if row["correct"] not in ("true", "false"):
            problems.append(row.problem(f"correct must be true or false, found {row['correct']!r}"))
    if problems:
        raise DataFileError(problems)
    data = {c: [r[c] for r in rows] for c in FROZEN_COLUMNS}
    frame = pl.DataFrame(data, schema={c: pl.String for c in FROZEN_COLUMNS})
    return frame.with_columns(pl.col("correct") == "true")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(frame: pl.DataFrame) -> list[str]:
    header = list(frame.columns)
    body = [[_fmt(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h)
              for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in body]
    return out


def format_report(report: EvalReport, *, failures: int = 20) -> str:
    """The human-readable report: overall, per kind, per script, then the worst failures."""
    lines = ["overall"]
    lines += _table(pl.DataFrame([report.overall]))
    lines += ["", "by kind"] + _table(report.by_kind)
    lines += ["", "by script"] + _table(report.by_script)
    if failures > 0 and report.failures.height:
        lines += ["", f"failures ({report.failures.height}, worst {min(failures, report.failures.height)} shown)"]
        for row in report.failures.head(failures).iter_rows(named=True):
            lines.append(f"  [{row['failure']}] line {row['line']} {row['kind']}: {row['query']!r} "
                         f"expected {row['expected']} got {row['got']} ({row['decision']} "
                         f"{row['score']:.3f}; runner-up {row['runner_up']})")
            lines.append(f"      {row['explanation']}")
    return "\n".join(lines)


def figures_of(frozen: pl.DataFrame) -> dict[str, int]:
    """Counts of correct positives and negatives in a frozen (or live) results frame."""
    positive = pl.col("expected") != NIL
    row = frozen.select(
        (positive & pl.col("correct")).sum().alias("positives_correct"),
        positive.sum().alias("positives"),
        (~positive & pl.col("correct")).sum().alias("negatives_correct"),
        (~positive).sum().alias("negatives"),
    ).row(0, named=True)
    return {k: int(v) for k, v in row.items()}
