"""``namebridge annotate`` and ``namebridge eval --mentions`` as a user runs them: the real
console script in a subprocess, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")
ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "eval" / "seed_mentions.tsv"
SEEDS = ROOT / "seeds"
#: the floors of issue 14 on the hand-checked seed gold
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95
JSON_FIELDS = {"path", "start", "end", "text", "entity_id", "canonical_name", "entity_type", "score",
               "language", "script", "kind"}

pytestmark = pytest.mark.timeout(300)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([NAMEBRIDGE, *args], input=stdin, capture_output=True, timeout=240, check=False)


def test_eval_mentions_meets_the_floors_on_the_seed_gold():
    out = run("eval", "--mentions", str(GOLD), "--json")
    assert out.returncode == 0, out.stderr.decode()
    figures = json.loads(out.stdout)["mentions"]
    overall = figures["overall"]
    assert overall["gold"] > 250
    assert overall["precision"] >= PRECISION_FLOOR, figures["errors"]
    assert overall["recall"] >= RECALL_FLOOR, figures["errors"]
    assert set(figures["files"]) == {p.name for p in SEEDS.glob("*.txt")}


def test_eval_mentions_prints_a_table_per_seed_and_overall():
    out = run("eval", "--mentions", str(GOLD))
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode()
    assert "exact P" in text and "overall" in text
    assert all(p.name in text for p in SEEDS.glob("*.txt"))


def test_eval_without_anything_to_evaluate_is_a_usage_error():
    out = run("eval")
    assert out.returncode == 2
    assert b"--mentions" in out.stderr


def test_annotate_json_one_object_per_mention_with_offsets_into_the_file(tmp_path):
    text = "Kazakistan'ın lideri\r\nKasım Cömert Tokayev 🇰🇿 ABD'ye gitti.\r\n"
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode("utf-8"))
    out = run("annotate", str(path), "--json")
    assert out.returncode == 0, out.stderr.decode()
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["text"] for r in rows] == ["Kazakistan'ın", "Kasım Cömert Tokayev", "ABD'ye"]
    assert all(JSON_FIELDS <= set(r) for r in rows)
    assert all(r["path"] == str(path) and text[r["start"]:r["end"]] == r["text"] for r in rows)
    assert [r["kind"] for r in rows] == ["inflected", "name", "acronym+inflected"]


def test_annotate_reads_stdin_as_dash_with_a_language_hint():
    text = "Қасым-Жомарт Тоқаевтың Вашингтонға сапары"
    out = run("annotate", "-", "--json", "--lang", "kk", stdin=text.encode("utf-8"))
    assert out.returncode == 0, out.stderr.decode()
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [(r["path"], r["text"], r["entity_id"], r["language"]) for r in rows] == [
        ("-", "Қасым-Жомарт Тоқаевтың", "person:kassym-jomart-tokayev", "kk"),
        ("-", "Вашингтонға", "city:washington", "kk")]


def test_annotate_without_json_marks_the_text_and_prints_a_table():
    seed = sorted(SEEDS.glob("*.txt"))[0]
    out = run("annotate", str(seed))
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode()
    assert "[Kazakistan'ın]{" in text
    assert "\tcountry:kz\tKazakhstan\t" in text


def test_annotate_several_files_in_order(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Kazakistan", encoding="utf-8")
    second.write_text("واشنطن ترى", encoding="utf-8")
    out = run("annotate", str(first), str(second), "--json")
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [(Path(r["path"]).name, r["entity_id"]) for r in rows] == [("a.txt", "country:kz"),
                                                                       ("b.txt", "country:us")]


@pytest.mark.parametrize("content, args, message", [
    (b"\xff\xfe Kazakistan", (), b"not UTF-8"),
    (b"Kazakistan", ("--lang", "zz-nope"), b"language"),
])
def test_annotate_bad_input_is_exit_2_with_a_message(tmp_path, content, args, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    out = run("annotate", str(path), *args)
    assert out.returncode == 2
    assert message in out.stderr and b"Traceback" not in out.stderr


def test_annotate_a_missing_file_is_exit_2(tmp_path):
    out = run("annotate", str(tmp_path / "nope.txt"))
    assert out.returncode == 2
    assert b"nope.txt" in out.stderr and b"Traceback" not in out.stderr


def test_annotate_an_empty_file_prints_nothing_with_json(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    out = run("annotate", str(path), "--json")
    assert out.returncode == 0 and out.stdout == b""
