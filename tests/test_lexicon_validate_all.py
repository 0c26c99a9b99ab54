"""``namebridge lexicon validate`` reports every problem of a file at once (issue 13, defect 3).

Invariant: undecodable lines are problems like any other, each with its line
number, and the lines around them are still checked; an alias longer than
``max_name_length`` is refused, since no query can ever be that long.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from namebridge.lexicon.loader import check_lexicon
from namebridge.settings import Settings
from tests.test_lexicon_loader import ALIAS_HEADER, make_lexicon  # noqa: F401 - the fixture

LONG = "A" * (Settings().max_name_length + 1)


def _six_faults(root: Path) -> None:
    """Aliases with six faults: two undecodable lines, a bad language, an unknown
    entity, an empty field and an alias too long to be reached."""
    lines = [
        "\t".join(ALIAS_HEADER).encode(),
        b"person:douglas-adams\tDuglas\txx\tvariant\tcurated",             # 2 unknown language
        b"person:douglas-adams\tAd\xffams\ten\tvariant\tcurated",          # 3 not UTF-8
        b"person:nobody\tNobody\ten\tname\tcurated",                       # 4 unknown entity
        b"person:john-adams\t\xc3\x28John\ten\tvariant\tcurated",          # 5 not UTF-8
        b"person:john-adams\t\ten\tvariant\tcurated",                      # 6 empty text
        f"person:john-adams\t{LONG}\ten\tvariant\tcurated".encode(),       # 7 too long
        "person:john-adams\tДжон Адамс\tru\tname\tcurated".encode(),       # 8 fine
    ]
    (root / "aliases" / "person.tsv").write_bytes(b"\n".join(lines) + b"\n")


def test_every_problem_of_a_file_is_reported_undecodable_lines_included(make_lexicon) -> None:  # noqa: F811
    root = make_lexicon()
    _six_faults(root)
    problems = [str(p) for p in check_lexicon(root).problems]
    lines = sorted(int(p.split(":")[1]) for p in problems if p.startswith("lexicons/aliases/person.tsv:"))
    assert lines == [2, 3, 4, 5, 6, 7], problems
    assert any(p.startswith("lexicons/aliases/person.tsv:3: not valid UTF-8") for p in problems)
    assert any(p.startswith("lexicons/aliases/person.tsv:7:") and "max_name_length" in p for p in problems)


def test_cli_validate_lists_all_six(make_lexicon) -> None:  # noqa: F811
    root = make_lexicon()
    _six_faults(root)
    script = Path(sys.executable).parent / "namebridge"
    done = subprocess.run([str(script), "lexicon", "validate", "lexicons"], capture_output=True,
                          text=True, timeout=60, cwd=root.parent)
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[-1] == "lexicons: INVALID: 6 problem(s), 0 warning(s)", done.stdout
