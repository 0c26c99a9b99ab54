"""Display romanization: the tables under lexicons/translit, their loader and their packs.

Vectors live in tests/vectors/translit_<language>.tsv (input, expected), read
with the project's one TSV reader relative to this file; every row runs
through the compiled tables AND through ``transliterate.translit`` with our
registered pack, so a pair the pack lost would fail by name.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transliterate.base import registry

from namebridge.errors import DataFileError, InvalidArgument
from namebridge.tsv import read_table_strict
from namebridge.settings import BUNDLED_LEXICON_DIR
from namebridge.text.translit import ANY, TranslitTables, romanize_slow

TRANSLIT_DIR = BUNDLED_LEXICON_DIR / "translit"
VECTORS = Path(__file__).parent / "vectors"
MIN_ROWS = 15


def _table_languages() -> list[str]:
    return sorted(p.stem for p in TRANSLIT_DIR.glob("*.tsv") if p.name != "schemes.tsv")


def _vector_rows() -> list[tuple[str, int, str, str]]:
    rows = []
    for language in _table_languages():
        path = VECTORS / f"translit_{language}.tsv"
        if path.is_file():
            for row in read_table_strict(path, ("input", "expected")):
                rows.append((language, row.line, row["input"], row["expected"]))
    return rows


ROWS = _vector_rows()
ROW_IDS = [f"{language}:{line}:{text}" for language, line, text, _ in ROWS]


@pytest.fixture(scope="module")
def tables() -> TranslitTables:
    loaded = TranslitTables.load(TRANSLIT_DIR)
    loaded.register_packs()
    return loaded


# --- the vectors ---------------------------------------------------------------

@pytest.mark.parametrize("language", _table_languages())
def test_every_table_has_enough_vector_rows(language: str) -> None:
    path = VECTORS / f"translit_{language}.tsv"
    assert path.is_file(), f"{path} missing: every table needs a vector file"
    rows = read_table_strict(path, ("input", "expected"))
    assert len(rows) >= MIN_ROWS, f"{path}: {len(rows)} rows, want at least {MIN_ROWS}"
    text = path.read_text(encoding="utf-8")
    assert "# source:" in text, f"{path}: each block needs a '# source:' comment"


def test_vector_rows_were_read() -> None:
    assert len(ROWS) >= MIN_ROWS * len(_table_languages())


@pytest.mark.parametrize(("language", "line", "text", "expected"), ROWS, ids=ROW_IDS)
def test_romanize_vector(tables: TranslitTables, language: str, line: int, text: str,
                         expected: str) -> None:
    assert tables.romanize(text, language) == expected


@pytest.mark.parametrize(("language", "line", "text", "expected"), ROWS, ids=ROW_IDS)
def test_transliterate_pack_agrees_on_vector(tables: TranslitTables, language: str, line: int,
                                             text: str, expected: str) -> None:
    assert romanize_slow(text, language) == expected


def test_pack_agrees_on_every_pair_of_every_table(tables: TranslitTables) -> None:
    """No pair is lost building the pack: each source letter, alone and in capitals."""
    disagreements = []
    for language, compiled in tables.tables.items():
        for pair in compiled.pairs:
            if pair.position != ANY:
                continue
            for text in (pair.source, f"{pair.source}{pair.source}"):
                fast, slow = tables.romanize(text, language), romanize_slow(text, language)
                if fast != slow:
                    disagreements.append(f"{compiled.path}:{pair.line}: {text!r} {fast!r} != {slow!r}")
    assert disagreements == []


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_pack_agrees_on_random_words_of_the_tables_own_letters(tables: TranslitTables,
                                                               data: st.DataObject) -> None:
    language = data.draw(st.sampled_from(sorted(tables.languages)))
    letters = sorted({p.source for p in tables.tables[language].pairs})
    text = data.draw(st.text(st.sampled_from(letters + [" ", "-", "1"]), max_size=12))
    assert tables.romanize(text, language) == romanize_slow(text, language)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30), language=st.sampled_from(["kk", "ru", "uk", "ar", "fa", "tr"]))
def test_romanize_never_raises_and_keeps_what_it_does_not_know(tables: TranslitTables, text: str,
                                                               language: str) -> None:
    """Output letters come from the table's targets or are input characters it does not know."""
    out = tables.romanize(text, language)
    assert isinstance(out, str)
    if language in tables.languages:
        pairs = tables.tables[language].pairs
        known = {p.source for p in pairs}
        targets = "".join(p.target for p in pairs)
        composed = unicodedata.normalize("NFC", text)  # romanize composes first
        allowed = set(targets) | set(targets.upper()) | {"İ"} | {c for c in composed if c not in known}
        assert set(out) <= allowed
        assert not set(out) & (known - allowed)
    else:
        assert out == text


# --- behaviour -----------------------------------------------------------------

def test_every_table_file_is_loaded_with_its_scheme(tables: TranslitTables) -> None:
    assert tables.languages == frozenset(_table_languages())
    assert {"kk", "ru", "ar", "fa"} <= tables.languages
    for language in tables.languages:
        header = (TRANSLIT_DIR / f"{language}.tsv").read_text(encoding="utf-8").split("\nsource\t")[0]
        standard = f"# standard: {tables.scheme(language)}\n"
        assert header.startswith(standard), f"{language}.tsv must start with {standard!r}"
    assert tables.scheme("ru") == "BGN/PCGN 1947 (Russian), simplified"
    assert tables.scheme("kk") == "Kazakh Latin alphabet 2021"


def test_pure_ascii_is_returned_as_is(tables: TranslitTables) -> None:
    text = "Tokayev, Kassym-Jomart (2019)"
    assert tables.romanize(text, "ru") is text
    assert tables.romanize("", "kk") == ""


def test_case_is_kept(tables: TranslitTables) -> None:
    assert tables.romanize("Жомарт ЖОМАРТ жомарт", "ru") == "Zhomart ZHOMART zhomart"
    assert tables.romanize("Щёлково ЩЁЛКОВО", "ru") == "Shchelkovo SHCHELKOVO"
    # Turkic capitals: и -> i / İ, і -> ı / I
    assert tables.romanize("Ибраһим ИБРАҺИМ ібі ІБІ", "kk") == "İbrahim İBRAHİM ıbı IBI"
    assert tables.romanize("Юлия ЮЛИЯ", "kk") == "İuliia İULİİA"
    # a one-letter capital is a capital, not an all-caps word
    assert tables.romanize("Ж. Токаев", "ru") == "Zh. Tokayev"


def test_decomposed_letters_and_stress_marks(tables: TranslitTables) -> None:
    decomposed = unicodedata.normalize("NFD", "Мирзиёев Йошкар-Ола")
    assert decomposed != "Мирзиёев Йошкар-Ола"
    assert tables.romanize(decomposed, "ru") == "Mirziyoyev Yoshkar-Ola"
    assert tables.romanize("Тока\u0301ев", "ru") == "Tokayev"
    assert romanize_slow("Тока\u0301ев", "ru") == "Tokayev"


def test_unknown_characters_pass_through(tables: TranslitTables) -> None:
    assert tables.romanize("Токаев 2019 — ترمب", "ru") == "Tokayev 2019 — ترمب"
    assert tables.romanize("ترمب Токаев", "ar") == "trmb Токаев"


def test_latin_language_is_its_own_romanization_and_unknown_language_is_rejected(
        tables: TranslitTables) -> None:
    assert tables.romanize("Kazakistan'ın Cumhurbaşkanı", "tr") == "Kazakistan'ın Cumhurbaşkanı"
    assert tables.scheme("tr") == "none (Latin script)"
    with pytest.raises(InvalidArgument) as raised:
        tables.romanize("Токаев", "xx")
    assert raised.value.field == "language"
    with pytest.raises(InvalidArgument):
        tables.scheme("xx")


def test_registration_is_idempotent_and_replaces_shipped_packs(tables: TranslitTables) -> None:
    tables.register_packs()
    tables.register_packs()
    for language in tables.languages:
        assert registry.get(language) is tables.packs[language]
    # a second load (another lexicon directory) replaces ours, and back again
    other = TranslitTables.load(TRANSLIT_DIR)
    other.register_packs()
    assert registry.get("ru") is other.packs["ru"]
    tables.register_packs()
    assert registry.get("ru") is tables.packs["ru"]
    assert romanize_slow("Токаев", "ru") == "Tokayev"


# --- the loader's problems -------------------------------------------------------

HEADER = "# test table\nsource\ttarget\tposition\n"


def _lexicon(tmp_path: Path, tables: dict[str, str], schemes: str | None = None) -> Path:
    shutil.copy(BUNDLED_LEXICON_DIR / "languages.tsv", tmp_path / "languages.tsv")
    folder = tmp_path / "translit"
    folder.mkdir()
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8")
    if schemes is None:
        languages = [n.removesuffix(".tsv") for n in tables if n.endswith(".tsv")]
        schemes = "language\tscheme\n" + "".join(f"{lang}\ttest scheme\n" for lang in languages)
    (folder / "schemes.tsv").write_text(schemes, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DataFileError) as raised:
        TranslitTables.load(folder)
    return [str(p) for p in raised.value.problems]


def test_loader_reports_every_bad_row_with_path_and_line(tmp_path: Path) -> None:
    folder = _lexicon(tmp_path, {"ru.tsv": HEADER + "\n".join([
        "а\ta\tany",        # 3 fine
        "А\tA\tany",        # 4 fine
        "а\tah\tany",       # 5 duplicate source
        "z\tz\tany",        # 6 not Cyrillic
        "б\t\tany",         # 7 empty target (the reader)
        "в\tv\tany",        # 8 no upper-case row
        "г\tg\tany",        # 9
        "Г\tH\tany",        # 10 upper target does not match
        "д\td\tsomewhere",  # 11 bad position
        "е\tye\tinitial",   # 12 context row without an 'any' row
        "Е\tYe\tinitial",   # 13
        "ж\tж\tany",        # 14 target not Latin
        "зз\tz\tany",       # 15 more than one character
    ]) + "\n"})
    problems = _problems(folder)
    path = folder / "ru.tsv"
    expected = {5: "duplicate source", 6: "not in the Cyrillic script", 7: "empty field",
                8: "no row for its other case", 10: "does not match", 11: "position must be",
                12: "needs an 'any' row", 14: "not a Latin letter", 15: "one character"}
    for line, words in expected.items():
        assert any(p.startswith(f"{path}:{line}:") and words in p for p in problems), \
            f"line {line} ({words}) not reported in {problems}"
    assert not any(p.startswith(f"{path}:3:") or p.startswith(f"{path}:4:") for p in problems)


def test_loader_rejects_unknown_files_languages_and_missing_schemes(tmp_path: Path) -> None:
    good = HEADER + "а\ta\tany\nА\tA\tany\n"
    folder = _lexicon(tmp_path, {"ru.tsv": good, "xx.tsv": good, "notes.txt": "hello\n",
                                 "uk.tsv": good},
                      schemes="language\tscheme\nru\tBGN\nkk\tKazakh 2021\nru\tagain\n")
    problems = _problems(folder)
    joined = "\n".join(problems)
    assert f"{folder / 'xx.tsv'}:0: unknown language 'xx'" in joined
    assert f"{folder / 'notes.txt'}:0: unknown file" in joined
    assert f"{folder / 'uk.tsv'}:0: no row for 'uk'" in joined
    assert f"{folder / 'schemes.tsv'}:3: no table file kk.tsv" in joined
    assert f"{folder / 'schemes.tsv'}:4: duplicate language 'ru'" in joined


def test_loader_accepts_a_minimal_good_table_with_marks_as_code_points(tmp_path: Path) -> None:
    folder = _lexicon(tmp_path, {"ar.tsv": HEADER + "ب\tb\tany\nU+064E\t-\tany\nU+200C\t-\tany\n"})
    loaded = TranslitTables.load(folder)
    assert loaded.languages == frozenset({"ar"})
    assert loaded.romanize("بَب\u200cب", "ar") == "bbb"
    assert loaded.scheme("ar") == "test scheme"
