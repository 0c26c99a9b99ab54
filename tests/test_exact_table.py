"""The exact-name table answers what the engine answers, name by name.

``namebridge.batch.exact`` claims that a name whose query key is in the table
gets, from ``Engine.resolve`` with one candidate and no hints, a MATCH of the
table's entity through the table's alias, with the table's calibrated score. Checked here against
the engine itself on every name of the evaluation sets, every alias of the
bundled lexicon written as maintainers and users write it (case, spacing,
punctuation, a suffix), and a synthetic lexicon's aliases and queries; and a
batch run gives the same output with and without the table.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from benchmarks.synthetic import make_queries, write_synthetic_lexicon
from namebridge.batch.exact import ExactTable
from namebridge.batch.rows import resolve_key
from namebridge.batch.runner import BatchOptions, run_batch
from namebridge.matching.engine import Engine

EVAL = Path(__file__).parent / "eval"


def _queries(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    assert header[0] == "query", path
    return [line.split("\t")[0] for line in lines[1:]]


def eval_names() -> list[str]:
    names = []
    for path in (EVAL / "cases.tsv", EVAL / "realworld.tsv", *sorted((EVAL / "openworld").glob("*.tsv"))):
        names += _queries(path)
    assert len(names) > 30_000
    return names


def written_forms(texts: list[str]) -> list[str]:
    """Each text as written, and as users write it: case, spacing, punctuation, a suffix."""
    out = []
    for text in texts:
        out += [text, text.upper(), text.lower(), f"  {text}  ", text.replace(" ", "  "), f"{text}.",
                f"«{text}»", f"{text}'ın", f"{text}-ны", text.replace(" ", "-")]
    return out


def assert_same_answers(engine: Engine, names: list[str]) -> int:
    """Every name the table answers gets the engine's row; returns how many it answered."""
    table = ExactTable.build(engine)
    answered = table.answer(pl.Series(list(dict.fromkeys(names)), dtype=pl.String))
    for name, entity_id, canonical, entity_type, alias, score in answered.iter_rows():
        got = (entity_id, canonical, entity_type, score, "MATCH", alias, None, None)
        assert got == resolve_key(engine, name, None, None), name
    return answered.height


def test_table_answers_the_engines_answer_on_the_evaluation_sets(engine):
    names = eval_names()
    answered = assert_same_answers(engine, names)
    assert answered > 100      # the sets are mostly names that are not aliases, by design


def test_table_answers_the_engines_answer_on_the_lexicons_aliases(engine):
    texts = [a.text for a in engine.lexicon.aliases]
    answered = assert_same_answers(engine, written_forms(texts))
    assert answered > len(texts) // 2


def test_table_leaves_shared_weak_and_short_forms_to_the_engine(engine):
    table = ExactTable.build(engine)
    shared = {}
    for alias in engine.lexicon.aliases:
        shared.setdefault(" ".join(alias.text.lower().split()), set()).add(alias.entity_id)
    ambiguous = [text for text, ids in shared.items() if len(ids) > 1]
    weak = [a.text for a in engine.lexicon.aliases if a.tier != "strong"]
    assert ambiguous and weak
    left = table.answer(pl.Series(ambiguous + weak + ["Korea", "US", "ABD", "", "   ", None], dtype=pl.String))
    # a form two entities share is never answered by the table (the engine may say AMBIGUOUS)
    assert not set(left["name"]) & set(ambiguous)


@pytest.mark.parametrize("seed", [3, 7])
def test_table_answers_the_engines_answer_on_a_synthetic_lexicon(tmp_path: Path, seed: int):
    lexicon = write_synthetic_lexicon(tmp_path / "lexicon", aliases=3000, seed=seed)
    engine = Engine.load(lexicon.directory)
    texts = [a.text for a in engine.lexicon.aliases]
    names = written_forms(texts[::3]) + [q.text for q in make_queries(lexicon, n=1500, seed=seed)]
    answered = assert_same_answers(engine, names)
    assert answered > len(texts) // 10


def test_batch_output_is_the_same_with_and_without_the_table(engine, tmp_path: Path):
    texts = [a.text for a in engine.lexicon.aliases][:400]
    names = written_forms(texts[:150]) + texts + eval_names()[::40] + ["", "Zzyzx Qwertyuiop"] * 3
    source = tmp_path / "in.csv"
    pl.DataFrame({"name": names, "n": list(range(len(names)))}).write_csv(source)
    outputs, summaries = [], []
    for exact in (True, False):
        out = tmp_path / f"out-{exact}.csv"
        stderr = io.StringIO()
        options = BatchOptions(input=str(source), output=str(out), jobs=1, chunk_size=700, exact=exact)
        assert run_batch(options, stderr=stderr) == 0
        outputs.append(out.read_bytes())
        summaries.append(stderr.getvalue())
    assert outputs[0] == outputs[1]
    assert "exact-name table: 0 distinct names, 0.0% of rows" in summaries[1]
    assert "exact-name table: 0 distinct" not in summaries[0]
