"""load_bundle: every table from one directory, no silent fallback, every file in the version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from namebridge.errors import DataFileError
from namebridge.lexicon.bundle import INHERIT_COLUMNS, TABLE_FOLDERS, load_bundle
from namebridge.lexicon.loader import INHERIT_FILE
from namebridge.matching.engine import Engine
from namebridge.settings import BUNDLED_LEXICON_DIR

#: every file under the bundled lexicon that answers may depend on (the READMEs are prose)
TABLE_FILES = sorted(p.relative_to(BUNDLED_LEXICON_DIR) for p in BUNDLED_LEXICON_DIR.rglob("*")
                     if p.is_file() and p.name != "README.md")


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_LEXICON_DIR, copy)
    return copy


def _inherit(directory: Path, folders: list[str]) -> None:
    lines = ["\t".join(INHERIT_COLUMNS)] + [f"{f}\ttaken from the bundled lexicon" for f in folders]
    (directory / INHERIT_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_table_folder_and_table_is_covered() -> None:
    assert len(TABLE_FILES) > 40
    folders = {p.parts[0] for p in TABLE_FILES if len(p.parts) > 1}
    assert set(TABLE_FOLDERS) <= folders


def test_a_copy_has_the_same_version(tmp_path: Path) -> None:
    assert load_bundle(_copy(tmp_path)).version == load_bundle(BUNDLED_LEXICON_DIR).version


@pytest.mark.parametrize("relative", TABLE_FILES, ids=str)
def test_changing_any_table_changes_the_version(tmp_path: Path, relative: Path) -> None:
    """Raw bytes are hashed: even a comment line added to a table changes the version."""
    copy = _copy(tmp_path)
    before = load_bundle(copy).version
    with (copy / relative).open("a", encoding="utf-8") as out:
        out.write("\n# changed by a test\n")
    assert load_bundle(copy).version != before


def test_a_missing_table_folder_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    shutil.rmtree(copy / "keys")
    with pytest.raises(DataFileError, match=r"keys:0: table folder missing.*inherit"):
        load_bundle(copy)


def test_an_inherited_folder_is_read_from_the_bundled_lexicon(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    for folder in ("keys", "normalize"):
        shutil.rmtree(copy / folder)
    _inherit(copy, ["keys", "normalize"])
    bundle = load_bundle(copy)
    assert bundle.folders["keys"] == BUNDLED_LEXICON_DIR
    assert bundle.folders["tokens"] == copy
    assert bundle.version != load_bundle(BUNDLED_LEXICON_DIR).version   # inherit.tsv is read too
    engine = Engine.load(copy)
    assert engine.lexicon.version == bundle.version
    assert engine.resolve("Тоқаевтың").candidates[0].entity_id == "person:kassym-jomart-tokayev"


def test_inherit_file_problems_name_the_line(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    _inherit(copy, ["keys", "nonsense"])     # keys/ is also there
    with pytest.raises(DataFileError) as caught:
        load_bundle(copy)
    text = str(caught.value)
    assert f"{INHERIT_FILE}:2: keys/ is both here and inherited" in text
    assert f"{INHERIT_FILE}:3: 'nonsense' is not a table folder" in text


def test_a_table_of_the_lexicon_directory_is_the_one_used(tmp_path: Path) -> None:
    """A lexicon with every folder reads every table from itself; answers carry the bundle's version."""
    copy = _copy(tmp_path)
    bundle = load_bundle(copy)
    assert bundle.folders == {f: copy for f in TABLE_FOLDERS}
    assert Engine.load(copy).resolve("Kazakhstan").lexicon_version == bundle.version


def test_a_morphology_list_applies_as_scripts_tsv_says(tmp_path: Path) -> None:
    """A new morphology/<lang>.tsv applies once scripts.tsv names it, and is an error until then."""
    copy = _copy(tmp_path)
    (copy / "morphology" / "be.tsv").write_text("affix\tposition\tnote\nаў\tsuffix\tgenitive plural (Штатаў)\n",
                                                 encoding="utf-8")
    with pytest.raises(DataFileError, match=r"be.tsv:0: be.tsv applies to no script"):
        load_bundle(copy)
    with (copy / "morphology" / "scripts.tsv").open("a", encoding="utf-8") as out:
        out.write("Cyrillic\tbe\tkeyed\n")
    morphology = load_bundle(copy).morphology
    bundled = load_bundle(BUNDLED_LEXICON_DIR).morphology
    assert morphology.languages_by_script["Cyrillic"] == bundled.languages_by_script["Cyrillic"] + ("be",)
    assert "штат" in morphology.stems("штатаў", "Cyrillic", keyed=True)
    assert "штат" not in bundled.stems("штатаў", "Cyrillic")


def test_a_base_only_list_gives_no_keyed_stems() -> None:
    """A list marked ``base`` in scripts.tsv (Ukrainian) proposes stems for base forms only."""
    morphology = load_bundle(BUNDLED_LEXICON_DIR).morphology
    assert "штат" in morphology.stems("штатів", "Cyrillic")
    assert "штат" not in morphology.stems("штатів", "Cyrillic", keyed=True)
    assert "штат" in morphology.base_forms("штатів", "Cyrillic")


def test_scripts_tsv_names_only_languages_with_a_list(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    with (copy / "morphology" / "scripts.tsv").open("a", encoding="utf-8") as out:
        out.write("Cyrillic\tkk\tkeyed\nLatin\txx\tkeyed\nLatin\tde\tsometimes\n")
    with pytest.raises(DataFileError) as caught:
        load_bundle(copy)
    assert "'kk' is listed twice" in str(caught.value)
    assert "no list xx.tsv in morphology/" in str(caught.value)
    assert "stems must be one of keyed, base" in str(caught.value)
