"""The CLI as a user runs it: the real console script in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from namebridge.cli import app

NAMEBRIDGE = str(Path(sys.executable).parent / "namebridge")
README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NAMEBRIDGE, *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def test_readme_commands_behave_as_shown() -> None:
    out = run("resolve", "--brief", "توکایف", "Токаев", "Tokayev, Kassym-Jomart", "Vladimir Putin")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines] == ["MATCH", "MATCH", "MATCH", "NO_MATCH"]
    assert all("person:kassym-jomart-tokayev" in line for line in lines[:3])

    data = json.loads(run("resolve", "--json", "Kazakistan'ın").stdout)
    assert data["entity_id"] == "country:kz" and data["decision"] == "MATCH"

    piped = run("resolve", "--json", "-", stdin="Токаев\nترمب\n")
    rows = [json.loads(line) for line in piped.stdout.splitlines()]
    assert [r["entity_id"] for r in rows] == ["person:kassym-jomart-tokayev", "person:donald-trump"]

    translit = run("translit", "Қасым-Жомарт Тоқаев")
    assert translit.returncode == 0 and translit.stdout.splitlines()[0] == "Qasym-Jomart Toqaev"
    assert "Cyrillic" in translit.stdout and "kk" in translit.stdout


def test_a_bad_stdin_line_is_answered_not_skipped() -> None:
    out = run("resolve", "--json", "-", stdin="Токаев\n\n   \nترمب\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["decision"] for r in rows] == ["MATCH", "INVALID", "INVALID", "MATCH"]
    assert out.returncode == 0


def test_a_bad_argument_is_exit_code_2_with_a_message() -> None:
    out = run("resolve", "")
    assert out.returncode == 2
    assert "name" in out.stderr and "empty" in out.stderr
    out = run("resolve", "Tokayev", "--type", "planet")
    assert out.returncode == 2 and "entity_types" in out.stderr


COMMANDS = sorted({c.name or c.callback.__name__ for c in app.registered_commands}
                  | {g.name for g in app.registered_groups})


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0 and "Usage" in out.stdout
    assert f"namebridge {command}" in README, f"`namebridge {command}` is not documented in README.md"
