"""SIGTERM and Ctrl-C stop ``namebridge batch`` cleanly (issue 13, defect 2).

Invariant: after SIGTERM or SIGINT the run ends by itself with exit code
128 + the signal number, its worker processes are gone, no ``<out>.partial``
and no output file remain, and stderr says the run was interrupted (for
stdout output: that what was written is incomplete).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.test_batch_cli import NAMEBRIDGE


def _names_file(path: Path, n: int = 60_000) -> Path:
    # distinct names, so every row costs a resolution and the run lasts long enough
    path.write_text("".join(f"Tokayev Kassym {i} Astana\n" for i in range(n)), encoding="utf-8")
    return path


def _start(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([NAMEBRIDGE, "batch", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def _wait_for_workers(proc: subprocess.Popen[bytes], count: int) -> list[psutil.Process]:
    parent = psutil.Process(proc.pid)
    for _ in range(600):                          # at most 60 s: the engine loads first
        children = parent.children(recursive=True)
        if len(children) >= count:
            return children
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.1)
    raise AssertionError("the worker processes never started")


def _gone(processes: list[psutil.Process]) -> bool:
    for _ in range(100):                          # at most 10 s
        alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_workers_and_removes_the_partial_file(tmp_path: Path, signum: int) -> None:
    src = _names_file(tmp_path / "names.txt")
    out = tmp_path / "out.csv"
    proc = _start([str(src), "-o", str(out), "--jobs", "2", "--chunk-size", "2000"])
    workers = _wait_for_workers(proc, 2)
    partial = tmp_path / "out.csv.partial"
    for _ in range(600):                          # wait until the run is writing
        if partial.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before the signal; make the input larger"
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode()
    assert proc.returncode == 128 + signum, text
    assert "interrupted" in text and signal.Signals(signum).name in text
    assert "Traceback" not in text
    assert not partial.exists() and not out.exists()
    assert _gone(workers), "worker processes outlived the run"


def test_sigterm_while_writing_to_stdout_says_the_output_is_incomplete(tmp_path: Path) -> None:
    src = _names_file(tmp_path / "names.txt")
    proc = _start([str(src), "--jobs", "1", "--chunk-size", "500"])
    assert proc.stdout is not None
    first = proc.stdout.readline()                # the header: the run has started writing
    assert first.startswith(b"name\t")
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode()
    assert proc.returncode == 128 + signal.SIGTERM, text
    assert "incomplete" in text and "stdout" in text
