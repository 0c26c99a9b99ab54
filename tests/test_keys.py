"""Matching keys: spellings of one name share keys; look-alikes of different names do not."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_vectors
from namebridge.text.keys import cross_script_key, skeleton_key, token_keys
from namebridge.text.normalize import normalize_text

GROUPS: dict[str, list[str]] = defaultdict(list)
for group, spelling in read_vectors("key_groups.tsv", ("group", "spelling")):
    GROUPS[group].append(spelling)
APART = read_vectors("key_apart.tsv", ("first", "second"))
PAIRS = [(g, a, b) for g, spellings in GROUPS.items() for a, b in itertools.combinations(spellings, 2)]


def _keys(spelling: str) -> tuple[set[str], set[str]]:
    full: set[str] = set()
    skeleton: set[str] = set()
    for token in normalize_text(spelling).split():
        keys = token_keys(token)
        full.update(keys.full)
        skeleton.update(keys.skeleton)
    return full, skeleton


@pytest.mark.parametrize(("group", "a", "b"), PAIRS, ids=[f"{g}:{a}~{b}" for g, a, b in PAIRS])
def test_spellings_of_one_name_share_a_skeleton(group: str, a: str, b: str) -> None:
    assert _keys(a)[1] & _keys(b)[1], f"{a} {_keys(a)} vs {b} {_keys(b)}"


@pytest.mark.parametrize(("a", "b"), APART, ids=[f"{a}/{b}" for a, b in APART])
def test_different_names_share_no_key(a: str, b: str) -> None:
    full_a, skeleton_a = _keys(a)
    full_b, skeleton_b = _keys(b)
    assert not (full_a & full_b) and not (skeleton_a & skeleton_b)


def test_key_shapes() -> None:
    assert cross_script_key("tokayev") == "TaKaV"
    assert skeleton_key("tokayev") == "TKV"
    assert skeleton_key("ترمب") == "TRMB"


def test_turkish_c_reads_as_j() -> None:
    assert "JMRT" in token_keys("cömert").skeleton
    assert "JMRT" in token_keys("jomart").skeleton


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_keys_of_a_name_equal_keys_of_its_normal_form(text: str) -> None:
    """Invariant: keys depend only on the normalised token."""
    for token in normalize_text(text).split():
        assert token_keys(token) == token_keys(normalize_text(token))
        keys = token_keys(token)
        assert keys.full and keys.skeleton is not None
