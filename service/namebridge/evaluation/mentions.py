"""Mention annotation against a hand-checked gold file (tests/eval/seed_mentions.tsv).

The gold file (read with the project's TSV reader) lists every mention of a
lexicon entity in a set of texts: ``file start end surface entity_id kind``.
Each text is annotated as read with UTF-8 and newlines untranslated, and
compared per file and overall:

- ``precision``: predicted mentions that overlap a gold mention of the same entity;
- ``recall``: gold mentions overlapped by a predicted mention of the same entity;
- ``exact_precision`` / ``exact_recall``: the same with identical start and end.

A rate over zero mentions is null (``n/a``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from namebridge.annotation.mentions import Mention
from namebridge.errors import DataFileError, Problem
from namebridge.tsv import read_table

GOLD_COLUMNS = ("file", "start", "end", "surface", "entity_id", "kind")
OVERALL = "overall"
FIGURES = ("precision", "recall", "exact_precision", "exact_recall")


class Annotates(Protocol):
    """What the evaluation needs of an annotator."""

    def annotate(self, text: str, *, language: str | None = None) -> list[Mention]: ...


@dataclass(frozen=True, slots=True)
class GoldMention:
    file: str
    start: int
    end: int
    entity_id: str
    kind: str


@dataclass(slots=True)
class Counts:
    """Counts of one file (or all)."""

    predicted: int = 0
    gold: int = 0
    right: int = 0          #: predicted mentions overlapping a gold one of the same entity
    found: int = 0          #: gold mentions overlapped by a predicted one of the same entity
    exact: int = 0          #: predicted mentions with a gold one of the same span and entity

    def figures(self) -> dict[str, float | None]:
        def rate(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None
        return {"precision": rate(self.right, self.predicted), "recall": rate(self.found, self.gold),
                "exact_precision": rate(self.exact, self.predicted), "exact_recall": rate(self.exact, self.gold),
                "predicted": self.predicted, "gold": self.gold}

    def add(self, other: "Counts") -> None:
        for name in ("predicted", "gold", "right", "found", "exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class MentionReport:
    """Counts per file and overall, with the errors to look at."""

    per_file: dict[str, Counts]
    overall: Counts
    #: (file, start, end, surface, got, expected) of each wrong or missed mention
    errors: list[tuple[str, int, int, str, str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"files": {name: c.figures() for name, c in self.per_file.items()},
                OVERALL: self.overall.figures(),
                "errors": [dict(zip(("file", "start", "end", "surface", "got", "expected"), e))
                           for e in self.errors]}


def read_gold(path: Path) -> list[GoldMention]:
    """The gold mentions; raises DataFileError naming every bad line."""
    problems: list[Problem] = []
    rows = read_table(path, GOLD_COLUMNS, problems)
    out = []
    for row in rows:
        if not (row["start"].isdigit() and row["end"].isdigit()):
            problems.append(row.problem("start and end must be code-point offsets"))
            continue
        out.append(GoldMention(row["file"], int(row["start"]), int(row["end"]), row["entity_id"], row["kind"]))
    if not out and not problems:
        problems.append(Problem(str(path), 0, "no gold mention in the file"))
    if problems:
        raise DataFileError(problems)
    return out


def evaluate_mentions(annotator: Annotates, gold: list[GoldMention], texts_dir: Path) -> MentionReport:
    """Annotate every file the gold names (``texts_dir/<file>``) and compare."""
    by_file: dict[str, list[GoldMention]] = {}
    for g in gold:
        by_file.setdefault(g.file, []).append(g)
    report = MentionReport({}, Counts())
    for name in sorted(by_file):
        path = texts_dir / name
        if not path.is_file():
            raise DataFileError([Problem(str(path), 0, f"the gold names {name}, which is not in {texts_dir}")])
        text = open(path, encoding="utf-8", newline="").read()
        predicted = annotator.annotate(text)
        counts = _compare(name, text, predicted, by_file[name], report.errors)
        report.per_file[name] = counts
        report.overall.add(counts)
    return report


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _compare(name: str, text: str, predicted: list[Mention], gold: list[GoldMention],
             errors: list[tuple[str, int, int, str, str, str]]) -> Counts:
    counts = Counts(predicted=len(predicted), gold=len(gold))
    for p in predicted:
        same = [g for g in gold if g.entity_id == p.entity_id and _overlaps(p.start, p.end, g.start, g.end)]
        if same:
            counts.right += 1
            counts.exact += any(g.start == p.start and g.end == p.end for g in same)
        else:
            other = next((g.entity_id for g in gold if _overlaps(p.start, p.end, g.start, g.end)), "-")
            errors.append((name, p.start, p.end, p.text, p.entity_id, other))
    for g in gold:
        if any(p.entity_id == g.entity_id and _overlaps(p.start, p.end, g.start, g.end) for p in predicted):
            counts.found += 1
        elif not any(_overlaps(p.start, p.end, g.start, g.end) for p in predicted):
            errors.append((name, g.start, g.end, text[g.start:g.end], "-", g.entity_id))
    errors.sort()
    return counts


def format_mention_report(report: MentionReport, *, errors: int = 20) -> str:
    """The figures as a table, per file then overall, and the first errors."""
    def cell(value: float | int | None) -> str:
        return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
    head = f"{'file':<28}{'gold':>6}{'pred':>6}{'precision':>11}{'recall':>8}{'exact P':>9}{'exact R':>9}"
    lines = ["mention annotation (a mention is right when it overlaps a gold one of the same entity)", head]
    rows = list(report.per_file.items()) + [(OVERALL, report.overall)]
    for name, counts in rows:
        f = counts.figures()
        lines.append(f"{name:<28}{counts.gold:>6}{counts.predicted:>6}{cell(f['precision']):>11}"
                     f"{cell(f['recall']):>8}{cell(f['exact_precision']):>9}{cell(f['exact_recall']):>9}")
    if report.errors and errors:
        lines.append(f"\nerrors ({len(report.errors)}; got '-' = missed, expected '-' = no gold mention there):")
        for file, start, end, surface, got, expected in report.errors[:errors]:
            lines.append(f"  {file} {start}-{end} {surface!r}: got {got}, expected {expected}")
    return "\n".join(lines)
