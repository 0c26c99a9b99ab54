"""Batch on Ray, on a local cluster this test starts (``start_ray(None, 3)``: ``ray.init(num_cpus=3)``).

``--engine ray`` must write what the in-process ``--jobs 2`` writes, byte for
byte (columns, row order, INVALID rows), and ``resolve_dataset`` must add the
columns the engine's answers give, row for row. The cluster must listen and
talk on loopback only (``batch/ray.py`` says how ``start_ray`` keeps it there).

``make test`` installs the ``ray`` extra; without Ray installed these tests are
skipped. They share one xdist worker, so one cluster runs at a time.
"""

from __future__ import annotations

import importlib.util
import io
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import psutil
import pytest

if importlib.util.find_spec("ray") is None:
    pytest.skip("Ray is not installed (pip install -e '.[ray]'; make test installs it)",
                allow_module_level=True)

from namebridge.batch.ray import resolve_dataset, start_ray, stop_ray
from namebridge.batch.rows import resolve_key
from namebridge.batch.runner import BatchOptions, run_batch

pytestmark = [pytest.mark.timeout(600), pytest.mark.xdist_group("ray")]

EVAL = Path(__file__).parent / "eval"


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # two CPUs for the two actors of each run, and one for Ray Data's listing and reading tasks
    # (``run_parquet_dataset`` starts its own cluster the same way)
    assert start_ray(None, 3), "a cluster was already running in this process"
    try:
        yield
    finally:
        stop_ray()


@pytest.fixture(scope="module")
def names() -> list[str]:
    lines = [x for x in (EVAL / "cases.tsv").read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    picked = [x.split("\t")[0] for x in lines[1:]][:250]
    return picked + ["", "   ", "x" * 300, "Kazakhstan", "KAZAKHSTAN", "Тоқаевтың"] * 2


@pytest.mark.parametrize("top_k", [None, 2])
def test_engine_ray_writes_what_jobs_2_writes(cluster, names, tmp_path: Path, top_k: int | None):
    source = tmp_path / "in.csv"
    pl.DataFrame({"id": list(range(len(names))), "name": names}).write_csv(source)
    outputs = []
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.csv"
        options = BatchOptions(input=str(source), output=str(out), jobs=2, chunk_size=100, top_k=top_k,
                               engine=engine, quiet=True)
        assert run_batch(options, stderr=io.StringIO()) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"INVALID" in outputs[1] and b"country:kz" in outputs[1]


@pytest.mark.parametrize("top_k", [None, 2])
def test_engine_ray_reads_parquet_with_ray_data_and_writes_what_jobs_2_writes(cluster, names, tmp_path: Path,
                                                                              top_k: int | None):
    """A Parquet file, and the same rows as a folder of three files, read by ``ray.data``: the
    CSV written is the in-process run's, byte for byte (nulls and empty names INVALID in place);
    a Parquet output holds the same frame."""
    frame = pl.DataFrame({"id": list(range(len(names))), "name": [None if n == "   " else n for n in names]})
    source = tmp_path / "in.parquet"
    frame.write_parquet(source)
    folder = tmp_path / "parts"
    folder.mkdir()
    third = -(-frame.height // 3)
    for k in range(3):
        frame.slice(k * third, third).write_parquet(folder / f"part-{k}.parquet")
    outputs = {}
    for engine, path, out_name in (("local", source, "local.csv"), ("ray", source, "ray.csv"),
                                   ("ray", folder, "ray_folder.csv"), ("local", source, "local.parquet"),
                                   ("ray", source, "ray.parquet")):
        out = tmp_path / out_name
        options = BatchOptions(input=str(path), output=str(out), jobs=2, chunk_size=100, top_k=top_k,
                               engine=engine, quiet=True, input_format=None)
        assert run_batch(options, stderr=io.StringIO()) == 0
        outputs[out_name] = out
    local = outputs["local.csv"].read_bytes()
    assert outputs["ray.csv"].read_bytes() == local
    assert outputs["ray_folder.csv"].read_bytes() == local
    assert b"INVALID" in local and b"country:kz" in local
    assert pl.read_parquet(outputs["ray.parquet"]).equals(pl.read_parquet(outputs["local.parquet"]))


def test_engine_ray_refuses_a_parquet_input_it_cannot_read_before_any_work(tmp_path: Path):
    from namebridge.batch.formats import BatchInputError

    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet", encoding="utf-8")
    numbers = tmp_path / "numbers.parquet"
    pl.DataFrame({"name": [1, 2]}).write_parquet(numbers)
    good = tmp_path / "good.parquet"
    pl.DataFrame({"name": ["Kazakhstan"]}).write_parquet(good)
    for path, top_k, words in ((bad, None, "cannot read"), (numbers, None, "holds numbers"),
                               (good, 1000, "above the limit")):
        with pytest.raises(BatchInputError, match=words):
            run_batch(BatchOptions(input=str(path), output=str(tmp_path / "o.csv"), engine="ray", top_k=top_k),
                      stderr=io.StringIO())
        assert not (tmp_path / "o.csv").exists()


def test_resolve_dataset_adds_the_engines_answers(cluster, engine, names):
    import ray

    ds = ray.data.from_arrow(pl.DataFrame({"name": names, "n": list(range(len(names)))}).to_arrow())
    tables = resolve_dataset(ds, column="name", concurrency=2, batch_size=64).to_arrow_refs()
    out = pl.concat([pl.from_arrow(t) for t in ray.get(tables)]).sort("n")
    assert out["n"].to_list() == list(range(len(names)))
    for row in out.iter_rows(named=True):
        entity_id, canonical, entity_type, score, decision, alias, reason, _ = resolve_key(
            engine, row["name"], None, None)
        assert (row["entity_id"], row["decision"], row["matched_alias"], row["reason"]) == \
               (entity_id, decision, alias, reason), row["name"]
        assert row["score"] == score or (row["score"] is None and score is None)


def test_bad_engine_flags_exit_2(tmp_path: Path):
    from namebridge.batch.formats import BatchInputError

    source = tmp_path / "in.csv"
    source.write_text("name\nKazakhstan\n", encoding="utf-8")
    for options, words in ((BatchOptions(input=str(source), engine="spark"), "not an engine"),
                           (BatchOptions(input=str(source), ray_address="10.0.0.1:6379"), "--address is for")):
        with pytest.raises(BatchInputError, match=words):
            run_batch(options, stderr=io.StringIO())


def _loopback(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def test_the_local_cluster_listens_and_talks_on_loopback_only(cluster, names):
    """Every socket of this process and of the cluster's processes (GCS, raylet, dashboard,
    workers, actors), read while actors are up, is on 127.0.0.1 at both ends."""
    from namebridge.batch.ray import RayResolver

    resolver = RayResolver(None, top_k=None, actors=2, address=None)
    try:
        resolver.submit([(n, None) for n in names[:50]])()
        processes = [psutil.Process(), *psutil.Process().children(recursive=True)]
        sockets = []
        for process in processes:
            try:
                sockets += [(process.name(), c) for c in process.net_connections(kind="inet")]
            except psutil.NoSuchProcess:
                continue
    finally:
        resolver.close()
    listening = [c for _name, c in sockets if c.status == psutil.CONN_LISTEN]
    assert len(listening) >= 4, sockets          # GCS, raylet, workers: the reading saw the cluster
    outside = [(name, c.laddr, c.raddr) for name, c in sockets
               if not _loopback(c.laddr.ip) or (c.raddr and not _loopback(c.raddr.ip))]
    assert not outside
