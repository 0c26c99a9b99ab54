"""The benchmark's data generator: valid lexicons of exact size, honest labels, same seed same data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.synthetic import (NAME_PARTS_DIR, QUERY_KINDS, SCRIPTS, collision_key, make_queries,
                                        read_alias_texts, read_name_part_tables, read_queries,
                                        write_queries, write_synthetic_lexicon)
from namebridge.matching.engine import Engine


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory):
    return write_synthetic_lexicon(tmp_path_factory.mktemp("synthetic"), aliases=2000, seed=7)


def test_name_parts_are_large_and_carry_every_script() -> None:
    tables = read_name_part_tables(NAME_PARTS_DIR)
    given = tables.given + tables.heldout_given
    surnames = tables.surnames + tables.heldout_surnames
    assert len(given) >= 200 and len(surnames) >= 300
    assert {p.origin for p in surnames} == {"slavic", "turkic", "arabic", "persian"}
    for part in given + surnames:
        assert all(part.form(script) for script in SCRIPTS), part
    assert tables.heldout_given and tables.heldout_surnames


def test_engine_loads_the_lexicon_with_the_exact_size(lexicon) -> None:
    engine = Engine.load(lexicon.directory)
    info = engine.info()
    assert info.alias_count == 2000 == lexicon.alias_count
    assert info.entity_count == lexicon.entity_count
    assert info.counts_by_type == lexicon.counts_by_type()
    assert set(info.counts_by_type) == {"person", "city", "org"}
    assert {"en", "ru", "kk", "ar", "fa"} <= set(info.counts_by_language)


@pytest.mark.parametrize("aliases", [1, 5, 137])
def test_small_sizes_are_exact(tmp_path: Path, aliases: int) -> None:
    lexicon = write_synthetic_lexicon(tmp_path, aliases=aliases, seed=3)
    texts, ids = read_alias_texts(tmp_path)
    assert len(texts) == aliases == lexicon.alias_count


def test_no_two_entities_share_an_alias(lexicon) -> None:
    texts, ids = read_alias_texts(lexicon.directory)
    owner: dict[str, str] = {}
    for text, entity_id in zip(texts, ids):
        assert owner.setdefault(collision_key(text), entity_id) == entity_id, text


def test_people_have_several_aliases_across_scripts(lexicon) -> None:
    people = [e for e in lexicon.entities if e.type == "person"]
    assert 3.5 <= sum(len(e.aliases) for e in people) / len(people) <= 6
    assert any(len(e.parts) >= 3 for e in people)        # patronymics and particles occur
    assert Counter(lang for e in people for _, lang, _ in e.aliases)["en"] < 0.6 * lexicon.alias_count


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first = write_synthetic_lexicon(tmp_path / "a", aliases=300, seed=11)
    again = write_synthetic_lexicon(tmp_path / "b", aliases=300, seed=11)
    other = write_synthetic_lexicon(tmp_path / "c", aliases=300, seed=12)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    assert make_queries(first, n=60, seed=1) == make_queries(again, n=60, seed=1)


def test_queries_are_balanced_and_labelled_honestly(lexicon, tmp_path: Path) -> None:
    queries = make_queries(lexicon, n=120, seed=5)
    assert Counter(q.kind for q in queries) == {kind: 20 for kind in QUERY_KINDS}
    ids = {e.id for e in lexicon.entities}
    for query in queries:
        is_alias = collision_key(query.text) in lexicon.alias_keys
        assert is_alias == (query.kind == "exact"), query
        assert (query.expected_id is None) == (query.kind == "unknown"), query
        assert query.expected_id is None or query.expected_id in ids
    write_queries(tmp_path / "q.tsv", queries)
    assert read_queries(tmp_path / "q.tsv") == queries


def test_unknown_queries_use_a_part_no_alias_contains(lexicon) -> None:
    alias_words = {w for key in lexicon.alias_keys for w in key.split()}
    for query in make_queries(lexicon, n=60, seed=9):
        if query.kind == "unknown":
            assert set(collision_key(query.text).split()) - alias_words, query
