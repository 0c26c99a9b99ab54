"""No query scans all aliases: against a 50k-alias synthetic lexicon, the
number of aliases scored per query stays small and bounded by settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.synthetic import make_queries, write_synthetic_lexicon
from namebridge.matching.engine import Engine, QueryStats

ALIASES = 50_000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):
    directory: Path = tmp_path_factory.mktemp("synthetic")
    lexicon = write_synthetic_lexicon(directory, aliases=ALIASES, seed=7)
    engine = Engine.load(directory)
    return engine, make_queries(lexicon, n=300, seed=8)


def test_aliases_scored_per_query_are_bounded(synthetic) -> None:
    engine, queries = synthetic
    assert len(engine.index.aliases) >= ALIASES
    scored = []
    for query in queries:
        stats = QueryStats()
        engine.resolve(query.text, stats=stats)
        scored.append(stats.aliases_scored)
    assert max(scored) <= engine.settings.max_aliases_scored
    # the bound is far below the lexicon: under 0.1% of the aliases at most
    assert max(scored) * 1000 < len(engine.index.aliases)
    assert sum(scored) / len(scored) < 40


def test_the_bound_does_not_cost_accuracy(synthetic) -> None:
    """The pruned candidate set finds what a full scan finds on exact aliases."""
    engine, queries = synthetic
    exact = [q for q in queries if q.kind == "exact"][:5]  # a full scan of 50k aliases is slow
    assert exact
    for query in exact:
        scan = engine.scan_all_aliases(query.text)
        resolution = engine.resolve(query.text)
        assert resolution.top is not None
        assert resolution.top.entity_id == scan[0][0] or abs(resolution.top.score - scan[0][1]) < 1e-6
