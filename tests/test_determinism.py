"""The same name against the same lexicon gets the same answer in every process.

Python salts string hashes per process (``PYTHONHASHSEED``), so any order taken
from a set of strings differs between runs. Where the engine keeps only the
first few of something (``max_token_candidates`` vocabulary tokens per query
token), such an order would change which candidates are scored, and so the
answer, between a server restart and the next or between two batch runs.
These tests run the real CLI under different hash seeds and compare outputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.batch_bench import distinct_names
from benchmarks.synthetic import write_synthetic_lexicon

NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")
#: large enough that many query tokens meet more vocabulary tokens than are kept
ALIASES = 20_000
NAMES = 1_500
HASH_SEEDS = ("1", "2", "3")


@pytest.fixture(scope="module")
def names_and_lexicon(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("determinism")
    lexicon = write_synthetic_lexicon(directory / "lexicon", aliases=ALIASES, seed=11)
    names = directory / "names.txt"
    names.write_text("\n".join(distinct_names(lexicon, NAMES, seed=11)) + "\n", encoding="utf-8")
    return names, directory / "lexicon"


def _batch(names: Path, lexicon: Path, out: Path, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run([NAMEBRIDGE, "batch", str(names), "-o", str(out), "--lexicon", str(lexicon),
                           "--top-k", "5", "--jobs", "1", "-q"], capture_output=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return out.read_bytes()


def test_answers_do_not_depend_on_the_string_hash_seed(names_and_lexicon, tmp_path: Path) -> None:
    names, lexicon = names_and_lexicon
    outputs = {seed: _batch(names, lexicon, tmp_path / f"out-{seed}.ndjson", seed) for seed in HASH_SEEDS}
    first = outputs[HASH_SEEDS[0]]
    assert first.count(b"\n") == NAMES
    for seed, output in outputs.items():
        assert output == first, f"PYTHONHASHSEED={seed} changed answers"
