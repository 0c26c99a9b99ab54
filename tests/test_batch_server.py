"""``namebridge batch --server`` against a real server on 127.0.0.1 gives the
same table as the in-process engine: same rows, same decisions, same scores,
same INVALID reasons (bad names refused by the server are retried one by one,
so only they become INVALID)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from namebridge.api.server import create_server

NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")


@pytest.fixture(scope="module")
def server_address() -> Iterator[str]:
    server, port = create_server("127.0.0.1:0")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def _run(*args: str) -> None:
    proc = subprocess.run([NAMEBRIDGE, "batch", *args, "-q"], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")


def test_server_and_in_process_give_the_same_table(tmp_path: Path, server_address: str) -> None:
    names = ["Kassym-Jomart Tokayev", "Тоқаевтың", "توکایف", "Kazakistan'ın", "Israel",
             "إسرائيل", "Zzyzx Qwerty", "", "   ", None, "x" * 5000, "Astana"]
    rows = [(names[i % len(names)], ["kk", None, "", "not-a-language-at-all"][i % 4] if i % 5 else None)
            for i in range(1200)]
    rows += [(f"Name {i} Tokayev", None) for i in range(300)]   # more than one stream message
    frame = pl.DataFrame({"name": [r[0] for r in rows], "lang": [r[1] for r in rows],
                          "row": list(range(len(rows)))})
    src = tmp_path / "in.parquet"
    frame.write_parquet(src)
    common = ("--lang-column", "lang", "--top-k", "3", "--chunk-size", "400")
    _run(str(src), "-o", str(tmp_path / "local.parquet"), "--jobs", "1", *common)
    _run(str(src), "-o", str(tmp_path / "remote.parquet"), "--server", server_address, *common)
    local = pl.read_parquet(tmp_path / "local.parquet")
    remote = pl.read_parquet(tmp_path / "remote.parquet")
    assert local.height == len(rows)
    assert local["row"].to_list() == list(range(len(rows)))
    assert (local["decision"] == "INVALID").sum() > 0 and (local["decision"] != "INVALID").sum() > 0
    for col in local.columns:
        assert local[col].to_list() == remote[col].to_list(), col


def test_unreachable_server_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Tokayev\n", encoding="utf-8")
    # port 9 (discard) on loopback: nothing listens there
    proc = subprocess.run([NAMEBRIDGE, "batch", str(src), "-o", str(tmp_path / "out.tsv"),
                           "--server", "127.0.0.1:9"], capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert "namebridge serve" in proc.stderr.decode()
    assert not (tmp_path / "out.tsv").exists()
