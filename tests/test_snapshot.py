"""The compiled lexicon snapshot (``namebridge lexicon compile``): same answers, clear refusals.

An engine loaded from a ``.nbx`` file must be the engine loaded from the
directory: the same index structures and the same ``Resolution`` for every
name of the evaluation sets and of a synthetic lexicon. A file that is not a
snapshot, is damaged, was made by another format or build, or whose lexicon
changed since, is refused with exit 2 and a message naming the file.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from benchmarks.synthetic import make_queries, write_synthetic_lexicon
from namebridge.matching.engine import Engine
from namebridge.matching.snapshot import FORMAT_VERSION, MAGIC, SnapshotError, write_snapshot
from namebridge.settings import BUNDLED_LEXICON_DIR

pytestmark = pytest.mark.timeout(300)

EVAL = Path(__file__).parent / "eval"
NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")
INDEX_FIELDS = ("vocabulary", "by_text", "by_full", "by_skeleton", "by_full_deletion", "by_skeleton_deletion", "by_base",
                "aliases", "alias_tokens", "entity_ids", "by_bag", "alias_with_initials")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NAMEBRIDGE, *args], capture_output=True, text=True, timeout=240)


def queries(path: Path) -> list[str]:
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    assert lines[0].split("\t")[0] == "query"
    return [x.split("\t")[0] for x in lines[1:]]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nbx") / "lexicon.nbx"
    done = cli("lexicon", "compile", "-o", str(path))
    assert done.returncode == 0, done.stderr
    assert "lexicon version" in done.stdout and path.is_file()
    return path


def assert_same_engine(directory: Engine, snapshot: Engine, names: list[str]) -> None:
    for field in INDEX_FIELDS:
        assert getattr(directory.index, field) == getattr(snapshot.index, field), field
    assert list(directory.index.alias_entity) == list(snapshot.index.alias_entity)
    assert directory.lexicon.entities == snapshot.lexicon.entities
    assert directory.lexicon.version == snapshot.lexicon.version
    assert len(names) > 100
    for name in names:
        for options in ({}, {"max_candidates": 1}):
            assert snapshot.resolve(name, **options) == directory.resolve(name, **options), name


def test_snapshot_answers_as_the_directory_on_the_evaluation_sets(engine, compiled):
    snapshot = Engine.load(compiled)
    names = queries(EVAL / "cases.tsv") + queries(EVAL / "realworld.tsv")
    names += queries(EVAL / "openworld" / "people.tsv")[:300]
    assert_same_engine(engine, snapshot, names)
    assert snapshot.info().lexicon_dir == str(compiled)
    assert snapshot.info().alias_count == engine.info().alias_count


def test_snapshot_answers_as_the_directory_on_a_synthetic_lexicon(tmp_path: Path):
    lexicon = write_synthetic_lexicon(tmp_path / "lexicon", aliases=3000, seed=5)
    directory = Engine.load(lexicon.directory)
    write_snapshot(directory, tmp_path / "s.nbx")
    snapshot = Engine.load(tmp_path / "s.nbx")
    names = [q.text for q in make_queries(lexicon, n=400, seed=5)]
    names += [a.text for a in directory.lexicon.aliases][::20]
    assert_same_engine(directory, snapshot, names)


def test_resolve_batch_and_eval_take_the_snapshot(compiled, tmp_path: Path):
    for args in (("resolve", "Тоқаевтың", "--json"), ("eval", str(EVAL / "cases.tsv"), "--json")):
        from_dir, from_file = cli(*args), cli(*args, "--lexicon", str(compiled))
        assert from_dir.returncode == from_file.returncode == 0, from_file.stderr
        a, b = json.loads(from_dir.stdout), json.loads(from_file.stdout)
        if args[0] == "eval":
            a.pop("lexicon_dir", None), b.pop("lexicon_dir", None)
        assert a == b
    source = tmp_path / "in.csv"
    pl.DataFrame({"name": queries(EVAL / "cases.tsv")[:200]}).write_csv(source)
    outputs = []
    for extra in ((), ("--lexicon", str(compiled))):
        out = tmp_path / f"out{len(extra)}.csv"
        done = cli("batch", str(source), "-o", str(out), "--jobs", "2", "-q", *extra)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_serve_takes_the_snapshot(compiled):
    from namebridge.api.client import NamebridgeClient
    from namebridge.api.server import build_service
    from namebridge.settings import Settings

    service = build_service("127.0.0.1:0", engine=Engine.load(compiled, settings=Settings()))
    try:
        with NamebridgeClient(f"127.0.0.1:{service.port}", timeout=20) as client:
            assert client.resolve("Тоқаевтың").entity_id == "person:kassym-jomart-tokayev"
            assert Path(client.lexicon_info().lexicon_dir).name == compiled.name
    finally:
        service.stop(0).wait(10)


def refused(path: Path, *words: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        Engine.load(path)
    message = str(caught.value)
    assert str(path) in message and all(w in message for w in words), message
    done = cli("resolve", "Kazakhstan", "--lexicon", str(path))
    assert done.returncode == 2 and str(path) in done.stderr and "Traceback" not in done.stderr


def _patched_header(source: Path, target: Path, old: str, new: str) -> None:
    data = bytearray(source.read_bytes())
    (length,) = struct.unpack("<Q", data[len(MAGIC):len(MAGIC) + 8])
    start = len(MAGIC) + 8
    header = data[start:start + length].decode()
    assert old in header and len(old) == len(new)
    data[start:start + length] = header.replace(old, new, 1).encode()
    target.write_bytes(bytes(data))


def test_a_file_that_is_not_a_snapshot_is_refused(tmp_path: Path):
    other = tmp_path / "lexicon.nbx"
    other.write_text("entity_id\ttext\n", encoding="utf-8")
    refused(other, "not a namebridge lexicon snapshot")


def test_a_corrupt_snapshot_is_refused(compiled, tmp_path: Path):
    data = bytearray(compiled.read_bytes())
    data[-100] ^= 0xFF
    (tmp_path / "corrupt.nbx").write_bytes(bytes(data))
    refused(tmp_path / "corrupt.nbx", "corrupt")
    (tmp_path / "short.nbx").write_bytes(bytes(data[:len(MAGIC) + 20]))
    refused(tmp_path / "short.nbx", "damaged header")


def test_another_format_or_build_is_refused(compiled, tmp_path: Path):
    _patched_header(compiled, tmp_path / "format.nbx", f'"format": {FORMAT_VERSION}', '"format": 9')
    refused(tmp_path / "format.nbx", "format version 9")
    text = compiled.read_bytes()[len(MAGIC) + 8:len(MAGIC) + 400].decode(errors="replace")
    builder = text.split('"builder": "', 1)[1][:16]
    _patched_header(compiled, tmp_path / "build.nbx", builder, "0" * 16)
    refused(tmp_path / "build.nbx", "different namebridge build")


def test_a_snapshot_of_a_changed_lexicon_is_refused(tmp_path: Path):
    directory = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_LEXICON_DIR, directory)
    path = tmp_path / "copy.nbx"
    assert cli("lexicon", "compile", str(directory), "-o", str(path)).returncode == 0
    assert Engine.load(path).resolve("Kazakhstan").entity_id == "country:kz"
    aliases = sorted((directory / "aliases").glob("*.tsv"))[0]
    aliases.write_text(aliases.read_text(encoding="utf-8") + "# one more comment\n", encoding="utf-8")
    refused(path, "stale", str(aliases.resolve()))
