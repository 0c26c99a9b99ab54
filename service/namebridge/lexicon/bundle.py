"""Every table an answer depends on, loaded from one lexicon directory: ``load_bundle``.

A lexicon directory holds the entities, aliases and reference tables, and for
each table folder (``TABLE_FOLDERS``) either the folder itself or a line in
``inherit.tsv`` saying it takes that folder from the bundled lexicon
(``namebridge.settings.BUNDLED_LEXICON_DIR``). A folder that is neither there
nor inherited is an error: tables are never mixed in silently.

``Bundle.version`` is a sha256 over the raw bytes of every file read (the
lexicon's own version, ``inherit.tsv`` and every file of every table folder,
inherited or not), so no table can change without changing the version every
response reports.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from namebridge.errors import DataFileError, Problem
from namebridge.lexicon.loader import INHERIT_FILE, Lexicon, load_lexicon
from namebridge.lexicon.calibration import CALIBRATION_FILE, FEATURES, Calibration, load_calibration
from namebridge.settings import BUNDLED_LEXICON_DIR, Settings
from namebridge.text.keys import KeyTable
from namebridge.text.morphology import Morphology
from namebridge.text.normalize import NormalizationTables, bundled_tables
from namebridge.text.scripts import ScriptRules
from namebridge.text.translit import TranslitTables
from namebridge.text.wordlists import WordLists
from namebridge.tsv import display_path, read_table

#: the table folders every bundle needs, each its own or inherited
TABLE_FOLDERS = ("keys", "morphology", "normalize", "scoring", "tokens", "translit")
INHERIT_COLUMNS = ("folder", "note")


@dataclass(frozen=True, slots=True)
class Bundle:
    """A lexicon and every table it is matched with, from one directory."""

    directory: Path
    lexicon: Lexicon                    #: its ``version`` is the bundle's version
    key_table: KeyTable
    morphology: Morphology
    wordlists: WordLists
    translit: TranslitTables
    normalization: NormalizationTables
    #: script detection rules; None when they are the bundled ones (detection is then memoised)
    script_rules: ScriptRules | None
    #: table folder -> the directory it was read from
    folders: dict[str, Path]
    #: the fitted weights of the calibrated score (``scoring/calibration.tsv``)
    calibration: Calibration

    @property
    def version(self) -> str:
        return self.lexicon.version


def load_bundle(directory: Path | str | None = None, settings: Settings | None = None, *,
                with_calibration: bool = True) -> Bundle:
    """Load and validate everything under ``directory`` (default: ``settings.lexicon_dir``, the
    bundled lexicon without settings); raises DataFileError listing every problem.

    ``with_calibration=False`` leaves the calibrated score's files unread (a flat
    model in their place): ``make calibrate`` fits them, so it must not need them."""
    directory = Path(directory if directory is not None else (settings or Settings()).lexicon_dir)
    lexicon = load_lexicon(directory)
    folders = table_folders(directory)
    key_table = KeyTable.load(folders["keys"] / "keys" / "classes.tsv")
    normalize_dir = folders["normalize"] / "normalize"
    bundled_normalize = _same_dir(normalize_dir, BUNDLED_LEXICON_DIR / "normalize")
    normalization = bundled_tables() if bundled_normalize else NormalizationTables.load(normalize_dir)
    script_rules = None if bundled_normalize else ScriptRules.load(normalize_dir)
    morphology = Morphology.load(folders["morphology"] / "morphology", script_rules=script_rules,
                                 normalization=normalization)
    bundle = Bundle(
        directory=directory,
        lexicon=dataclasses.replace(lexicon, version=_version(directory, lexicon.version, folders)),
        key_table=key_table,
        morphology=morphology,
        wordlists=WordLists.load(folders["tokens"] / "tokens", key_table),
        translit=TranslitTables.load(folders["translit"] / "translit", languages_file=directory / "languages.tsv"),
        normalization=normalization,
        script_rules=script_rules,
        folders=folders,
        calibration=(load_calibration(folders["scoring"] / CALIBRATION_FILE) if with_calibration
                     else Calibration(0.0, (0.0,) * len(FEATURES))),
    )
    return bundle


def table_folders(directory: Path) -> dict[str, Path]:
    """Table folder -> the lexicon directory it is read from (``directory`` or the bundled one)."""
    problems: list[Problem] = []
    inherited: set[str] = set()
    inherit_path = directory / INHERIT_FILE
    if inherit_path.is_file():
        for row in read_table(inherit_path, INHERIT_COLUMNS, problems):
            folder = row["folder"]
            if folder not in TABLE_FOLDERS:
                problems.append(row.problem(f"{folder!r} is not a table folder ({', '.join(TABLE_FOLDERS)})"))
            elif folder in inherited:
                problems.append(row.problem(f"{folder!r} is listed twice"))
            elif (directory / folder).is_dir():
                problems.append(row.problem(f"{folder}/ is both here and inherited: remove one"))
            else:
                inherited.add(folder)
    found: dict[str, Path] = {}
    for folder in TABLE_FOLDERS:
        if folder in inherited:
            found[folder] = BUNDLED_LEXICON_DIR
        elif (directory / folder).is_dir():
            found[folder] = directory
        else:
            problems.append(Problem(display_path(directory / folder), 0,
                                    f"table folder missing: add it, or inherit the bundled one with a line "
                                    f"'{folder}' in {INHERIT_FILE}"))
    if problems:
        raise DataFileError(problems)
    return found


def _version(directory: Path, lexicon_version: str, folders: dict[str, Path]) -> str:
    """sha256 (16 hex digits) over the lexicon's version, inherit.tsv and every table file's bytes."""
    digest = hashlib.sha256(f"lexicon\0{lexicon_version}\0".encode())
    inherit_path = directory / INHERIT_FILE
    if inherit_path.is_file():
        data = inherit_path.read_bytes()
        digest.update(f"{INHERIT_FILE}\0{len(data)}\0".encode())
        digest.update(data)
    for folder in TABLE_FOLDERS:
        base = folders[folder]
        for path in sorted(p for p in (base / folder).rglob("*") if p.is_file()):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()[:16]


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
